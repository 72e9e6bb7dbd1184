"""Engine construction, table binding and the write-transaction helper.

The same services run on SQLite and PostgreSQL; the differences between the two
engines are confined to this module.
"""

from __future__ import annotations

import functools
import itertools
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import msgspec
from piccolo.columns import Array, Column
from piccolo.columns.combination import WhereRaw
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.query.methods.select import Select
from piccolo.querystring import QueryString
from piccolo.table import Table

from server.live import collecting
from server.settings import Settings
from server.sqlite_pool import PooledSQLiteEngine


class DatabaseUnavailable(Exception):
    """The database cannot be reached or opened at start-up."""


def create_engine(settings: Settings) -> Engine:
    if settings.is_sqlite:
        return PooledSQLiteEngine(
            str(settings.sqlite_path),
            pool_size=settings.db_pool_size,
            readers=settings.db_readers,
        )
    return PostgresEngine(config={"dsn": settings.database_url})


def bind(engine: Engine, tables: Iterable[type[Table]]) -> None:
    """Point every table at ``engine``; piccolo would otherwise bind them on first use."""
    for table in tables:
        table._meta.db = engine


async def open_pool(engine: Engine, size: int) -> None:
    try:
        if isinstance(engine, SQLiteEngine):
            Path(engine.path).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(engine, PostgresEngine):
            await engine.start_connection_pool(min_size=1, max_size=size)
        else:
            await engine.start_connection_pool()
        await engine.run_ddl("SELECT 1")
    except (OSError, asyncpg.PostgresError, sqlite3.Error) as exc:
        raise DatabaseUnavailable(f"cannot open the database: {exc}") from exc


async def close_pool(engine: Engine) -> None:
    await engine.close_connection_pool()


async def fetch(engine: Engine, text: str, args: list[Any]) -> list[dict[str, Any]]:
    """Rows of a hand-written read (``{}`` placeholders), for ``msgspec.convert(...,
    strict=False)``: UUIDs and times may arrive as text (SQLite) or typed (PostgreSQL)."""
    query = QueryString(text, *args)
    # Inside a transaction the read must see its uncommitted writes (a sync push
    # applies a batch in one transaction): use the transaction's own connection.
    if isinstance(engine, PooledSQLiteEngine) and engine.current_transaction.get() is None:
        sql, params = query.compile_string(engine_type="sqlite")
        return await engine.fetch_plain(sql, params)
    return [dict(row) for row in await engine.run_querystring(query)]


async def execute_many(engine: Engine, sql: str, rows: list[tuple[Any, ...]]) -> None:
    """One statement (``{}`` placeholders) run once per row, in the current write
    transaction: SQLite's and asyncpg's executemany, with none of piccolo's
    per-query building, which cost more than the writes of a sync push."""
    transaction = engine.current_transaction.get()
    if transaction is None:
        raise RuntimeError("execute_many runs inside write_transaction")
    if is_sqlite(engine):
        # On the event loop's thread, as every statement of a transaction (sqlite_pool).
        transaction.connection._conn.executemany(sql.replace("{}", "?"), rows)
        return
    numbers = itertools.count(1)
    text = re.sub(r"\{\}", lambda _: f"${next(numbers)}", sql)
    await transaction.connection.executemany(text, rows)


def json_column(value: Any) -> Any:
    """A JSON column's value: text on SQLite, decoded already on PostgreSQL."""
    return msgspec.json.decode(value) if isinstance(value, str | bytes) else value


@functools.cache
def insert_sql(table: type[Table], columns: tuple[str, ...], suffix: str = "") -> str:
    """An INSERT of one row of ``columns`` (``{}`` placeholders), for execute_many;
    ``suffix``: an ON CONFLICT clause."""
    names = ", ".join(f'"{column}"' for column in columns)
    placeholders = ", ".join("{}" for _ in columns)
    text = f'INSERT INTO "{table._meta.tablename}" ({names}) VALUES ({placeholders}) {suffix}'
    return text.rstrip()


# The SQL text helpers below take ``sqlite`` (is_sqlite(engine)) so callers can
# build a statement once per engine kind and cache it.


def row_lock_sql(sqlite: bool) -> str:
    """The suffix of a hand-written select that locks its rows (see :func:`for_update`)."""
    return "" if sqlite else " FOR UPDATE"


def json_array_agg_sql(sqlite: bool, expression: str) -> str:
    """Aggregate JSON documents (built, or stored as text) into one JSON array, in
    the order rows arrive: bytes on SQLite, text on PostgreSQL."""
    # Joined as text: json_group_array(json(...)) parsed every document again, a
    # third of a full sync pull's time. As a blob, SQLite hands over the bytes
    # without decoding megabytes of UTF-8 that are only sent on.
    if sqlite:
        return f"CAST('[' || coalesce(group_concat({expression}, ','), '') || ']' AS BLOB)"
    return f"'[' || coalesce(string_agg(({expression})::text, ','), '') || ']'"


def is_sqlite(engine: Engine) -> bool:
    return isinstance(engine, SQLiteEngine)


@asynccontextmanager
async def write_transaction(engine: Engine) -> AsyncIterator[Any]:
    """A transaction for read-then-write units; what it changed is announced to the
    live map once it commits (server/live.py)."""
    async with collecting(), _write_transaction(engine) as txn:
        yield txn


@asynccontextmanager
async def _write_transaction(engine: Engine) -> AsyncIterator[Any]:
    """A transaction for read-then-write units.

    SQLite takes the write lock at BEGIN (IMMEDIATE) so two writers queue on the
    busy timeout instead of failing with "database is locked"; PostgreSQL callers
    lock the rows they read with :func:`for_update`.
    """
    if isinstance(engine, PooledSQLiteEngine) and engine.current_transaction.get() is None:
        # Writers of this process queue here rather than on SQLite's busy handler,
        # which sleeps in steps of up to 100 ms and leaves the lock idle meanwhile
        # (sync pushes ran at a third of the speed). Other processes still queue on
        # the busy timeout.
        async with (
            engine.write_lock,
            engine.transaction(transaction_type=TransactionType.immediate) as txn,
        ):
            yield txn
    elif isinstance(engine, SQLiteEngine):
        async with engine.transaction(transaction_type=TransactionType.immediate) as txn:
            yield txn
    else:
        async with engine.transaction() as txn:
            # Every writer takes the sync sequence's row lock first. A change draws
            # its sequence value under that lock and holds it to commit (see
            # server/workorders/changes.py); taken later, after some order's row
            # lock, two writers could each hold what the other waits for.
            await engine.run_querystring(
                QueryString("SELECT value FROM counter WHERE name = 'sync' FOR UPDATE")
            )
            yield txn


def for_update(query: Select) -> Select:
    """Lock the selected rows until commit where the engine supports row locks."""
    if is_sqlite(query.table._meta.db):
        return query
    return query.lock_rows()


def like_any(sqlite: bool, expressions: list[str], text: str) -> tuple[str, list[str]]:
    """SQL matching ``text`` as a case-insensitive substring of any of ``expressions``.

    Returns the condition with ``{}`` placeholders and its arguments; ``%`` and ``_``
    in the text match themselves, not any character. SQLite's lower() folds ASCII
    only, so SQLite connections carry ``fold`` (Python's str.lower) for Ö and the like.
    """
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    lower = "fold" if sqlite else "lower"
    sql = " OR ".join(f"{lower}({expression}) LIKE {{}} ESCAPE '\\'" for expression in expressions)
    return f"({sql})", [f"%{escaped}%"] * len(expressions)


def contains(columns: tuple[Column, ...], text: str) -> WhereRaw:
    """``like_any`` over piccolo columns."""
    sql, args = like_any(
        is_sqlite(columns[0]._meta.table._meta.db),
        [
            f'"{column._meta.table._meta.tablename}"."{column._meta.db_column_name}"'
            for column in columns
        ],
        text,
    )
    return WhereRaw(sql, *args)


def list_agg(sqlite: bool, expression: str) -> str:
    """SQL aggregating ``expression`` into one comma-separated text."""
    if sqlite:
        return f"group_concat({expression})"
    return f"string_agg(CAST({expression} AS TEXT), ',')"


def one_of_ids(sqlite: bool, column: str, ids: list[Any]) -> tuple[str, Any]:
    """``column IN ids`` with the ids as one bound value, whatever their number: a
    thousand separate parameters cost more to bind than the query takes."""
    if sqlite:
        return f"{column} IN (SELECT value FROM json_each({{}}))", msgspec.json.encode(
            [str(i) for i in ids]
        ).decode()
    return f"{column} = ANY({{}}::uuid[])", [UUID(str(i)) for i in ids]


def array_has(column: Array, value: str) -> Any:
    """Rows whose array ``column`` holds ``value`` (SQLite keeps arrays as JSON text)."""
    table = column._meta.table
    if is_sqlite(table._meta.db):
        return WhereRaw(
            f'EXISTS (SELECT 1 FROM json_each("{table._meta.tablename}".'
            f'"{column._meta.db_column_name}") WHERE json_each.value = {{}})',
            value,
        )
    return column.any(value)


class Savepoint:
    """A savepoint in the current write transaction, its statements sent like any
    other (on SQLite, on the event loop's thread: see sqlite_pool)."""

    def __init__(self, engine: Engine, name: str) -> None:
        self.engine = engine
        self.name = name

    async def _run(self, statement: str) -> None:
        await self.engine.run_querystring(QueryString(f"{statement} {self.name}"))

    async def begin(self) -> None:
        await self._run("SAVEPOINT")

    async def rollback(self) -> None:
        await self._run("ROLLBACK TO SAVEPOINT")
        await self._run("RELEASE SAVEPOINT")

    async def release(self) -> None:
        await self._run("RELEASE SAVEPOINT")
