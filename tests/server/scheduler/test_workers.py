"""Two `fieldops worker` processes on one PostgreSQL database, racing for a burst of
due SLA timers: every timer fires once, none twice, none is missed."""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from server.notifications.tables import Notification
from server.scheduler.tables import Job
from server.settings import Settings
from server.sla.tables import SlaBreach
from server.workorders.tables import TimelineEvent
from tests.server.sla.rules import add_rule
from tests.servers import worker
from tests.world import World

ORDERS = 150
# Each order's response and resolution clocks each have a warning and a breach timer.
TIMERS = ORDERS * 4


async def due_now() -> int:
    return await Job.count().where(Job.state == "pending", Job.due_at <= datetime.now(UTC))


@pytest.mark.parametrize("engine_name", ["postgres"], indirect=True)
async def test_two_workers_fire_each_timer_once(
    client: httpx.AsyncClient, world: World, settings: Settings, tmp_path: Path
) -> None:
    # No alarms: the burst is the warnings and breaches alone.
    await add_rule(client, world, alarm_every_minutes=0)
    headers = await world.headers("north_manager")
    logs = [tmp_path / f"worker{n}.log" for n in range(2)]
    workers = [worker(settings, log) for log in logs]
    try:
        for _ in range(300):  # a minute at most for both to start
            if all("running due jobs" in log.read_text() for log in logs):
                break
            await asyncio.sleep(0.2)
        # Each order commits with its four timers due at once: the test clock stands
        # weeks before the workers' real one. They race for them as they come.
        for n in range(ORDERS):
            answer = await client.post(
                "/api/work-orders/",
                json={"title": f"Burst {n}", "department_id": str(world.departments["north"])},
                headers=headers,
            )
            assert answer.status_code == 201, answer.text
        for _ in range(900):  # three minutes at most
            if not await due_now():
                break
            await asyncio.sleep(0.2)
    finally:
        for process in workers:
            process.send_signal(signal.SIGTERM)
        codes = [process.wait(timeout=30) for process in workers]
    texts = [log.read_text() for log in logs]
    assert codes == [0, 0], texts
    assert await due_now() == 0, texts
    # (Each worker also ran the maintenance sweep of the hour: one of them did.)
    assert await Job.count().where(Job.state == "done", Job.kind == "sla.timer") == TIMERS
    twice = await Job.count().where(Job.kind == "sla.timer", Job.attempts != 1)
    assert twice == 0, "a timer ran more than once"
    for kind, expected in (("sla_warning", 2 * ORDERS), ("sla_breach", 2 * ORDERS)):
        assert await TimelineEvent.count().where(TimelineEvent.kind == kind) == expected
    assert await SlaBreach.count() == 2 * ORDERS
    # One warning and one breach notice per clock per order, to the department's manager.
    assert (
        await Notification.count().where(Notification.user == world.id("north_manager")) == TIMERS
    )
