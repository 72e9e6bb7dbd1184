"""Stock never goes below zero under concurrent use, on SQLite and PostgreSQL:
of two transactions taking the last units at the same time, exactly one succeeds."""

from __future__ import annotations

import asyncio
import itertools
import re
import sqlite3
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest

from server.costs.ledger import TAKE_SQL
from server.costs.tables import StockMovement
from server.settings import Settings
from tests.server.costs.stock import add_part, add_store, quantity, receive, use
from tests.server.workorders.orders import put_order
from tests.sync.device import Device
from tests.world import World


async def test_two_requests_for_the_last_units_one_succeeds(
    client: httpx.AsyncClient, world: World
) -> None:
    part = await add_part(client, world, "FLT-1")
    van = await add_store(client, world, "Van 1", kind="van", owner="north_tech")
    first = await put_order(world, "in_progress", assignee="north_tech", team="north")
    second = await put_order(world, "in_progress", assignee="north_tech", team="north")
    await receive(client, world, part, van, 2)
    answers = await asyncio.gather(
        use(client, world, "north_tech", first, part, van, 2),
        use(client, world, "north_tech", second, part, van, 2),
    )
    assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]
    refused = next(a for a in answers if a.status_code == 409).json()
    assert (refused["code"], refused["details"]["available"]) == ("insufficient_stock", 0)
    assert await quantity(client, world, van, part) == 0
    assert await StockMovement.count().where(StockMovement.kind == "use") == 1


async def test_many_requests_and_a_phone_take_exactly_what_there_is(
    client: httpx.AsyncClient, world: World
) -> None:
    part = await add_part(client, world, "FLT-2")
    van = await add_store(client, world, "Van 1", kind="van", owner="north_tech")
    order = await put_order(world, "in_progress", assignee="north_tech", team="north")
    await receive(client, world, part, van, 5)
    phone = Device(client, world, "north_tech")
    phone.make("use_part", order_id=order, id=uuid4(), part_id=part, store_id=van, quantity=1)
    calls = [use(client, world, "north_tech", order, part, van, 1) for _ in range(9)]
    answers = await asyncio.gather(phone.push_raw(), *calls)
    pushed = answers[0].json()["results"][0]
    taken = sum(a.status_code == 201 for a in answers[1:]) + (pushed["outcome"] == "applied")
    assert taken == 5
    assert all(a.status_code in (201, 409) for a in answers[1:])
    assert await quantity(client, world, van, part) == 0
    assert await StockMovement.count().where(StockMovement.kind == "use") == 5


def _numbered(sql: str) -> str:
    numbers = itertools.count(1)
    return re.sub(r"\{\}", lambda _: f"${next(numbers)}", sql)


async def _postgres_race(url: str, args: list[Any]) -> tuple[int, int]:
    """Two connections run the take at once: the second waits on the first's row
    lock, then finds the condition false on the row the first committed."""
    first, second = await asyncpg.connect(url), await asyncpg.connect(url)
    try:
        one = first.transaction()
        await one.start()
        taken = await first.fetch(_numbered(TAKE_SQL), *args)
        two = second.transaction()
        await two.start()
        racing = asyncio.create_task(second.fetch(_numbered(TAKE_SQL), *args))
        pid = second.get_server_pid()
        for _ in range(500):  # until the second waits on the lock (at most ~5 s)
            waiting = await first.fetchval(
                "SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1", pid
            )
            if waiting == "Lock":
                break
            await asyncio.sleep(0.01)
        assert waiting == "Lock"
        assert not racing.done()
        await one.commit()
        lost = await racing
        await two.commit()
        return len(taken), len(lost)
    finally:
        await first.close()
        await second.close()


def _sqlite_race(path: str, args: list[Any]) -> tuple[int, int]:
    """Two connections, each in an IMMEDIATE transaction as the app's writers are:
    the second begins only once the first committed, and takes nothing."""
    plain = [str(a) if isinstance(a, UUID | datetime) else a for a in args]
    sql = TAKE_SQL.replace("{}", "?")
    first = sqlite3.connect(path, isolation_level=None, timeout=30)
    second = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        first.execute("BEGIN IMMEDIATE")
        taken = first.execute(sql, plain).fetchall()
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            second.execute("BEGIN IMMEDIATE")  # the first holds the write lock
        first.execute("COMMIT")
        second.execute("BEGIN IMMEDIATE")
        lost = second.execute(sql, plain).fetchall()
        second.execute("COMMIT")
        return len(taken), len(lost)
    finally:
        first.close()
        second.close()


async def test_two_transactions_at_once_cannot_both_take_the_last_units(
    client: httpx.AsyncClient, world: World, settings: Settings, engine_name: str
) -> None:
    part = await add_part(client, world, "FLT-3")
    van = await add_store(client, world, "Van 1", kind="van", owner="north_tech")
    await receive(client, world, part, van, 3)
    now = datetime(2026, 11, 2, 9, tzinfo=UTC)
    args = [3, now, 1, UUID(van), UUID(part), 3]
    if engine_name == "postgres":
        outcome = await _postgres_race(settings.database_url, args)
    else:
        outcome = await asyncio.to_thread(_sqlite_race, str(settings.sqlite_path), args)
    assert outcome == (1, 0)
    assert await quantity(client, world, van, part) == 0
