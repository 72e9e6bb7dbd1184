#!/usr/bin/env python3
"""Benchmark the reports on a large demo database (a benchmark, not a test).

    .venv/bin/python scripts/bench_reports.py                    # SQLite, 1,000,000 orders
    .venv/bin/python scripts/bench_reports.py --postgres postgresql://postgres@127.0.0.1/postgres
    .venv/bin/python scripts/bench_reports.py --sqlite-file var/bench/reports/demo_1000000.sqlite
    .venv/bin/python scripts/bench_reports.py --explain          # and each statement's plan
    .venv/bin/python scripts/bench_reports.py --no-sqlite --postgres-url postgresql://postgres@127.0.0.1/fieldops_demo

The database is the demo at ``--scale`` orders (180 days of history), cached like
scripts/bench_api.py's; ``--sqlite-file`` and ``--postgres-url`` use a demo
database made before instead (migrated first; loading a million orders takes about
a quarter of an hour on SQLite, ten minutes on PostgreSQL). It starts
``fieldops serve`` on the database and times each report ``--runs`` times for the last
``--days`` days (as an admin, every order; and as the first demo manager), printing
the first (cold) and the median time. ``--explain`` prints the query plan of every
statement the reports run, from the engine itself.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from benchlib import (
    ROOT,
    base_env,
    drop_postgres,
    login,
    postgres_database,
    running_server,
    sqlite_database,
)

REPORTS = (
    "technicians",
    "departments",
    "sites",
    "customer-groups",
    "assets",
    "dashboard",
    "charts/backlog-by-status.svg",
    "charts/sla-compliance-by-week.svg",
    "technicians/export?format=xlsx",
    "assets/export?format=csv",
)


def period(days: int) -> str:
    last = datetime.now(UTC).date()
    return f"from={last - timedelta(days=days - 1)}&to={last}"


def timed(http: httpx.Client, path: str, token: str) -> tuple[float, int]:
    start = time.perf_counter()
    answer = http.get(path, headers={"Authorization": f"Bearer {token}"})
    elapsed = time.perf_counter() - start
    answer.raise_for_status()
    return elapsed * 1000, len(answer.content)


def order_export(http: httpx.Client, token: str, query: str) -> tuple[float, int]:
    """Milliseconds to stream the whole CSV, and its rows."""
    start = time.perf_counter()
    rows = 0
    with http.stream(
        "GET",
        f"/api/work-orders/export?format=csv&{query}",
        headers={"Authorization": f"Bearer {token}"},
    ) as answer:
        answer.raise_for_status()
        for chunk in answer.iter_bytes():
            rows += chunk.count(b"\r\n")
    return (time.perf_counter() - start) * 1000, rows - 1


def run_engine(name: str, database_url: str, args: argparse.Namespace) -> None:
    if args.explain:
        explain(database_url, args)
    window = period(args.days)
    with running_server(name, database_url) as (_, http):
        for user in ("admin", "manager1"):
            token = login(http, user)
            for report in REPORTS:
                separator = "&" if "?" in report else "?"
                path = f"/api/reports/{report}{separator}{window}&tz=Asia/Shanghai"
                times = [timed(http, path, token)[0] for _ in range(args.runs)]
                print(
                    f"  {name:10} {user:9} {report:34} first {times[0]:8.0f} ms  "
                    f"median {statistics.median(times):8.0f} ms",
                    flush=True,
                )
            elapsed, rows = order_export(http, token, "view=unresolved")
            print(
                f"  {name:10} {user:9} {'unresolved orders as CSV':34} "
                f"{elapsed:8.0f} ms for {rows:,} orders",
                flush=True,
            )


def explain(database_url: str, args: argparse.Namespace) -> None:
    """Run the reports in this process on the engine, recording each statement, then
    print each one's plan."""
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "bench_reports.py"),
            f"--plans-of={database_url}",
            f"--days={args.days}",
        ],
        cwd=ROOT,
        env=base_env(database_url),
        check=True,
    )


async def plans(database_url: str, days: int) -> None:
    from uuid import uuid4

    from piccolo.querystring import QueryString

    from server.accounts.actor import Actor
    from server.database import bind, close_pool, create_engine, is_sqlite, open_pool
    from server.reports.services import ReportService
    from server.settings import from_env
    from server.tables import all_tables

    settings = from_env()
    engine = create_engine(settings)
    bind(engine, all_tables())
    await open_pool(engine, 2)
    seen: list[tuple[str, list[Any]]] = []
    engine_class = type(engine)  # engines use __slots__: record through the class
    originals: dict[str, Any] = {
        name: getattr(engine_class, name, None) for name in ("fetch_plain", "run_querystring")
    }

    def recording(original: Any) -> Any:
        async def record(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(query, QueryString):
                seen.append((query.template, list(query.args)))
            else:
                seen.append((query, args[0]))
            return await original(self, query, *args, **kwargs)

        return record

    for name, original in originals.items():
        if original is not None:
            setattr(engine_class, name, recording(original))
    admin = Actor(
        user_id=uuid4(),
        session_id=uuid4(),
        username="bench",
        display_name="bench",
        role="admin",
        department_id=None,
        team_id=None,
        language="en",
    )
    service = ReportService(admin, lambda: datetime.now(UTC))
    last = date.today()
    first = last - timedelta(days=days - 1)
    for name, call in (
        ("technicians", lambda: service.technicians(first, last, "Asia/Shanghai")),
        ("sites", lambda: service.dimension("sites", first, last, "Asia/Shanghai")),
        ("assets", lambda: service.assets(first, last, "Asia/Shanghai")),
        ("dashboard", lambda: service.dashboard(first, last, "Asia/Shanghai")),
    ):
        start = len(seen)
        began = time.perf_counter()
        await call()
        print(f"== {name}: {(time.perf_counter() - began) * 1000:.0f} ms in process")
        for statement, params in seen[start:]:
            if is_sqlite(engine):
                plain = originals["fetch_plain"]
                rows = await plain(engine, "EXPLAIN QUERY PLAN " + statement, params)
                text = "\n".join(f"    {row['detail']}" for row in rows)
            else:
                run = originals["run_querystring"]
                rows = await run(engine, QueryString("EXPLAIN " + statement, *params))
                text = "\n".join(f"    {row['QUERY PLAN']}" for row in rows)
            print(f"  {' '.join(statement.split())[:160]}...\n{text}")
    await close_pool(engine)


def migrate(database_url: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "server.cli", "migrate"],
        cwd=ROOT,
        env=base_env(database_url),
        check=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--days", type=int, default=30, help="the reports' period")
    parser.add_argument("--runs", type=int, default=3, help="per report")
    parser.add_argument("--postgres", help="admin URL of a PostgreSQL server to compare")
    parser.add_argument("--sqlite-file", help="a demo SQLite database to use as it is")
    parser.add_argument("--postgres-url", help="a PostgreSQL demo database to use as it is")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--explain", action="store_true", help="print each statement's plan")
    parser.add_argument("--plans-of", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.plans_of:
        asyncio.run(plans(args.plans_of, args.days))
        return
    print(f"{args.scale:,} demo orders, reports of the last {args.days} days")
    if args.sqlite_file:
        url = f"sqlite:///{Path(args.sqlite_file).resolve()}"
        migrate(url)
        run_engine("sqlite", url, args)
    elif not args.no_sqlite:
        run_engine("sqlite", sqlite_database(args.scale, args.seed), args)
    if args.postgres_url:
        migrate(args.postgres_url)
        run_engine("postgresql", args.postgres_url, args)
    elif args.postgres:
        url = postgres_database(args.postgres, args.scale, args.seed)
        try:
            run_engine("postgresql", url, args)
        finally:
            drop_postgres(args.postgres, url)


if __name__ == "__main__":
    main()
