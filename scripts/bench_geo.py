#!/usr/bin/env python3
"""Benchmark dispatch suggestions and the managers' map (a benchmark, not a test).

    .venv/bin/python scripts/bench_geo.py
    .venv/bin/python scripts/bench_geo.py --postgres postgresql://postgres@127.0.0.1/postgres

On the demo city (Shanghai's districts, ``--scale`` demo orders) it adds
``--technicians`` field workers to one department, each with skills, a last known
position across the city and most of them on duty, and ``--open`` open orders at the
demo's sites, a third of them assigned to those workers (their load). Then, on a
real server process, one request at a time, ``--requests`` times each, it asks for:

- the dispatch suggestions for one of that department's unassigned orders (every
  worker scored on skills, load, distance and duty);
- the map's open orders for the whole city (the default limit, 5,000 features, most
  urgent first) and for one district's box;
- the map's field workers of the department.

It prints p50/p99 latency in milliseconds and each answer's feature count.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import msgspec
from benchlib import each_engine, login, running_server
from piccolo.querystring import QueryString

from geo.tables import Duty, Position
from server.accounts.tables import User
from server.database import (
    bind,
    close_pool,
    create_engine,
    execute_many,
    insert_sql,
    is_sqlite,
    open_pool,
    write_transaction,
)
from server.masterdata.tables import Site
from server.settings import Settings
from server.tables import all_tables
from server.workorders.tables import WorkOrder

CITY = (31.23, 121.47)
OPEN = ("new", "assigned", "accepted", "en_route", "on_site", "in_progress", "suspended")
SKILLS = ("electrical", "hvac", "plumbing", "lifts", "fire")
DISTRICT_BOX = "121.43,31.21,121.50,31.25"  # Huangpu, roughly


async def fill(database_url: str, args: argparse.Namespace) -> tuple[str, str]:
    """Add the workers and open orders; the department's id and an unassigned order's."""
    engine = create_engine(Settings(database_url=database_url))
    bind(engine, all_tables())
    await open_pool(engine, 2)
    rng = random.Random(args.seed)
    try:
        template_user = await User.select().where(User.role == "technician").first()
        template_order = await WorkOrder.select().first()
        assert template_user is not None
        assert template_order is not None
        department = template_user["department"]
        sites = [row["id"] for row in await Site.select(Site.id)]
        now = datetime.now(UTC)
        users, positions, duties = [], [], []
        for n in range(args.technicians):
            user = {
                **template_user,
                "id": uuid.uuid4(),
                "username": f"bench.tech{n}",
                "display_name": f"Bench Tech {n}",
                "skills": rng.sample(SKILLS, 2),
                "phone": None,
            }
            users.append(user)
            positions.append(
                {
                    "id": uuid.uuid4(),
                    "user": user["id"],
                    "latitude": CITY[0] + rng.gauss(0, 0.08),
                    "longitude": CITY[1] + rng.gauss(0, 0.08),
                    "accuracy_m": 15.0,
                    "at": now - timedelta(minutes=rng.randint(0, 120)),
                    "source": "ping",
                }
            )
            duties.append(
                {
                    "id": uuid.uuid4(),
                    "user": user["id"],
                    "on_duty": rng.random() < 0.8,
                    "since": now,
                    "started_at": now,
                    "ended_at": None,
                }
            )
        number = int(
            (
                await WorkOrder.select(WorkOrder.number)
                .order_by(WorkOrder.number, ascending=False)
                .first()
                or {"number": 0}
            )["number"]
        )
        orders = []
        for n in range(args.open):
            assignee = rng.choice(users)["id"] if rng.random() < 1 / 3 else None
            orders.append(
                {
                    **template_order,
                    "id": uuid.uuid4(),
                    "number": number + n + 1,
                    "kind": "customer_request",
                    "status": rng.choice(OPEN[1:]) if assignee else "new",
                    "priority": rng.choice(("P1", "P2", "P3", "P3", "P4", "P5")),
                    "site": rng.choice(sites),
                    "department": department,
                    "assignee": assignee,
                    "team": None,
                    "service_item": None,
                    "created_at": now - timedelta(minutes=rng.randint(1, 60 * 24 * 7)),
                    "response_due_at": None,
                    "resolution_due_at": now + timedelta(hours=rng.randint(-4, 48)),
                    "response_breached_at": None,
                    "resolution_breached_at": None,
                    "sla_paused_at": None,
                    "first_response_at": None,
                }
            )
        sqlite = is_sqlite(engine)
        for table, rows in (
            (User, users),
            (Position, positions),
            (Duty, duties),
            (WorkOrder, orders),
        ):
            columns = tuple(rows[0])
            for start in range(0, len(rows), 5000):
                async with write_transaction(engine):
                    await execute_many(
                        engine,
                        insert_sql(table, columns),
                        [
                            tuple(_stored(row[c], sqlite) for c in columns)
                            for row in rows[start : start + 5000]
                        ],
                    )
        # As autovacuum (or the demo loader) would: planners need the new rows' statistics.
        await engine.run_querystring(QueryString("ANALYZE"))
        waiting = next(order["id"] for order in orders if order["assignee"] is None)
        return str(department), str(waiting)
    finally:
        await close_pool(engine)


def _stored(value: Any, sqlite: bool) -> Any:
    # SQLite keeps arrays (skills) as JSON text; PostgreSQL takes them as lists.
    if isinstance(value, list) and sqlite:
        return msgspec.json.encode(value).decode()
    return value


def measure(http: httpx.Client, path: str, token: str, requests: int) -> tuple[float, float, int]:
    headers = {"Authorization": f"Bearer {token}"}
    times, count = [], 0
    for _ in range(requests):
        started = time.perf_counter()
        answer = http.get(path, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        answer.raise_for_status()
        body = answer.json()
        count = len(body.get("features", body.get("items", [])))
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1], count


def run_engine(name: str, database_url: str, args: argparse.Namespace) -> None:
    department, waiting = asyncio.run(fill(database_url, args))
    with running_server(name, database_url) as (_, http):
        admin = login(http, "admin")
        cases = {
            f"suggestions among {args.technicians:,}": f"/api/work-orders/{waiting}/suggestions",
            "map: city's open orders": "/api/map/orders",
            "map: a district's open orders": f"/api/map/orders?bbox={DISTRICT_BOX}&limit=20000",
            "map: the department's workers": f"/api/map/technicians?department_id={department}",
        }
        for case, path in cases.items():
            measure(http, path, admin, 3)  # warm up
            p50, p99, count = measure(http, path, admin, args.requests)
            print(
                f"  {name:10} {case:34} p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  ({count:,} items)",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=5_000, help="demo orders (mostly closed)")
    parser.add_argument("--open", type=int, default=100_000, help="open orders added")
    parser.add_argument("--technicians", type=int, default=1_000)
    parser.add_argument("--requests", type=int, default=100, help="per case")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--postgres", help="admin URL of a PostgreSQL server to compare")
    args = parser.parse_args()
    print(f"{args.open:,} open orders, {args.technicians:,} field workers in one department")
    each_engine(args.scale, args.seed, args.postgres, lambda name, url: run_engine(name, url, args))


if __name__ == "__main__":
    main()
