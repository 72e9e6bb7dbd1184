"""Forgetting finished jobs.

A done job's key kept a second scheduling of the same thing from running again;
after the retention window nothing schedules those keys any more (timers are
keyed by due times, plans by occurrence, sweeps by hour).
"""

from __future__ import annotations

from datetime import datetime

from server.scheduler.tables import Job


async def purge_finished(before: datetime) -> int:
    """Delete jobs that finished (done or failed for good) before ``before``; how many."""
    rows = (
        await Job.delete()
        .where(Job.state.is_in(["done", "failed"]), Job.finished_at < before)
        .returning(Job.id)
    )
    return len(rows)
