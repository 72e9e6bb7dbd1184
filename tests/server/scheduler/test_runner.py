"""The job scheduler: due jobs run once, in the transaction that marks them done;
failures roll back alone and retry with a growing delay."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import msgspec

from server.accounts.tables import Department
from server.database import execute_many, insert_sql, write_transaction
from server.ids import new_id
from server.scheduler.kinds import ON_KEY_TAKEN, JobContext, JobKind, JobKinds, job_row
from server.scheduler.retention import purge_finished
from server.scheduler.runner import MAX_ATTEMPTS, Scheduler, retry_delay
from server.scheduler.tables import Job
from server.settings import Settings
from tests.clock import FakeClock


class Named(msgspec.Struct):
    name: str
    fail: bool = False


async def make_departments(context: JobContext, payloads: list[Named]) -> None:
    """Jobs with a visible effect, written before one (maybe) fails."""
    for payload in payloads:
        await Department.insert(Department(id=new_id(), name=payload.name))
        if payload.fail:
            raise RuntimeError(f"{payload.name} fails on attempt {context.attempt}")


KINDS = JobKinds([JobKind("test.department", Named, make_departments)])


async def schedule(clock: FakeClock, key: str, minutes: float = 0, **payload: Any) -> None:
    due = clock.now + timedelta(minutes=minutes)
    row = job_row("test.department", key, due, Named(**payload), clock.now)
    await Job.insert(Job(**row))


async def names() -> list[str]:
    return sorted(row["name"] for row in await Department.select(Department.name))


async def test_a_due_job_runs_once_and_a_later_one_waits(
    client: httpx.AsyncClient, settings: Settings, clock: FakeClock
) -> None:
    scheduler = Scheduler(KINDS, settings, clock)
    await schedule(clock, "now", name="now")
    await schedule(clock, "later", minutes=10, name="later")
    assert await scheduler.run_due() == 1
    assert await scheduler.run_due() == 0
    assert await names() == ["now"]
    clock.advance(minutes=10)
    assert await scheduler.run_due() == 1
    assert await names() == ["later", "now"]
    done = await Job.select(Job.state, Job.attempts, Job.finished_at)
    assert [(j["state"], j["attempts"]) for j in done] == [("done", 1), ("done", 1)]


async def test_the_same_key_schedules_one_job(
    client: httpx.AsyncClient, settings: Settings, clock: FakeClock
) -> None:
    rows = [job_row("test.department", "once", clock.now, Named("a"), clock.now)] * 2
    async with write_transaction(Job._meta.db):
        statement = insert_sql(Job, tuple(rows[0]), ON_KEY_TAKEN)
        await execute_many(Job._meta.db, statement, [tuple(r.values()) for r in rows])
    assert await Job.count() == 1


async def test_a_failing_job_leaves_no_trace_and_is_retried_until_it_gives_up(
    client: httpx.AsyncClient, settings: Settings, clock: FakeClock
) -> None:
    scheduler = Scheduler(KINDS, settings, clock)
    await schedule(clock, "bad", name="bad", fail=True)
    await schedule(clock, "good", name="good")
    assert await scheduler.run_due() == 2
    assert await names() == ["good"]  # the failure's own write rolled back, alone
    job = await Job.select().where(Job.key == "bad").first()
    assert job is not None
    assert job["state"] == "pending"
    assert job["attempts"] == 1
    assert "fails on attempt 1" in job["last_error"]
    assert job["due_at"] == clock.now + retry_delay(1)
    for attempt in range(2, MAX_ATTEMPTS + 1):
        assert await scheduler.run_due() == 0  # not before its delay
        clock.advance(seconds=retry_delay(attempt - 1).total_seconds())
        assert await scheduler.run_due() == 1
    job = await Job.select().where(Job.key == "bad").first()
    assert job is not None
    assert (job["state"], job["attempts"]) == ("failed", MAX_ATTEMPTS)
    assert f"fails on attempt {MAX_ATTEMPTS}" in job["last_error"]
    clock.advance(days=1)
    assert await scheduler.run_due() == 0
    assert await names() == ["good"]


async def test_a_job_this_version_does_not_know_is_kept_and_retried(
    client: httpx.AsyncClient, settings: Settings, clock: FakeClock
) -> None:
    row = job_row("from.the.future", "future", clock.now, {"x": 1}, clock.now)
    await Job.insert(Job(**row))
    assert await Scheduler(KINDS, settings, clock).run_due() == 1
    job = await Job.select().where(Job.key == "future").first()
    assert job is not None
    assert job["state"] == "pending"
    assert "no job kind 'from.the.future'" in job["last_error"]


async def test_finished_jobs_are_forgotten_after_the_window(
    client: httpx.AsyncClient, settings: Settings, clock: FakeClock
) -> None:
    await schedule(clock, "old", name="old")
    await schedule(clock, "bad", name="bad", fail=True)
    await Scheduler(KINDS, settings, clock).run_due()
    clock.advance(days=1)
    await schedule(clock, "new", name="new")
    await Scheduler(KINDS, settings, clock).run_due()
    assert await purge_finished(clock.now - timedelta(hours=1)) == 1  # "old"; "bad" is pending
    assert sorted(j["key"] for j in await Job.select(Job.key)) == ["bad", "new"]


async def test_a_backlog_larger_than_a_batch_runs_in_one_call(
    client: httpx.AsyncClient, settings: Settings, clock: FakeClock
) -> None:
    for n in range(250):
        await schedule(clock, f"job-{n}", minutes=-n, name=f"d{n:03d}")
    assert await Scheduler(KINDS, settings, clock, batch=100).run_due() == 250
    assert len(await names()) == 250
    assert await Job.count().where(Job.state == "done") == 250
