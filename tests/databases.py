"""Throwaway test databases: a migrated SQLite template copied per test, and one
PostgreSQL database per run that is truncated before each test."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg

from server.migrations import migrate
from server.sqlite_pool import PooledSQLiteEngine

PG_ADMIN_URL = os.environ.get(
    "FIELDOPS_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
KEEP_TABLES = {"migration", "counter"}


async def build_sqlite_template(path: Path) -> None:
    await migrate(PooledSQLiteEngine(str(path)), quiet=True)


def sqlite_copy(template: Path, target: Path) -> str:
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


async def create_pg_database() -> str:
    name = f"fieldops_test_{uuid.uuid4().hex[:10]}"
    try:
        connection = await asyncpg.connect(PG_ADMIN_URL, timeout=10)
    except (OSError, asyncpg.PostgresError) as exc:
        raise RuntimeError(
            f"PostgreSQL is required for the test suite and is not reachable at {PG_ADMIN_URL}: "
            f"{exc}. Run scripts/test, which starts it."
        ) from exc
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    from piccolo.engine.postgres import PostgresEngine

    await migrate(PostgresEngine(config={"dsn": url}), quiet=True)
    return url


async def drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    connection = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


async def reset_pg(url: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        tables = [
            row["tablename"]
            for row in await connection.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            )
            if row["tablename"] not in KEEP_TABLES
        ]
        await connection.execute(
            "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
        )
        await connection.execute("UPDATE counter SET value = 0")
    finally:
        await connection.close()


def run(coroutine):  # type: ignore[no-untyped-def]
    """Run set-up on its own loop in a thread: fixtures may ask for it from a running loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
