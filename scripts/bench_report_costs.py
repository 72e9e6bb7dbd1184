#!/usr/bin/env python3
"""Benchmark the costs in the reports (a benchmark, not a test).

    .venv/bin/python scripts/bench_report_costs.py                    # SQLite, 200,000 orders
    .venv/bin/python scripts/bench_report_costs.py --postgres postgresql://postgres@127.0.0.1/postgres

On a copy of the demo at ``--scale`` orders (cached like bench_reports'), it books
costs on every order: two labour entries (one in ten without a start time), two
part uses (one in ten partly returned) and an expense, from the order's creation
to a few days later, each ledger's rows in the order they were recorded. Then,
for the last ``--days`` days and the days before, it times the department and
asset reports' statements (the department report also without its costs), the
department report's costs branch alone and the technician report's labour
statement, the latter two reading the ledgers by their time indexes and reading
them whole (SQLite: ``NOT INDEXED``; PostgreSQL: the indexes dropped in a
transaction rolled back afterwards): the median and the fastest of ``--runs``
runs, in milliseconds, in this process.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg

# piccolo's SQLite adapters: UUIDs and times written as the app writes them.
import piccolo.engine.sqlite  # noqa: F401
from benchlib import drop_postgres, postgres_database, sqlite_database
from piccolo.querystring import QueryString

from server.reports import dimensions, technicians
from server.reports.period import period_of
from server.sql import Sql

# The ledgers' indexes on the time their rows count at.
INDEXES = ("stock_movement_at", "labour_entry_worked_at", "expense_created_at")
COSTS = "departments report's costs branch"
LABOUR = "technicians' labour statement"
LABOUR_COLUMNS = (
    'id, "order", technician, started_at, ended_at, minutes, hourly_cents, rate_source, '
    "cost_cents, note, created_by, created_at"
)
MOVEMENT = (
    'id, kind, part, from_store, to_store, quantity, unit_cost_cents, "order", returns, '
    "override, reason, actor, at"
)
EXPENSE = 'id, "order", category, amount_cents, note, created_by, created_at'


def cost_rows(
    orders: list[tuple[Any, ...]], admin: Any, store: Any, part: Any, seed: int
) -> dict[str, list[tuple[Any, ...]]]:
    """Labour entries, ledger lines and expenses of the orders (id, creation, assignee),
    each table's rows in the order they were recorded, as the app appends them."""
    rng = random.Random(seed)
    rows: dict[str, list[tuple[Any, ...]]] = {"labour": [], "movements": [], "expenses": []}
    for order, created, assignee in orders:
        worker = assignee or admin
        for _ in range(2):
            start = created + timedelta(minutes=rng.randint(10, 4 * 24 * 60))
            minutes = rng.randint(15, 240)
            started = None if rng.random() < 0.1 else start
            logged = start + timedelta(minutes=minutes + rng.randint(0, 600))
            rows["labour"].append(
                (uuid.uuid4(), order, worker, started, None, minutes, 6000, "default",
                 minutes * 100, "", admin, logged)
            )  # fmt: skip
        for _ in range(2):
            use = uuid.uuid4()
            at = created + timedelta(minutes=rng.randint(10, 4 * 24 * 60))
            quantity, cost = rng.randint(1, 5), rng.randint(50, 20000)
            rows["movements"].append(
                (use, "use", part, store, None, quantity, cost, order, None, False, "", worker, at)
            )
            if rng.random() < 0.1:
                back = at + timedelta(hours=rng.randint(1, 48))
                rows["movements"].append(
                    (uuid.uuid4(), "return", part, None, store, 1, cost, order, use, False, "",
                     worker, back)
                )  # fmt: skip
        at = created + timedelta(minutes=rng.randint(10, 4 * 24 * 60))
        rows["expenses"].append(
            (uuid.uuid4(), order, "travel", rng.randint(100, 10000), "", worker, at)
        )
    # The time each was recorded: the last column.
    return {key: sorted(found, key=lambda row: row[-1]) for key, found in rows.items()}


def fill_sqlite(path: str, seed: int) -> None:
    connection = sqlite3.connect(path)
    admin = connection.execute("SELECT id FROM app_user WHERE role = 'admin' LIMIT 1").fetchone()[0]
    store, part, now = uuid.uuid4(), uuid.uuid4(), datetime.now(UTC)
    connection.execute(
        "INSERT INTO part (id, code, name, unit_cost_cents, created_at, updated_at) "
        "VALUES (?, ?, 'Bench part', 100, ?, ?)",
        (part, f"BENCH-{part.hex[:6]}", now, now),
    )
    connection.execute(
        "INSERT INTO store (id, name, kind, created_at) VALUES (?, ?, 'warehouse', ?)",
        (store, f"Bench store {store.hex[:6]}", now),
    )
    orders = [
        (order, datetime.fromisoformat(created), assignee)
        for order, created, assignee in connection.execute(
            "SELECT id, created_at, assignee FROM work_order"
        )
    ]
    rows = cost_rows(orders, admin, store, part, seed)
    for table, columns, key in (
        ("labour_entry", LABOUR_COLUMNS, "labour"),
        ("stock_movement", MOVEMENT, "movements"),
        ("expense", EXPENSE, "expenses"),
    ):
        marks = ", ".join("?" for _ in columns.split(", "))
        connection.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows[key])
    connection.commit()
    connection.execute("ANALYZE")
    connection.close()


async def fill_postgres(url: str, seed: int) -> None:
    connection = await asyncpg.connect(url)
    try:
        admin = await connection.fetchval("SELECT id FROM app_user WHERE role = 'admin' LIMIT 1")
        store, part, now = uuid.uuid4(), uuid.uuid4(), datetime.now(UTC)
        await connection.execute(
            "INSERT INTO part (id, code, name, unit, unit_cost_cents, low_stock_threshold, "
            "active, created_at, updated_at, sync_seq) "
            "VALUES ($1, $2, 'Bench part', 'pcs', 100, 0, true, $3, $3, 0)",
            part,
            f"BENCH-{part.hex[:6]}",
            now,
        )
        await connection.execute(
            "INSERT INTO store (id, name, kind, active, created_at, sync_seq) "
            "VALUES ($1, $2, 'warehouse', true, $3, 0)",
            store,
            f"Bench store {store.hex[:6]}",
            now,
        )
        orders = [
            tuple(row)
            for row in await connection.fetch("SELECT id, created_at, assignee FROM work_order")
        ]
        rows = cost_rows(orders, admin, store, part, seed)
        for table, columns, key in (
            ("labour_entry", LABOUR_COLUMNS, "labour"),
            ("stock_movement", MOVEMENT, "movements"),
            ("expense", EXPENSE, "expenses"),
        ):
            names = [name.strip('"') for name in columns.split(", ")]
            await connection.copy_records_to_table(table, records=rows[key], columns=names)
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


def _statement(sqlite: bool, name: str, parts: list[Sql]) -> Sql:
    head, tail = dimensions._outer(sqlite, name)
    return Sql(
        head + " UNION ALL ".join(part.text for part in parts) + tail,
        *(arg for part in parts for arg in part.args),
    )


def statements(sqlite: bool, days: int) -> dict[str, Sql]:
    """What is timed, by name: the two reports (the department report also without
    its costs), the department report's costs branch alone and the technicians'
    labour statement."""
    last = date.today()
    period = period_of(last - timedelta(days=days - 1), last, "Asia/Shanghai", datetime.now(UTC))
    previous, now, scope = period.before(), datetime.now(UTC), Sql()
    found: dict[str, Sql] = {}
    for name in ("departments", "assets"):
        parts = dimensions.branches_of(sqlite, name, scope, period, previous, now)
        found[f"{name} report"] = _statement(sqlite, name, parts)
    parts = dimensions.branches_of(sqlite, "departments", scope, period, previous, now)
    costs = [part for part in parts if "FROM labour_entry " in part.text]
    others = [part for part in parts if part not in costs]
    found["departments report without costs"] = _statement(sqlite, "departments", others)
    found[COSTS] = costs[0]
    bounds = [period.start, previous.start, period.end]
    found[LABOUR] = Sql(technicians.LABOUR_SQL.replace("{scope}", ""), *bounds)
    return found


def _whole_ledgers(text: str) -> str:
    """SQLite's statement reading the ledgers whole (NOT INDEXED) instead of by index."""
    for index in INDEXES:
        text = text.replace(f"INDEXED BY {index}", "NOT INDEXED")
    return text.replace("FROM labour_entry l\n", "FROM labour_entry l NOT INDEXED\n")


async def timed(run: Callable[[], Awaitable[Any]], runs: int) -> str:
    """The median and the fastest of ``runs`` runs, in milliseconds."""
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        await run()
        times.append((time.perf_counter() - began) * 1000)
    return f"{statistics.median(times):6.0f} ({min(times):5.0f}) ms"


async def time_sqlite(path: str, days: int, runs: int) -> None:
    connection = sqlite3.connect(path)
    for name, statement in statements(True, days).items():
        text, args = QueryString(statement.text, *statement.args).compile_string("sqlite")

        async def run(text: str = text, args: Any = args) -> None:
            connection.execute(text, args).fetchall()

        line = f"  sqlite      {name:36} {await timed(run, runs)}"
        if name in (COSTS, LABOUR):
            whole = _whole_ledgers(text)
            line += f"   ledgers read whole {await timed(lambda t=whole: run(t), runs)}"
        print(line, flush=True)
    connection.close()


async def time_postgres(url: str, days: int, runs: int) -> None:
    connection = await asyncpg.connect(url)
    try:
        for name, statement in statements(False, days).items():
            text, args = QueryString(statement.text, *statement.args).compile_string("postgres")

            async def run(text: str = text, args: Any = args) -> None:
                await connection.fetch(text, *args)

            line = f"  postgresql  {name:36} {await timed(run, runs)}"
            if name in (COSTS, LABOUR):
                # Without the indexes: dropped in a transaction that is rolled back.
                transaction = connection.transaction()
                await transaction.start()
                await connection.execute(f"DROP INDEX {', '.join(INDEXES)}")
                line += f"   ledgers read whole {await timed(run, runs)}"
                await transaction.rollback()
            print(line, flush=True)
    finally:
        await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--days", type=int, default=30, help="the reports' period")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgres", help="admin URL of a PostgreSQL server to compare")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    args = parser.parse_args()
    print(f"{args.scale:,} demo orders with their costs, the last {args.days} days")
    if not args.no_sqlite:
        path = sqlite_database(args.scale, args.seed).removeprefix("sqlite:///")
        began = time.perf_counter()
        fill_sqlite(path, args.seed)
        print(f"  sqlite      costs booked in {time.perf_counter() - began:.0f} s")
        asyncio.run(time_sqlite(path, args.days, args.runs))
    if args.postgres:
        url = postgres_database(args.postgres, args.scale, args.seed)
        try:
            began = time.perf_counter()
            asyncio.run(fill_postgres(url, args.seed))
            print(f"  postgresql  costs booked in {time.perf_counter() - began:.0f} s")
            asyncio.run(time_postgres(url, args.days, args.runs))
        finally:
            drop_postgres(args.postgres, url)


if __name__ == "__main__":
    main()
