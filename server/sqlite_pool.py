"""A SQLite engine that reuses a few open connections instead of one per query.

piccolo's SQLiteEngine opens a new aiosqlite connection (and thread) for every
query, which caps a trivial read at a few hundred requests per second. This
engine keeps a small pool; transactions borrow a connection and hand it back
when piccolo "closes" it.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import aiosqlite
from piccolo.engine.sqlite import SQLiteEngine, dict_factory

from server.sqlite_checkpoint import BACKSTOP_PAGES, Checkpointer

BUSY_TIMEOUT_SECONDS = 30.0


def fold(value: str | None) -> str | None:
    """Unicode-aware lower(), for case-insensitive search (SQLite's folds ASCII only)."""
    return value.lower() if isinstance(value, str) else value


def _prepare(connection: sqlite3.Connection) -> None:
    connection.row_factory = dict_factory
    connection.create_function("fold", 1, fold, deterministic=True)


class PooledConnection:
    """Delegates to an aiosqlite connection; ``close`` returns it to the pool."""

    def __init__(self, connection: aiosqlite.Connection, pool: asyncio.Queue[Any]) -> None:
        self._connection = connection
        self._pool = pool

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    async def close(self) -> None:
        if self._connection.in_transaction:
            await self._connection.rollback()
        self._pool.put_nowait(self._connection)


class PooledSQLiteEngine(SQLiteEngine):
    def __init__(self, path: str, pool_size: int = 4, readers: int = 2) -> None:
        # Statements of a transaction run on the event loop's thread (see
        # _run_in_existing_connection), the rest on aiosqlite's.
        super().__init__(path=path, timeout=BUSY_TIMEOUT_SECONDS, check_same_thread=False)
        self.pool_size = pool_size
        self.readers = readers
        self.write_lock = asyncio.Lock()
        self._pool: asyncio.Queue[aiosqlite.Connection] | None = None
        # Readers for hand-written queries: plain sqlite3 connections, one per thread,
        # without piccolo's per-value Python converters (msgspec parses the text
        # values in C instead: 50 orders cost 1.4 ms through the converters, 0.2 ms
        # without), and one thread hop per query where aiosqlite makes three. Few of
        # them: each finished read takes the GIL back from the event loop, and on 2
        # cores the technician's list page served 930 req/s with 8 readers, 1,500
        # with 2 and 1,600 with 1 (which would queue every read behind a slow one).
        self._readers: ThreadPoolExecutor | None = None
        self._local = threading.local()
        self._reader_connections: list[sqlite3.Connection] = []
        self._all: list[aiosqlite.Connection] = []
        self._checkpointer: Checkpointer | None = None

    async def _open(self) -> aiosqlite.Connection:
        connection = await aiosqlite.connect(**self.connection_kwargs)
        connection.row_factory = dict_factory  # type: ignore[assignment]
        await connection.create_function("fold", 1, fold, deterministic=True)
        # WAL lives in the file; the others are per connection, so set them here.
        await connection.execute("PRAGMA journal_mode = WAL")
        await connection.execute("PRAGMA synchronous = NORMAL")
        await connection.execute("PRAGMA foreign_keys = 1")
        await connection.execute(f"PRAGMA wal_autocheckpoint = {BACKSTOP_PAGES}")
        return connection

    async def start_connection_pool(self, **_: Any) -> None:
        self._pool = asyncio.Queue()
        for _index in range(self.pool_size):
            connection = await self._open()
            self._all.append(connection)
            self._pool.put_nowait(connection)
        self._readers = ThreadPoolExecutor(self.readers, thread_name_prefix="sqlite-read")
        self._checkpointer = Checkpointer(self.path)
        self._checkpointer.start()

    async def close_connection_pool(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None
        for connection in self._all:
            await connection.close()
        self._all.clear()
        self._pool = None
        if self._readers is not None:
            self._readers.shutdown()
            self._readers = None
        for reader in self._reader_connections:
            reader.close()
        self._reader_connections.clear()

    def _read(self, query: str, args: list[Any]) -> list[dict[str, Any]]:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_SECONDS, check_same_thread=False
            )
            _prepare(connection)
            self._local.connection = connection
            self._reader_connections.append(connection)
        return connection.execute(query, args).fetchall()

    async def fetch_plain(self, query: str, args: list[Any]) -> list[dict[str, Any]]:
        """Rows of a read with SQLite's own values (text for UUIDs and times)."""
        if self._readers is None:
            return await asyncio.to_thread(self._read_once, query, args)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._readers, self._read, query, args)

    def _read_once(self, query: str, args: list[Any]) -> list[dict[str, Any]]:
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS)
        _prepare(connection)
        try:
            return connection.execute(query, args).fetchall()
        finally:
            connection.close()

    async def get_connection(self) -> Any:
        if self._pool is None:
            return await super().get_connection()
        return PooledConnection(await self._pool.get(), self._pool)

    async def _run_in_new_connection(
        self,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        if self._pool is None:
            return await super()._run_in_new_connection(query, args, query_type, table)
        connection = await self._pool.get()
        try:
            async with connection.execute(query, args or []) as cursor:
                return await cursor.fetchall()
        except sqlite3.Error:
            if connection.in_transaction:
                await connection.rollback()
            raise
        finally:
            self._pool.put_nowait(connection)

    async def _run_in_existing_connection(
        self,
        connection: Any,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        """A statement inside a transaction, run right here on the event loop.

        Our transactions are IMMEDIATE (server.database.write_transaction): this
        task already holds SQLite's write lock, so the statement cannot wait for
        another writer and takes microseconds. Through aiosqlite it cost three
        thread hops (piccolo also sends a PRAGMA before each statement), each a
        fight for the GIL with the busy event loop: sync pushes ran at a few
        hundred mutations per second.
        """
        cursor = connection._conn.execute(query, args or [])
        try:
            return cursor.fetchall()
        finally:
            cursor.close()
