"""Recurring plans: orders opened ahead within the look-ahead window, each occurrence
once (restarts and retries included), pausing after N, schedule changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import httpx
import pytest

from server.plans.tables import PlanOccurrence, RecurringPlan
from server.scheduler.tables import Job
from server.settings import Settings
from server.workorders.tables import TimelineEvent, WorkOrder
from tests.clock import FakeClock
from tests.probes import assert_error
from tests.scheduling import run_due
from tests.world import World

# The world's clock starts on Monday 2026-11-02 08:00 UTC (16:00 in Shanghai).


async def create_plan(client: httpx.AsyncClient, world: World, **fields: Any) -> dict[str, Any]:
    body = {
        "name": "Weekly boiler check",
        "starts_at": "2026-11-03T09:00:00+08:00",
        "recurrence": {"frequency": "daily"},
        "lookahead_days": 2,
        "due_minutes": 120,
        "order": {
            "title": "Boiler check",
            "priority": "P4",
            "department_id": str(world.departments["north"]),
            "site_id": str(world.sites["central"]),
            "assignee_id": str(world.id("north_tech")),
        },
        **fields,
    }
    answer = await client.post(
        "/api/plans/", json=body, headers=await world.headers("north_manager")
    )
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def opened(plan_id: str) -> list[tuple[datetime, UUID]]:
    rows = (
        await PlanOccurrence.select(PlanOccurrence.occurs_at, PlanOccurrence.order)
        .where(PlanOccurrence.plan == UUID(plan_id))
        .order_by(PlanOccurrence.occurs_at)
    )
    return [(row["occurs_at"], UUID(str(row["order"]))) for row in rows]


async def test_orders_open_ahead_within_the_window(
    client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    plan = await create_plan(client, world)
    assert [u[:16] for u in plan["upcoming"][:3]] == [
        "2026-11-03T01:00",
        "2026-11-04T01:00",
        "2026-11-05T01:00",
    ]
    await run_due(settings, clock)
    # Two days ahead of Monday 08:00 UTC: Tuesday's and Wednesday's occurrences.
    occurrences = await opened(plan["id"])
    assert [o.isoformat() for o, _ in occurrences] == [
        "2026-11-03T01:00:00+00:00",
        "2026-11-04T01:00:00+00:00",
    ]
    order = await WorkOrder.select().where(WorkOrder.id == occurrences[0][1]).first()
    assert order is not None
    assert (order["kind"], order["title"], order["status"]) == (
        "planned",
        "Boiler check",
        "assigned",
    )
    assert order["due_at"] == datetime.fromisoformat("2026-11-03T03:00:00+00:00")
    assert order["created_by"] == world.id("north_manager")
    created = (
        await TimelineEvent.select(TimelineEvent.actor, TimelineEvent.doc)
        .where(TimelineEvent.order == order["id"], TimelineEvent.kind == "created")
        .first()
    )
    assert created is not None
    assert created["actor"] is None
    assert '"actor_name":"System"' in created["doc"]
    # The plan's next job waits for Thursday's occurrence minus two days.
    pending = await Job.select(Job.due_at).where(Job.state == "pending")
    assert [p["due_at"] for p in pending] == [datetime.fromisoformat("2026-11-03T01:00:00+00:00")]
    assert await run_due(settings, clock) == 0
    clock.advance(days=1)
    await run_due(settings, clock)
    assert len(await opened(plan["id"])) == 3
    row = (
        await RecurringPlan.select(RecurringPlan.generated)
        .where(RecurringPlan.id == UUID(plan["id"]))
        .first()
    )
    assert row == {"generated": 3}


async def test_no_occurrence_opens_twice_after_a_restart_or_a_retry(
    client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    plan = await create_plan(client, world)
    await run_due(settings, clock)
    before = await opened(plan["id"])
    # A worker died after opening the orders but before marking its job done: the
    # job runs again, as after a restart.
    await Job.update({Job.state: "pending"}).where(Job.state == "done")
    assert await run_due(settings, clock) == 1
    assert await opened(plan["id"]) == before
    assert await WorkOrder.count() == len(before)


async def test_a_plan_pauses_after_n_occurrences_until_resumed(
    client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    plan = await create_plan(client, world, pause_after=3, lookahead_days=10)
    await run_due(settings, clock)
    assert len(await opened(plan["id"])) == 3
    headers = await world.headers("north_manager")
    state = (await client.get(f"/api/plans/{plan['id']}", headers=headers)).json()
    assert (state["paused"], state["upcoming"]) == (True, [])
    clock.advance(days=20)
    assert await run_due(settings, clock) == 0
    resumed = await client.post(
        f"/api/plans/{plan['id']}/resume", headers=await world.headers("north_manager")
    )
    assert resumed.status_code == 200, resumed.text
    await run_due(settings, clock)
    occurrences = await opened(plan["id"])
    # Three more, from the resume on: nothing from the 17 days it was paused.
    assert len(occurrences) == 6
    assert occurrences[3][0] > clock.now


async def test_a_new_schedule_replaces_the_old_from_now(
    client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    plan = await create_plan(client, world, lookahead_days=0)
    headers = await world.headers("north_manager")
    changed = await client.patch(
        f"/api/plans/{plan['id']}",
        json={"recurrence": {"frequency": "weekly", "weekdays": ["FR"]}},
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["rrule"] == "FREQ=WEEKLY;BYDAY=FR"
    clock.advance(days=8)
    await run_due(settings, clock)
    # The daily timer of the old schedule did nothing; Friday the 6th opened.
    assert [o.isoformat() for o, _ in await opened(plan["id"])] == ["2026-11-06T01:00:00+00:00"]
    headers = await world.headers("north_manager")
    deleted = await client.delete(f"/api/plans/{plan['id']}", headers=headers)
    assert deleted.status_code == 204
    clock.advance(days=7)
    await run_due(settings, clock)
    assert len(await opened(plan["id"])) == 1
    headers = await world.headers("north_manager")
    assert (await client.get(f"/api/plans/{plan['id']}", headers=headers)).status_code == 404


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"recurrence": None, "rrule": None}, 422, "invalid_recurrence"),
        ({"rrule": "FREQ=DAILY"}, 422, "invalid_recurrence"),  # both given
        ({"recurrence": None, "rrule": "FREQ=HOURLY"}, 422, "invalid_recurrence"),
        (
            {"recurrence": None, "rrule": "FREQ=DAILY;COUNT=2", "starts_at": "2026-11-03T09:00:00"},
            400,
            "validation_error",
        ),
        ({"timezone": "Nowhere/Atlantis"}, 422, "invalid_recurrence"),
        (
            {"recurrence": {"frequency": "daily", "count": 2, "until": "2027-01-01"}},
            422,
            "invalid_recurrence",
        ),
        (
            {"recurrence": {"frequency": "yearly", "month": 2, "month_day": 30}},
            422,
            "invalid_recurrence",
        ),
        (
            {"order": {"title": "x", "site_id": "00000000-0000-4000-8000-000000000001"}},
            422,
            "unknown_reference",
        ),
    ],
)
async def test_bad_plans_are_refused(
    client: httpx.AsyncClient, world: World, fields: dict[str, Any], status: int, code: str
) -> None:
    body = {
        "name": "Bad",
        "starts_at": "2026-11-03T09:00:00+08:00",
        "recurrence": {"frequency": "daily"},
        "order": {"title": "Check"},
        **fields,
    }
    answer = await client.post("/api/plans/", json=body, headers=await world.headers("admin"))
    assert_error(answer, status, code)
    assert (await client.get("/api/plans/", headers=await world.headers("admin"))).json()[
        "items"
    ] == []
    assert await Job.count() == 0


async def test_field_staff_do_not_keep_plans(client: httpx.AsyncClient, world: World) -> None:
    answer = await client.get("/api/plans/", headers=await world.headers("north_tech"))
    assert_error(answer, 403, "forbidden")


async def test_a_plan_is_kept_only_by_managers_who_see_its_orders(
    client: httpx.AsyncClient, world: World
) -> None:
    """Another department's plan is not found (404) and not listed, as its orders are
    not; the admin and the department's manager keep it (issue 10)."""
    plan = await create_plan(client, world)
    south = await world.headers("south_manager")
    path = f"/api/plans/{plan['id']}"
    assert_error(await client.get(path, headers=south), 404, "not_found")
    changed = await client.patch(path, json={"name": "Taken over"}, headers=south)
    assert_error(changed, 404, "not_found")
    for action in ("pause", "resume"):
        assert_error(await client.post(f"{path}/{action}", headers=south), 404, "not_found")
    assert_error(await client.delete(path, headers=south), 404, "not_found")
    assert (await client.get("/api/plans/", headers=south)).json()["items"] == []
    for keeper in ("north_manager", "admin"):
        kept = await client.get(path, headers=await world.headers(keeper))
        assert kept.status_code == 200, kept.text
        assert kept.json()["name"] == "Weekly boiler check"
        assert kept.json()["active"] is True


async def test_a_plan_routed_by_its_template_is_kept_by_that_department(
    client: httpx.AsyncClient, world: World
) -> None:
    """The orders take their department from the template: so does the plan's scope."""
    template = await client.post(
        "/api/templates",
        json={
            "name": "Boiler round",
            "kind": "planned",
            "department_id": str(world.departments["north"]),
        },
        headers=await world.headers("admin"),
    )
    assert template.status_code == 201, template.text
    order = {
        "title": "Boiler check",
        "site_id": str(world.sites["central"]),
        "template_id": template.json()["id"],
    }
    plan = await create_plan(client, world, order=order)
    path = f"/api/plans/{plan['id']}"
    south = await world.headers("south_manager")
    assert_error(await client.get(path, headers=south), 404, "not_found")
    assert_error(await client.delete(path, headers=south), 404, "not_found")
    assert (await client.get("/api/plans/", headers=south)).json()["items"] == []
    kept = await client.get(path, headers=await world.headers("north_manager"))
    assert kept.status_code == 200, kept.text
