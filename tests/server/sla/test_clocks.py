"""SLA clocks of orders: due times from the matching rule and calendar, pauses, and
the timers that warn, mark breaches, raise alarms and finally suspend, driven by
the test clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import httpx

from server.notifications.tables import Notification
from server.scheduler.tables import Job
from server.settings import Settings
from server.sla.tables import SlaBreach
from server.workorders.tables import TimelineEvent
from tests.clock import FakeClock
from tests.scheduling import run_due
from tests.server.sla.rules import add_rule, retail_group
from tests.world import World


def at(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


async def create(
    client: httpx.AsyncClient, world: World, caller: str = "north_manager", **fields: Any
) -> dict[str, Any]:
    body = {
        "title": "Chiller down",
        "priority": "P3",
        "department_id": str(world.departments["north"]),
        **fields,
    }
    answer = await client.post("/api/work-orders/", json=body, headers=await world.headers(caller))
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def get(client: httpx.AsyncClient, world: World, order_id: str) -> dict[str, Any]:
    answer = await client.get(f"/api/work-orders/{order_id}", headers=await world.headers("admin"))
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def act(
    client: httpx.AsyncClient,
    world: World,
    order_id: str,
    action: str,
    caller: str = "north_manager",
) -> dict[str, Any]:
    answer = await client.post(
        f"/api/work-orders/{order_id}/transitions",
        json={
            "action": action,
            "reason": "parts" if action in ("suspend", "cancel", "reopen") else "",
        },
        headers=await world.headers(caller),
    )
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def sla_events(client: httpx.AsyncClient, world: World, order_id: str) -> list[str]:
    """The order's SLA steps, read from the database (tokens expire as the clock runs)."""
    rows = (
        await TimelineEvent.select(TimelineEvent.kind)
        .where(TimelineEvent.order == UUID(order_id), TimelineEvent.kind.like("sla_%"))
        .order_by(TimelineEvent.version)
    )
    return [row["kind"] for row in rows]


async def notices(world: World, user: str, kind: str) -> int:
    return await Notification.count().where(
        Notification.user == world.id(user), Notification.kind == kind
    )


async def test_an_order_without_a_matching_rule_has_no_due_times(
    client: httpx.AsyncClient, world: World
) -> None:
    order = await create(client, world)
    assert order["response_due_at"] is None
    assert order["resolution_due_at"] is None
    assert await Job.count() == 0


async def test_planned_work_keeps_its_own_due_date(client: httpx.AsyncClient, world: World) -> None:
    await add_rule(client, world)
    for kind in ("planned", "preventive", "inspection", "project"):
        order = await create(client, world, kind=kind, due_at="2026-12-01T00:00:00Z")
        assert (order["response_due_at"], order["resolution_due_at"]) == (None, None)
        assert order["due_at"] == "2026-12-01T00:00:00Z"
    assert await Job.count() == 0


async def test_due_times_come_from_the_most_specific_rule(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    await add_rule(client, world)  # the global default
    await add_rule(
        client,
        world,
        response=(5, 10, 20, 40, 80),
        resolution=(60, 120, 240, 480, 960),
        customer_group_id=str(await retail_group(world)),
    )
    plain = await create(client, world)
    retail = await create(client, world, customer_id=str(world.customers["acme"]))
    assert at(plain["response_due_at"]) == clock.now + timedelta(minutes=60)
    assert at(plain["resolution_due_at"]) == clock.now + timedelta(minutes=480)
    assert at(retail["response_due_at"]) == clock.now + timedelta(minutes=20)
    assert at(retail["resolution_due_at"]) == clock.now + timedelta(minutes=240)
    # A new priority re-evaluates the targets from the order's creation.
    clock.advance(minutes=10)
    answer = await client.patch(
        f"/api/work-orders/{plain['id']}",
        json={"priority": "P1"},
        headers=await world.headers("north_manager"),
    )
    assert answer.status_code == 200, answer.text
    created = at(plain["created_at"])
    assert created is not None
    assert at(answer.json()["response_due_at"]) == created + timedelta(minutes=15)
    assert at(answer.json()["resolution_due_at"]) == created + timedelta(minutes=120)


async def test_due_times_count_only_the_customer_groups_working_hours(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    group = await retail_group(world)
    office = [["09:00", "12:00"], ["13:00", "18:00"]]
    answer = await client.put(
        f"/api/sla/calendars/{group}",
        json={
            "timezone": "Asia/Shanghai",
            "week": [office] * 5 + [[], []],
            "holidays": ["2026-11-30"],
        },
        headers=await world.headers("admin"),
    )
    assert answer.status_code == 200, answer.text
    await add_rule(client, world)
    shanghai = ZoneInfo("Asia/Shanghai")
    clock.now = datetime(2026, 11, 27, 17, tzinfo=shanghai)  # a Friday, an hour before closing
    order = await create(client, world, customer_id=str(world.customers["acme"]))
    # Response P3 = 60 min: Friday's last hour. Resolution 480 min: one hour on
    # Friday, Monday is a holiday, then seven hours of Tuesday (lunch skipped).
    assert at(order["response_due_at"]) == datetime(2026, 11, 27, 18, tzinfo=shanghai)
    assert at(order["resolution_due_at"]) == datetime(2026, 12, 1, 17, tzinfo=shanghai)


async def test_suspension_pauses_the_resolution_clock(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    await add_rule(client, world)
    order = await create(client, world, assignee_id=str(world.id("north_tech")))
    due = at(order["resolution_due_at"])
    assert due is not None
    for action in ("accept", "start_travel", "arrive", "start_work"):
        await act(client, world, order["id"], action, "north_tech")
    clock.advance(minutes=60)
    suspended = await act(client, world, order["id"], "suspend", "north_tech")
    assert at(suspended["sla_paused_at"]) == clock.now
    clock.advance(minutes=120)
    resumed = await act(client, world, order["id"], "resume", "north_tech")
    assert resumed["sla_paused_at"] is None
    assert at(resumed["resolution_due_at"]) == due + timedelta(minutes=120)
    # The response clock stopped at the first response and does not move.
    assert resumed["response_due_at"] == order["response_due_at"]


async def test_a_rule_may_keep_the_clock_running_while_suspended(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    await add_rule(client, world, pause_when_suspended=False)
    order = await create(client, world, assignee_id=str(world.id("north_tech")))
    for action in ("accept", "start_travel", "arrive", "start_work", "suspend"):
        await act(client, world, order["id"], action, "north_tech")
    clock.advance(minutes=120)
    resumed = await act(client, world, order["id"], "resume", "north_tech")
    assert resumed["resolution_due_at"] == order["resolution_due_at"]


async def test_warning_breach_alarms_and_automatic_suspension(
    client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    # P3: respond in 60 min, resolve in 120; alarms every 30 min; suspend after the 5th.
    await add_rule(
        client,
        world,
        response=(15, 30, 60, 60, 60),
        resolution=(60, 60, 120, 240, 480),
        alarm_every_minutes=30,
    )
    order = await create(client, world, assignee_id=str(world.id("north_tech")))
    order_id = order["id"]
    await act(client, world, order_id, "accept", "north_tech")  # the response, in time
    start = clock.now

    clock.now = start + timedelta(minutes=89)
    await run_due(settings, clock)
    assert await sla_events(client, world, order_id) == []
    clock.now = start + timedelta(minutes=90)  # 75% of 120 minutes
    assert await run_due(settings, clock) == 1
    assert await sla_events(client, world, order_id) == ["sla_warning"]
    assert await notices(world, "north_tech", "sla_warning") == 1
    assert await notices(world, "north_manager", "sla_warning") == 1
    assert await notices(world, "south_manager", "sla_warning") == 0

    clock.now = start + timedelta(minutes=120)
    await run_due(settings, clock)
    breached = await get(client, world, order_id)
    assert at(breached["resolution_breached_at"]) == clock.now
    assert breached["response_breached_at"] is None  # the response came in time
    assert await SlaBreach.count().where(SlaBreach.clock == "resolution") == 1
    assert await notices(world, "north_manager", "sla_breach") == 1

    for alarm in range(1, 6):
        clock.now = start + timedelta(minutes=120 + 30 * alarm)
        await run_due(settings, clock)
        assert (await get(client, world, order_id))["alarm_count"] == alarm
    final = await get(client, world, order_id)
    assert final["status"] == "suspended"
    assert "5 alarms" in final["status_reason"]
    assert await sla_events(client, world, order_id) == [
        "sla_warning",
        "sla_breach",
        *["sla_alarm"] * 5,
        "sla_escalated",
    ]
    # The control centre (every manager, none chosen) hears of it.
    assert await notices(world, "south_manager", "sla_escalated") == 1
    assert await notices(world, "north_tech", "sla_alarm") == 5

    # Suspended, the clock stands still: no more alarms, however long.
    clock.now = start + timedelta(hours=10)
    assert await run_due(settings, clock) == 0
    assert (await get(client, world, order_id))["alarm_count"] == 5
    # Resuming goes back to where the suspension found the order.
    resumed = await act(client, world, order_id, "resume")
    assert resumed["status"] == "accepted"


async def test_a_missed_response_is_a_breach_and_a_timely_one_is_not(
    client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    await add_rule(client, world)
    late = await create(client, world, assignee_id=str(world.id("north_tech")))
    timely = await create(client, world, assignee_id=str(world.id("north_tech")))
    clock.advance(minutes=30)
    await act(client, world, timely["id"], "accept", "north_tech")
    clock.advance(minutes=31)
    await run_due(settings, clock)
    assert (await get(client, world, timely["id"]))["response_breached_at"] is None
    missed = await get(client, world, late["id"])
    assert at(missed["response_breached_at"]) == clock.now
    breaches = await client.get("/api/sla/breaches", headers=await world.headers("north_manager"))
    assert [(b["order_id"], b["clock"]) for b in breaches.json()["items"]] == [
        (late["id"], "response")
    ]
    assert (
        breaches.json()["items"][0]["ended_at"],
        breaches.json()["items"][0]["overdue_seconds"],
    ) == (None, 60)
    clock.advance(minutes=10)
    await act(client, world, late["id"], "accept", "north_tech")
    clock.advance(minutes=10)
    ended = await client.get("/api/sla/breaches", headers=await world.headers("north_manager"))
    assert ended.json()["items"][0]["overdue_seconds"] == 11 * 60  # late until the response
    other = await client.get("/api/sla/breaches", headers=await world.headers("south_manager"))
    assert other.json()["items"] == []


async def test_each_timer_fires_once_and_a_moved_due_time_leaves_the_old_timer_idle(
    client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    await add_rule(client, world, alarm_every_minutes=0)
    order = await create(client, world, priority="P1", assignee_id=str(world.id("north_tech")))
    await act(client, world, order["id"], "accept", "north_tech")  # the response clock stops
    answer = await client.patch(
        f"/api/work-orders/{order['id']}",
        json={"priority": "P4"},
        headers=await world.headers("north_manager"),
    )
    assert answer.status_code == 200
    clock.advance(minutes=121)
    # P1's warnings run and do nothing (nor schedule their breaches): the response one
    # (at 11 min) finds the response given, the resolution one (at 90 min) its due
    # time moved.
    assert await run_due(settings, clock) == 2
    assert await sla_events(client, world, order["id"]) == []
    assert await run_due(settings, clock) == 0
    assert await Job.count().where(Job.state == "pending") == 1  # P4's warning, at 1080 min
    clock.advance(days=1)
    assert await run_due(settings, clock) == 2  # the warning, then the breach it scheduled
    assert await sla_events(client, world, order["id"]) == ["sla_warning", "sla_breach"]
    assert await Job.count().where(Job.state != "done") == 0
    clock.advance(hours=1)
    assert await run_due(settings, clock) == 0


async def test_resolving_stops_the_clock_and_reopening_restarts_it(
    client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    await add_rule(client, world)
    order = await create(client, world, assignee_id=str(world.id("north_tech")))
    for action in ("accept", "start_travel", "arrive", "start_work", "resolve"):
        await act(client, world, order["id"], action, "north_tech")
    clock.advance(hours=10)
    await run_due(settings, clock)
    assert await sla_events(client, world, order["id"]) == []
    reopened = await act(client, world, order["id"], "reopen")
    assert at(reopened["resolution_due_at"]) == at(order["resolution_due_at"]) + timedelta(hours=10)  # type: ignore[operator]
    owner = UUID(reopened["assignee_id"])
    assert owner == world.id("north_tech")
