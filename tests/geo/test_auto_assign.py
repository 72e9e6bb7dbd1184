"""Auto-assign mode: a department's new orders of chosen priorities go to the best
on-duty candidate within the scheduler's next poll, or the dispatchers hear why not."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import httpx
from geopy.distance import geodesic

from server.settings import Settings
from server.workorders.tables import TimelineEvent, WorkOrder
from tests.clock import FakeClock
from tests.geo.people import stand
from tests.probes import assert_error
from tests.scheduling import run_due
from tests.sync.device import Device
from tests.world import World

SITE = (31.23, 121.47)


async def stand_at(world: World, name: str, km: float, clock: FakeClock, on_duty: bool) -> None:
    point = geodesic(kilometers=km).destination(SITE, bearing=45)
    await stand(world, name, (point.latitude, point.longitude), clock.now, on_duty)


async def set_mode(
    client: httpx.AsyncClient, world: World, priorities: list[str], caller: str = "north_manager"
) -> httpx.Response:
    return await client.put(
        f"/api/dispatch/auto-assign/{world.departments['north']}",
        json={"priorities": priorities},
        headers=await world.headers(caller),
    )


async def create(client: httpx.AsyncClient, world: World, priority: str, **fields: Any) -> UUID:
    body = {
        "title": f"{priority} leak",
        "priority": priority,
        "department_id": str(world.departments["north"]),
        "site_id": str(world.sites["central"]),
        **fields,
    }
    answer = await client.post(
        "/api/work-orders/", json=body, headers=await world.headers("north_manager")
    )
    assert answer.status_code == 201, answer.text
    return UUID(answer.json()["id"])


async def assignee(order_id: UUID) -> Any:
    row = await WorkOrder.select(WorkOrder.assignee).where(WorkOrder.id == order_id).first()
    assert row is not None
    return row["assignee"]


async def test_chosen_priorities_go_to_the_best_on_duty_candidate(
    client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    await stand_at(world, "north_tech", 12, clock, on_duty=True)
    await stand_at(world, "north_tech2", 2, clock, on_duty=True)
    await stand_at(world, "north_inspector", 0.1, clock, on_duty=True)  # not a technician
    answer = await set_mode(client, world, ["P1", "P2", "P1"])
    assert answer.json() == {
        "department_id": str(world.departments["north"]),
        "priorities": ["P1", "P2"],
    }
    urgent = await create(client, world, "P1")
    usual = await create(client, world, "P3")
    await run_due(settings, clock)
    assert await assignee(urgent) == world.id("north_tech2")  # the nearer of the two
    assert await assignee(usual) is None
    event = (
        await TimelineEvent.select(TimelineEvent.kind, TimelineEvent.note, TimelineEvent.actor)
        .where(TimelineEvent.order == urgent, TimelineEvent.kind == "assigned")
        .first()
    )
    assert event is not None
    assert event["actor"] is None  # the system
    assert event["note"].startswith("auto-assigned (P1): score ")
    assert "km from the site" in event["note"]
    # Raising the waiting order to P2 calls for it too; lowering nothing does.
    raised = await client.patch(
        f"/api/work-orders/{usual}",
        json={"priority": "P2"},
        headers=await world.headers("north_manager"),
    )
    assert raised.status_code == 200, raised.text
    await run_due(settings, clock)
    assert await assignee(usual) is not None


async def test_offline_orders_are_auto_assigned_too_and_the_mode_can_be_off(
    client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    await stand_at(world, "north_tech", 1, clock, on_duty=True)
    await set_mode(client, world, ["P1"])
    phone = Device(client, world, "north_manager")
    made = uuid4()
    phone.make(
        "create_order",
        id=made,
        title="Burst pipe",
        priority="P1",
        department_id=world.departments["north"],
        site_id=world.sites["central"],
    )
    assert [r["outcome"] for r in (await phone.push())["results"]] == ["applied"]
    await run_due(settings, clock)
    assert await assignee(made) == world.id("north_tech")
    assert (await set_mode(client, world, [])).json()["priorities"] == []
    later = await create(client, world, "P1")
    await run_due(settings, clock)
    assert await assignee(later) is None


async def test_nobody_on_duty_tells_the_dispatchers(
    client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    await stand_at(world, "north_tech", 1, clock, on_duty=False)
    await set_mode(client, world, ["P1"])
    order = await create(client, world, "P1")
    await run_due(settings, clock)
    assert await assignee(order) is None
    notices = (
        await client.get("/api/notifications", headers=await world.headers("north_manager"))
    ).json()["items"]
    assert [n["kind"] for n in notices] == ["auto_assign_failed"]
    assert notices[0]["order_id"] == str(order)


async def test_who_sets_the_mode(client: httpx.AsyncClient, world: World) -> None:
    assert_error(await set_mode(client, world, ["P1"], caller="south_manager"), 403, "forbidden")
    assert_error(await set_mode(client, world, ["P1"], caller="north_tech"), 403, "forbidden")
    assert_error(await set_mode(client, world, ["P9"]), 400, "validation_error")
    assert (await set_mode(client, world, ["P5"], caller="admin")).status_code == 200
    found = await client.get(
        f"/api/dispatch/auto-assign/{world.departments['north']}",
        headers=await world.headers("north_manager"),
    )
    assert found.json()["priorities"] == ["P5"]


async def test_unknown_department_is_not_found(client: httpx.AsyncClient, world: World) -> None:
    # Found by tests/server/test_api_conformance.py: an admin naming no department got 409.
    answer = await client.put(
        f"/api/dispatch/auto-assign/{uuid4()}",
        json={"priorities": ["P1"]},
        headers=await world.headers("admin"),
    )
    assert_error(answer, 404, "not_found")
