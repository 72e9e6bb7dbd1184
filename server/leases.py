"""Outboxes that several processes share through leases (Web Push, messages, webhooks).

A round claims due rows in a short write transaction: it reads them (on PostgreSQL
locking them, skipping rows another process holds) and stamps each with a lease.
The work happens outside any transaction; its result is recorded only while the
lease is still the one stamped, so a round that outlived its lease leaves the rows
to whoever took them over. A crash only delays the rows until the lease ends.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from piccolo.engine.base import Engine

from server.database import execute_many, fetch, is_sqlite, one_of_ids

log = logging.getLogger(__name__)
T = TypeVar("T")

BATCH = 100
# Longer than a batch can take, so no other process claims a batch still being sent.
LEASE = timedelta(minutes=10)


async def stamp(engine: Engine, table: str, ids: list[Any], lease: datetime) -> None:
    """Give these rows of ``table`` the lease (inside the claiming transaction)."""
    condition, bound = one_of_ids(is_sqlite(engine), "id", ids)
    await execute_many(
        engine, f"UPDATE {table} SET lease_until = {{}} WHERE {condition}", [(lease, bound)]
    )


async def claim(
    engine: Engine, table: str, alias: str, select: str, args: list[Any], lease: datetime
) -> list[dict[str, Any]]:
    """Read up to BATCH due rows with ``select`` (``alias`` names ``table`` in it) and
    lease them, in the caller's write transaction."""
    lock = "" if is_sqlite(engine) else f" FOR UPDATE OF {alias} SKIP LOCKED"
    rows = await fetch(engine, f"{select}LIMIT {BATCH}{lock}", args)
    if rows:
        await stamp(engine, table, [row["id"] for row in rows], lease)
    return rows


async def poll_forever(
    run_due: Callable[[], Awaitable[int]], idle_seconds: float, name: str
) -> None:
    """Run rounds back to back while they find work; sleep between idle ones."""
    while True:
        try:
            handled = await finishing(run_due())
        except Exception:
            log.exception("the %s's round failed; retrying", name)
            handled = 0
        if not handled:
            await asyncio.sleep(idle_seconds)


async def finishing(work: Awaitable[T]) -> T:
    """Await one round of work; cancelled meanwhile (the process is stopping), let the
    round finish first. Cut short, a round leaves what it sent unrecorded and its rows
    leased for LEASE, so a restart would delay them and send some twice. Cancelled
    again while waiting, it gives up at once."""
    task = asyncio.ensure_future(work)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        try:
            await task
        except Exception:
            log.exception("the last round before stopping failed")
        raise
