"""Bulk writes for the demo loader: multi-row INSERTs sized to the engines' limits.

Rows are plain dicts keyed by column name. Building a piccolo ``Table`` instance
per row and compiling piccolo's ``QueryString`` over thousands of arguments cost
four fifths of the load time, so each batch is one INSERT sent on the connection
of the caller's transaction. Values go in as Python objects: piccolo's SQLite
adapters and asyncpg encode them as they do for the ORM; JSON values are encoded
here, as piccolo does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from operator import itemgetter
from typing import Any

import msgspec
from piccolo.columns import JSON, JSONB
from piccolo.engine.base import Engine
from piccolo.table import Table

from server.database import is_sqlite, write_transaction

Row = dict[str, Any]

# SQLite (since 3.32) and asyncpg both refuse more than 32,767 bound parameters.
MAX_PARAMETERS = 32_766
# SQLite's default page cache is 2 MB; index pages of a large load must stay in memory.
BULK_CACHE_KIB = 256 * 1024


def rows_per_statement(table: type[Table]) -> int:
    return max(1, MAX_PARAMETERS // len(table._meta.columns))


def _json(value: Any) -> Any:
    return value if value is None or isinstance(value, str) else msgspec.json.encode(value).decode()


def _placeholders(engine: Engine, rows: int, columns: int) -> str:
    if is_sqlite(engine):
        one = "(" + ",".join("?" * columns) + ")"
        return ",".join([one] * rows)
    numbers = iter(range(1, rows * columns + 1))
    return ",".join(
        "(" + ",".join(f"${next(numbers)}" for _ in range(columns)) + ")" for _ in range(rows)
    )


async def _execute(engine: Engine, sql: str, args: list[Any]) -> None:
    transaction = engine.current_transaction.get()
    if transaction is None:
        raise RuntimeError("insert_rows runs inside a transaction")
    if is_sqlite(engine):
        async with transaction.connection.execute(sql, args):
            pass
    else:
        await transaction.connection.execute(sql, *args)


@asynccontextmanager
async def bulk_transaction(engine: Engine) -> AsyncIterator[None]:
    """A write transaction whose SQLite connection has a large page cache meanwhile.

    The cache goes back to its former size afterwards, so a pooled connection
    does not keep hundreds of megabytes once the load is over.
    """
    async with write_transaction(engine):
        if not is_sqlite(engine):
            yield
            return
        connection = engine.current_transaction.get().connection  # type: ignore[union-attr]
        async with connection.execute("PRAGMA cache_size") as cursor:
            former = (await cursor.fetchone())["cache_size"]
        await _execute(engine, f"PRAGMA cache_size = -{BULK_CACHE_KIB}", [])
        try:
            yield
        finally:
            await _execute(engine, f"PRAGMA cache_size = {int(former)}", [])


async def insert_rows(table: type[Table], rows: Sequence[Row]) -> int:
    """Insert ``rows`` with as few statements as the parameter limit allows.

    The caller holds a transaction. A column missing from the rows takes its
    default; an unknown key is an error.
    """
    if not rows:
        return 0
    columns = table._meta.columns
    names = [column._meta.name for column in columns]
    if unknown := rows[0].keys() - set(names):
        raise ValueError(f"{table._meta.tablename} has no columns {sorted(unknown)}")
    missing = [column for column in columns if column._meta.name not in rows[0]]
    json_positions = [i for i, column in enumerate(columns) if isinstance(column, JSON | JSONB)]
    values_of = itemgetter(*names) if len(names) > 1 else lambda row: (row[names[0]],)
    head = (
        f"INSERT INTO {table._meta.get_formatted_tablename()} ("
        + ",".join(f'"{column._meta.db_column_name}"' for column in columns)
        + ") VALUES "
    )
    engine = table._meta.db
    size = rows_per_statement(table)
    values_sql: dict[int, str] = {}
    for start in range(0, len(rows), size):
        batch = rows[start : start + size]
        args: list[Any] = []
        for row in batch:
            for column in missing:
                row[column._meta.name] = column.get_default_value()
            values = values_of(row)
            if json_positions:
                values = list(values)
                for position in json_positions:
                    values[position] = _json(values[position])
            args.extend(values)
        if len(batch) not in values_sql:
            values_sql[len(batch)] = _placeholders(engine, len(batch), len(columns))
        await _execute(engine, head + values_sql[len(batch)], args)
    return len(rows)
