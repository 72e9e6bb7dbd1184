"""Running due jobs from a test, at the test clock's time."""

from __future__ import annotations

from server.scheduler.catalogue import JOB_KINDS
from server.scheduler.runner import Scheduler
from server.settings import Settings
from tests.clock import FakeClock


async def run_due(settings: Settings, clock: FakeClock) -> int:
    """Run what is due now, as a server process's scheduler would; the number run."""
    return await Scheduler(JOB_KINDS, settings, clock).run_due()


async def run_periodic(settings: Settings, clock: FakeClock) -> None:
    """What a running server does each interval: the periodic jobs, then what is due."""
    scheduler = Scheduler(JOB_KINDS, settings, clock)
    await scheduler.start_periodic()
    await scheduler.run_due()
