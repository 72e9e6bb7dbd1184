#!/usr/bin/env python3
"""How the cost of each main operation grows with the data (a benchmark, not a test).

    .venv/bin/python scripts/bench_growth.py                       # SQLite, 10k/100k/1M orders
    .venv/bin/python scripts/bench_growth.py --scales 10000,100000 \\
        --postgres postgresql://postgres@127.0.0.1:5432/postgres   # and PostgreSQL
    .venv/bin/python scripts/bench_growth.py --scales 1000000 --explain --requests 0

For each demo size (databases cached like scripts/bench_api.py's) and engine it starts
``fieldops serve`` on a fresh copy and sends each operation ``--requests`` times, one
request at a time after ``--warmup`` unmeasured ones: the lists, an order's detail, its
creation, assignment, acceptance and check-in, a sync push of 100 mutations, an
incremental pull, a scan, dispatch suggestions, the map's open orders in a district and
the 7-day dashboard. It prints the median and p95 in milliseconds per operation and
size, and the ratio of the largest size's median to the smallest's.

``--explain`` then serves the same copy of the largest size in this process, sends
each operation once more with every SQL statement recorded as the database driver
sends it (sqlite3's trace callback, asyncpg's query logger: the statements the
server's own code builds), and prints each distinct read's plan: ``EXPLAIN QUERY PLAN``
on SQLite (with its row count and the best of three run times), ``EXPLAIN (ANALYZE,
BUFFERS)`` on PostgreSQL. Full scans of a table are marked ``<-- TABLE SCAN`` with the
table's size.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import logging
import os
import random
import re
import sqlite3
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import msgspec
from bench_geo import DISTRICT_BOX
from bench_sync import PageSummary
from benchlib import (
    PASSWORD,
    SYNC_PROTOCOL,
    base_env,
    drop_postgres,
    drop_sqlite,
    mutations_for,
    percentile,
    postgres_database,
    running_server,
    sqlite_database,
)

FILTERED = "/api/work-orders?status=new&status=assigned&priority=P1&priority=P2&limit=50"


@dataclass
class Context:
    """What the operations need: tokens, ids picked from the demo, orders made on the way."""

    http: httpx.AsyncClient
    technician: str
    manager: str
    technician_id: str
    mine: list[dict[str, Any]]
    detail_ids: list[str]
    sites: list[str]
    tags: list[str]
    cursor: str
    full_pull: tuple[float, int] | None
    client_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created: list[str] = field(default_factory=list)
    rng: random.Random = field(default_factory=lambda: random.Random(7))


Timed = Callable[..., Awaitable[httpx.Response]]


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def login(http: httpx.AsyncClient, username: str) -> str:
    answer = await http.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    answer.raise_for_status()
    return str(answer.json()["access_token"])


async def get_json(http: httpx.AsyncClient, path: str, token: str) -> Any:
    answer = await http.get(path, headers=auth(token))
    answer.raise_for_status()
    return answer.json()


async def full_pull(http: httpx.AsyncClient, token: str) -> tuple[float, int, str]:
    """Seconds and orders of a pull from nothing; the final cursor."""
    body: dict[str, Any] = {
        "protocol": SYNC_PROTOCOL,
        "client_id": str(uuid.uuid4()),
        "limit": 1000,
    }
    headers = {**auth(token), "Accept-Encoding": "identity"}
    orders = 0
    started = time.perf_counter()
    while True:
        page = await http.post("/api/sync/pull", json=body, headers=headers)
        page.raise_for_status()
        answer = msgspec.json.decode(page.content, type=PageSummary)
        orders += len(answer.orders)
        body["cursor"] = answer.cursor
        if not answer.more:
            return time.perf_counter() - started, orders, answer.cursor


async def prepare(http: httpx.AsyncClient, cursor: str | None) -> Context:
    """With a ``cursor`` of tech01's from an earlier run on the same copy, without the
    full pull (minutes at 1,000,000 orders)."""
    technician, manager = await login(http, "tech01"), await login(http, "manager1")
    me = await get_json(http, "/api/users/me", technician)
    mine = (await get_json(http, "/api/work-orders?view=mine&limit=50", technician))["items"]
    # The newest and the oldest orders: a detail read may land anywhere in the table.
    detail: list[dict[str, Any]] = []
    for sort in ("-created_at", "created_at"):
        detail += (await get_json(http, f"/api/work-orders?sort={sort}&limit=200", manager))[
            "items"
        ]
    sites = sorted({order["site_id"] for order in detail if order["site_id"]})
    # A technician may scan the assets at the sites of their orders: their oldest, the
    # demo's (after a run on the same copy the newest are the benchmark's own, at no site).
    older = (
        await get_json(http, "/api/work-orders?view=mine&sort=created_at&limit=200", technician)
    )["items"]
    tags = []
    for site in sorted({order["site_id"] for order in older if order["site_id"]}):
        assets = await get_json(http, f"/api/assets?site_id={site}&limit=200", manager)
        tags += [asset["tag"] for asset in assets["items"]]
    snapshot = None
    if cursor is None:
        seconds, orders, cursor = await full_pull(http, technician)
        snapshot = (seconds, orders)
    return Context(
        http=http,
        technician=technician,
        manager=manager,
        technician_id=me["id"],
        mine=mine,
        detail_ids=[order["id"] for order in detail],
        sites=sites,
        tags=tags,
        cursor=cursor,
        full_pull=snapshot,
    )


# --- the operations: each sends its one measured request through ``timed`` ---------------


async def technician_list(ctx: Context, n: int, timed: Timed) -> None:
    await timed("GET", "/api/work-orders?view=mine&limit=50", ctx.technician)


async def manager_list(ctx: Context, n: int, timed: Timed) -> None:
    await timed("GET", FILTERED, ctx.manager)


async def order_detail(ctx: Context, n: int, timed: Timed) -> None:
    await timed("GET", f"/api/work-orders/{ctx.detail_ids[n % len(ctx.detail_ids)]}", ctx.manager)


async def create_order(ctx: Context, n: int, timed: Timed) -> None:
    body = {
        "kind": "customer_request",
        "title": f"Growth order {n}",
        "priority": "P3",
        "site_id": ctx.sites[n % len(ctx.sites)],
    }
    answer = await timed("POST", "/api/work-orders", ctx.manager, body, expected=201)
    ctx.created.append(answer.json()["id"])


async def suggestions(ctx: Context, n: int, timed: Timed) -> None:
    await timed("GET", f"/api/work-orders/{ctx.created[n]}/suggestions", ctx.manager)


async def assign(ctx: Context, n: int, timed: Timed) -> None:
    body = {"assignee_id": ctx.technician_id}
    await timed("POST", f"/api/work-orders/{ctx.created[n]}/assignment", ctx.manager, body)


async def accept(ctx: Context, n: int, timed: Timed) -> None:
    body = {"action": "accept"}
    await timed("POST", f"/api/work-orders/{ctx.created[n]}/transitions", ctx.technician, body)


async def check_in(ctx: Context, n: int, timed: Timed) -> None:
    body = {"latitude": 31.23, "longitude": 121.47, "accuracy_m": 20.0}
    await timed("POST", f"/api/work-orders/{ctx.created[n]}/check-ins", ctx.technician, body, 201)


async def push(ctx: Context, n: int, timed: Timed) -> None:
    batch = mutations_for(ctx.rng, ctx.mine, 100, first=n * 100 + 1)
    body = {"protocol": SYNC_PROTOCOL, "client_id": ctx.client_id, "mutations": batch}
    await timed("POST", "/api/sync/push", ctx.technician, body)


async def incremental_pull(ctx: Context, n: int, timed: Timed) -> None:
    order = ctx.mine[n % len(ctx.mine)]
    (
        await ctx.http.post(
            f"/api/work-orders/{order['id']}/comments",
            json={"body": f"dispatcher note {n}"},
            headers=auth(ctx.manager),
        )
    ).raise_for_status()
    body = {"protocol": SYNC_PROTOCOL, "client_id": ctx.client_id, "cursor": ctx.cursor}
    answer = msgspec.json.decode(
        (await timed("POST", "/api/sync/pull", ctx.technician, body)).content, type=PageSummary
    )
    ctx.cursor = answer.cursor


async def scan(ctx: Context, n: int, timed: Timed) -> None:
    await timed("GET", f"/api/scan/{ctx.rng.choice(ctx.tags)}", ctx.technician)


async def map_box(ctx: Context, n: int, timed: Timed) -> None:
    await timed("GET", f"/api/map/orders?bbox={DISTRICT_BOX}&limit=500", ctx.manager)


async def dashboard(ctx: Context, n: int, timed: Timed) -> None:
    today = datetime.now(UTC).date()
    period = f"from={today - timedelta(days=6)}&to={today}"
    await timed("GET", f"/api/reports/dashboard?{period}", ctx.manager)


# name: (operation, at most this many measured requests)
OPERATIONS: dict[str, tuple[Callable[[Context, int, Timed], Awaitable[None]], int | None]] = {
    "technician's list (view=mine, 50)": (technician_list, None),
    "manager's filtered list (50)": (manager_list, None),
    "order detail with timeline": (order_detail, None),
    "order creation": (create_order, None),
    "dispatch suggestions": (suggestions, None),
    "assignment": (assign, None),
    "acceptance (status change)": (accept, None),
    "check-in": (check_in, None),
    "sync push, 100 mutations": (push, None),
    "incremental pull, 1 change": (incremental_pull, None),
    "scan of an asset code": (scan, None),
    "map: open orders in a district (500)": (map_box, None),
    "dashboard, 7 days": (dashboard, 30),
}


async def drive(
    http: httpx.AsyncClient,
    requests: int,
    warmup: int,
    begin: Callable[[str, int], None],
    end: Callable[[str, int, float], Awaitable[None]],
    cursor: str | None = None,
) -> Context:
    """Every operation ``warmup + requests`` times, in order; ``begin`` and ``end``
    bracket each measured request."""
    ctx = await prepare(http, cursor)
    for name, (operation, most) in OPERATIONS.items():
        count = warmup + min(requests, most or requests)
        for n in range(count):

            async def timed(
                method: str,
                path: str,
                token: str,
                body: Any = None,
                expected: int = 200,
                name: str = name,
                n: int = n,
            ) -> httpx.Response:
                begin(name, n)
                started = time.perf_counter()
                answer = await http.request(method, path, json=body, headers=auth(token))
                await end(name, n, time.perf_counter() - started)
                if answer.status_code != expected:
                    raise SystemExit(f"{name}: {answer.status_code} {answer.text[:300]}")
                return answer

            await operation(ctx, n, timed)
    return ctx


# --- timings -------------------------------------------------------------------------


def measure(
    name: str, url: str, args: argparse.Namespace
) -> tuple[dict[str, list[float]], Context]:
    times: dict[str, list[float]] = {}

    async def end(operation: str, n: int, seconds: float) -> None:
        if n >= args.warmup:
            times.setdefault(operation, []).append(seconds)

    async def run(port: int) -> Context:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=300) as http:
            return await drive(http, args.requests, args.warmup, lambda *_: None, end)

    with running_server(f"growth-{name}", url) as (port, _):
        ctx = asyncio.run(run(port))
    return times, ctx


# --- plans ---------------------------------------------------------------------------


class Recorder:
    """The statements the drivers send while an operation's request is served."""

    def __init__(self) -> None:
        self.active = False
        self.statements: list[tuple[str, tuple[Any, ...]]] = []

    def sqlite(self, statement: str) -> None:
        if self.active:
            self.statements.append((statement, ()))

    def postgres(self, record: Any) -> None:
        if self.active:
            values = tuple(record.args or ())
            # executemany logs its rows (tuples, as server.database.execute_many sends
            # them): the first one stands for all.
            if values and isinstance(values[0], tuple):
                values = values[0]
            self.statements.append((record.query, values))

    def install(self) -> None:
        """Hook every connection the server opens from now on."""
        connect, create_pool = sqlite3.connect, asyncpg.create_pool

        def traced(*args: Any, **kwargs: Any) -> sqlite3.Connection:
            connection = connect(*args, **kwargs)
            connection.set_trace_callback(self.sqlite)
            return connection

        async def init(connection: asyncpg.Connection) -> None:
            connection.add_query_logger(self.postgres)

        def pool(*args: Any, **kwargs: Any) -> Any:
            return create_pool(*args, init=init, **kwargs)

        sqlite3.connect = traced  # type: ignore[assignment]
        asyncpg.create_pool = pool


# Writes of new rows, transaction control and the drivers' own housekeeping (pool
# resets, asyncpg's type introspection) have no plan worth reading.
SKIPPED = re.compile(
    r"^\s*(INSERT|PRAGMA|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|SELECT 1\s*$"
    r"|SELECT pg_advisory_unlock_all|WITH RECURSIVE typeinfo_tree|SELECT current_setting)",
    re.I,
)


def shape(statement: str) -> str:
    """The statement with its literal values blanked, to recognise it again."""
    statement = re.sub(r"'(?:[^']|'')*'", "?", statement)
    return re.sub(r"\b\d+(?:\.\d+)?\b", "?", statement)


@functools.cache
def sqlite_rows(path: str, table: str) -> int:
    with closing(sqlite3.connect(path)) as connection:
        return int(connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])


def explain_sqlite(path: str, statement: str) -> list[str]:
    from server.sqlite_pool import fold

    with closing(sqlite3.connect(path)) as connection:
        connection.create_function("fold", 1, fold, deterministic=True)
        owners = dict(
            connection.execute(
                "SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')"
            ).fetchall()
        )
        plan = connection.execute("EXPLAIN QUERY PLAN " + statement).fetchall()
        # Subqueries and CTEs are scanned by name too; only tables and indexes count.
        derived = {
            found.group(1)
            for *_, detail in plan
            if (found := re.match(r"(?:CO-ROUTINE|MATERIALIZE) (\w+)", detail))
        }
        lines = []
        for _, parent, _, detail in plan:
            mark = ""
            scanned = re.fullmatch(r"SCAN (\w+)(?: USING (?:COVERING )?INDEX (\w+))?", detail)
            if scanned and scanned.group(1) not in derived:
                table = owners.get(scanned.group(2) or scanned.group(1))
                size = f"{sqlite_rows(path, table):,} rows" if table else "an aliased table"
                mark = f"   <-- TABLE SCAN ({size})"
            lines.append(f"{'  ' * (parent > 0)}{detail}{mark}")
        if re.match(r"\s*(SELECT|WITH)\b", statement, re.I):
            # The best of three: one run on a busy machine may wait for the CPU.
            best = float("inf")
            for _ in range(3):
                started = time.perf_counter()
                rows = connection.execute(statement).fetchall()
                best = min(best, time.perf_counter() - started)
            lines.append(f"({len(rows)} rows, best of 3 runs {best * 1000:.2f} ms)")
        return lines


async def explain_postgres(url: str, statement: str, values: tuple[Any, ...]) -> list[str]:
    connection = await asyncpg.connect(url)
    try:
        transaction = connection.transaction()
        await transaction.start()
        try:
            rows = await connection.fetch("EXPLAIN (ANALYZE, BUFFERS) " + statement, *values)
        except (asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            return [f"(no plan: {exc})"]
        finally:
            await transaction.rollback()
        lines = []
        for (line,) in rows:
            if scanned := re.search(r"Seq Scan on (\w+)", line):
                # The planner's count (copied with the template) or, for a table
                # filled since, the live rows the statistics collector counted.
                size = await connection.fetchval(
                    "SELECT greatest(c.reltuples::bigint, coalesce(s.n_live_tup, 0)) "
                    "FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid "
                    "WHERE c.relname = $1 AND c.relkind = 'r'",
                    scanned.group(1),
                )
                line += f"   <-- TABLE SCAN ({size or 0:,} rows)"
            lines.append(line)
        return lines
    finally:
        await connection.close()


def explain(url: str, cursor: str | None) -> None:
    """Serve the copy in this process and print the plans of each operation's reads."""
    from asgi_lifespan import LifespanManager

    # The access log would bury the plans.
    logging.disable(logging.INFO)
    recorder = Recorder()
    recorder.install()
    os.environ.update(base_env(url))
    from server.app import create_app

    app = create_app()
    sqlite_path = url.removeprefix("sqlite:///") if url.startswith("sqlite") else None
    seen: set[str] = set()

    def begin(operation: str, n: int) -> None:
        recorder.active = n == 1
        recorder.statements.clear()

    async def end(operation: str, n: int, seconds: float) -> None:
        if not recorder.active:
            return
        await asyncio.sleep(0.05)  # asyncpg hands records to its loggers with call_soon
        recorder.active = False
        print(f"\n=== {operation}: {len(recorder.statements)} statements", flush=True)
        for statement, values in recorder.statements:
            if SKIPPED.match(statement) or shape(statement) in seen:
                continue
            seen.add(shape(statement))
            print(f"\n  {' '.join(statement.split())[:600]}")
            if sqlite_path is not None:
                plan = await asyncio.to_thread(explain_sqlite, sqlite_path, statement)
            else:
                plan = await explain_postgres(url, statement, values)
            print("\n".join("    " + line for line in plan), flush=True)

    async def run() -> None:
        async with LifespanManager(app, startup_timeout=120, shutdown_timeout=60):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://fieldops.test", timeout=300
            ) as http:
                await drive(http, 1, 1, begin, end, cursor)

    asyncio.run(run())


# --- the table -----------------------------------------------------------------------


def report(results: dict[tuple[str, int], dict[str, list[float]]], scales: list[int]) -> None:
    for engine in dict.fromkeys(e for e, _ in results):
        sizes = [s for s in scales if (engine, s) in results]
        print(f"\n{engine}: median / p95 ms, one request at a time")
        print(f"{'operation':38}" + "".join(f"{s:>18,}" for s in sizes) + "   ratio")
        for operation in OPERATIONS:
            cells, medians = "", []
            for size in sizes:
                times = results[(engine, size)].get(operation, [])
                if not times:
                    cells += f"{'':>18}"
                    continue
                medians.append(statistics.median(times) * 1000)
                cells += f"{medians[-1]:>10.1f} / {percentile(times, 95):<5.1f}"
            ratio = f"{medians[-1] / medians[0]:8.2f}" if len(medians) > 1 else ""
            print(f"{operation:38}{cells}{ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="10000,100000,1000000", help="demo sizes")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--postgres", metavar="ADMIN_URL", help="also run on PostgreSQL")
    parser.add_argument("--sqlite", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--requests", type=int, default=100, help="measured, per operation")
    parser.add_argument("--warmup", type=int, default=5, help="unmeasured, per operation")
    parser.add_argument(
        "--explain", action="store_true", help="print the plans at the largest size"
    )
    args = parser.parse_args()
    scales = sorted(int(s) for s in args.scales.split(","))
    results: dict[tuple[str, int], dict[str, list[float]]] = {}
    for scale in scales:
        engines = ["sqlite"] * args.sqlite + ["postgresql"] * bool(args.postgres)
        for engine in engines:
            if engine == "sqlite":
                url = sqlite_database(scale, args.seed, run_name="growth")
            else:
                url = postgres_database(args.postgres, scale, args.seed)
            try:
                print(f"{engine} {scale:,}: load {os.getloadavg()[0]:.2f}", flush=True)
                cursor = None
                if args.requests:
                    results[(engine, scale)], ctx = measure(engine, url, args)
                    assert ctx.full_pull is not None
                    seconds, orders = ctx.full_pull
                    cursor = ctx.cursor
                    print(
                        f"  technician's full pull: {orders:,} orders in {seconds:.2f} s; "
                        f"load {os.getloadavg()[0]:.2f}",
                        flush=True,
                    )
                    report(results, scales)
                if args.explain and scale == scales[-1]:
                    explain(url, cursor)
            finally:
                if engine == "sqlite":
                    drop_sqlite(url)
                else:
                    drop_postgres(args.postgres, url)


if __name__ == "__main__":
    main()
