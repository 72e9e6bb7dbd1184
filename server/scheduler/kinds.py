"""The kinds of job the scheduler knows, and how callers schedule one.

A feature that needs something done later declares a ``JobKind`` (a name, the
Struct its payload decodes into, and the coroutine that does it) and lists it in
``server/scheduler/catalogue.py``. Scheduling writes a job row in the caller's own
transaction, so the job exists exactly when the change that asked for it commits.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from server.clock import Clock
from server.database import execute_many, insert_sql
from server.ids import new_id
from server.scheduler.tables import Job
from server.settings import Settings

ON_KEY_TAKEN = 'ON CONFLICT ("key") DO NOTHING'


@dataclass(frozen=True)
class JobContext:
    clock: Clock
    settings: Settings
    # 1 on the first run, more on retries of jobs that failed (the most among them).
    attempt: int


@dataclass(frozen=True)
class JobKind:
    name: str
    payload: type[Any]
    # Runs due jobs of this kind (their payloads), inside the claiming write
    # transaction: raising rolls back its writes, and the jobs run again one by one.
    run: Callable[[JobContext, list[Any]], Awaitable[None]]
    # A sweep that repeats: it runs at start-up and then once per this interval.
    every: timedelta | None = None


class JobKinds:
    def __init__(self, kinds: Iterable[JobKind]) -> None:
        self._kinds: dict[str, JobKind] = {}
        for kind in kinds:
            if kind.name in self._kinds:
                raise ValueError(f"job kind {kind.name!r} is registered twice")
            self._kinds[kind.name] = kind

    def get(self, name: str) -> JobKind | None:
        return self._kinds.get(name)

    def periodic(self) -> list[JobKind]:
        return [kind for kind in self._kinds.values() if kind.every is not None]


class Tick(msgspec.Struct):
    """The payload of a periodic job: nothing but its time."""


def tick_row(kind: JobKind, at: datetime, now: datetime) -> dict[str, Any]:
    """The periodic job of the interval holding ``at``; every process that asks for
    it gets the same one."""
    assert kind.every is not None
    step = kind.every.total_seconds()
    slot = datetime.fromtimestamp(at.timestamp() // step * step, UTC)
    return job_row(kind.name, f"{kind.name}@{slot.isoformat()}", slot, Tick(), now)


def job_row(kind: str, key: str, due_at: datetime, payload: Any, now: datetime) -> dict[str, Any]:
    """A pending job's columns, to insert with ``ON_KEY_TAKEN``."""
    return {
        "id": new_id(),
        "kind": kind,
        "key": key,
        "payload": msgspec.json.encode(payload).decode(),
        "due_at": due_at,
        "state": "pending",
        "attempts": 0,
        "last_error": "",
        "created_at": now,
    }


async def enqueue(rows: Iterable[dict[str, Any]]) -> None:
    """Schedule jobs (``job_row``s) in the caller's write transaction."""
    rows = list(rows)
    if rows:
        statement = insert_sql(Job, tuple(rows[0]), ON_KEY_TAKEN)
        await execute_many(Job._meta.db, statement, [tuple(row.values()) for row in rows])
