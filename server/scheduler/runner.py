"""The scheduler: runs due jobs, each exactly once, in any number of processes.

A batch of due jobs is claimed, run and marked done in one write transaction.
On PostgreSQL the claim locks the jobs' rows and skips rows another worker has
locked (``FOR UPDATE SKIP LOCKED``); on SQLite the write transaction holds the
database's only write lock. Either way a job's effects and its "done" mark
commit together: a worker that dies mid-batch leaves its jobs pending for the
next, and none is ever done twice. The due jobs of one kind run together (one
read of what they share, one write of what they change); if that fails, each runs
alone under a savepoint, and one that raises is rolled back alone and retried with
a growing delay, up to ``MAX_ATTEMPTS``.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

import msgspec

from server.clock import Clock
from server.database import (
    Savepoint,
    execute_many,
    fetch,
    is_sqlite,
    json_column,
    write_transaction,
)
from server.leases import finishing
from server.scheduler.kinds import JobContext, JobKinds, enqueue, tick_row
from server.scheduler.tables import Job
from server.settings import Settings

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BATCH = 100
DUE = "state = 'pending' AND due_at <= {}"
FINISH_SQL = (
    "UPDATE job SET state = {}, attempts = {}, last_error = {}, finished_at = {} WHERE id = {}"
)
RETRY_SQL = "UPDATE job SET attempts = {}, last_error = {}, due_at = {} WHERE id = {}"


def retry_delay(attempt: int) -> timedelta:
    """30 s after the first failure, doubling, at most an hour."""
    return timedelta(seconds=min(30 * 2 ** (attempt - 1), 3600))


class Scheduler:
    def __init__(
        self, kinds: JobKinds, settings: Settings, clock: Clock, batch: int = BATCH
    ) -> None:
        self.kinds = kinds
        self.settings = settings
        self.clock = clock
        self.batch = batch
        self.engine = Job._meta.db

    async def run_due(self) -> int:
        """Run every job due now (as the clock tells); the number run."""
        total = 0
        # Until nothing is due: jobs may schedule others due at once (a warning its breach).
        while ran := await self._run_batch():
            total += ran
        return total

    async def start_periodic(self) -> None:
        """Schedule each periodic kind's job of the current interval (due now)."""
        now = self.clock()
        rows = [tick_row(kind, now, now) for kind in self.kinds.periodic()]
        if rows:
            async with write_transaction(self.engine):
                await enqueue(rows)

    async def run_forever(self) -> None:
        """Poll for due jobs until cancelled; a failing poll is logged and retried."""
        try:
            await self.start_periodic()
        except Exception:
            log.exception("could not schedule the periodic jobs; they start with the next run")
        while True:
            try:
                # One batch at a time: stopping, the worker finishes the batch it claimed.
                ran = await finishing(self._run_batch())
            except Exception:
                log.exception("the scheduler's poll failed; retrying")
                ran = 0
            if not ran:
                await asyncio.sleep(self.settings.scheduler_poll_seconds)

    async def _run_batch(self) -> int:
        now = self.clock()
        sqlite = is_sqlite(self.engine)
        # A cheap look first: claiming takes the writers' lock, which an idle poll
        # every second should not.
        if not await fetch(self.engine, f"SELECT id FROM job WHERE {DUE} LIMIT 1", [now]):
            return 0
        async with write_transaction(self.engine):
            lock = "" if sqlite else " FOR UPDATE SKIP LOCKED"
            jobs = await fetch(
                self.engine,
                f"SELECT id, kind, payload, attempts FROM job WHERE {DUE} "
                f"ORDER BY due_at LIMIT {{}}{lock}",
                [now, self.batch],
            )
            finished: list[tuple[Any, ...]] = []
            by_kind: dict[str, list[dict[str, Any]]] = {}
            for job in jobs:
                by_kind.setdefault(job["kind"], []).append(job)
            for group in by_kind.values():
                finished += await self._run_group(group, now)
            if finished:
                await execute_many(self.engine, FINISH_SQL, finished)
        return len(jobs)

    async def _run_group(self, jobs: list[dict[str, Any]], now: Any) -> list[tuple[Any, ...]]:
        """Run jobs of one kind together; if that fails, each alone, so that only the
        failing ones are rolled back and retried. Returns their finishing rows."""
        attempts = [int(job["attempts"]) + 1 for job in jobs]
        savepoint = Savepoint(self.engine, "jobs")
        if len(jobs) > 1:
            await savepoint.begin()
            try:
                await self._run(jobs, max(attempts))
            except Exception:
                await savepoint.rollback()
            else:
                await savepoint.release()
                return [
                    ("done", a, "", now, job["id"]) for job, a in zip(jobs, attempts, strict=True)
                ]
        finished: list[tuple[Any, ...]] = []
        for job, attempt in zip(jobs, attempts, strict=True):
            await savepoint.begin()
            try:
                await self._run([job], attempt)
            except Exception as exc:
                await savepoint.rollback()
                finished += await self._failed(job, attempt, exc, now)
            else:
                await savepoint.release()
                finished.append(("done", attempt, "", now, job["id"]))
        return finished

    async def _run(self, jobs: list[dict[str, Any]], attempt: int) -> None:
        kind = self.kinds.get(jobs[0]["kind"])
        if kind is None:
            raise LookupError(f"no job kind {jobs[0]['kind']!r} in this server version")
        payloads = [
            msgspec.convert(json_column(job["payload"]), kind.payload, strict=False) for job in jobs
        ]
        context = JobContext(clock=self.clock, settings=self.settings, attempt=attempt)
        await kind.run(context, payloads)
        if kind.every is not None:
            now = self.clock()
            await enqueue([tick_row(kind, now + kind.every, now)])

    async def _failed(
        self, job: dict[str, Any], attempt: int, error: Exception, now: Any
    ) -> list[tuple[Any, ...]]:
        message = f"{type(error).__name__}: {error}"[:2000]
        if attempt >= MAX_ATTEMPTS:
            log.error("job %s (%s) failed for good: %s", job["id"], job["kind"], message)
            return [("failed", attempt, message, now, job["id"])]
        log.warning("job %s (%s) failed, will retry: %s", job["id"], job["kind"], message)
        await execute_many(
            self.engine, RETRY_SQL, [(attempt, message, now + retry_delay(attempt), job["id"])]
        )
        return []
