"""Batch dispatch over the API: a department's waiting orders placed at once, beating
greedy assignment in arrival order, under skill, role, duty and load limits."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import httpx
from geopy.distance import geodesic

from server.masterdata.tables import ServiceItem, Site
from server.workorders.tables import TimelineEvent, WorkOrder
from tests.clock import FakeClock
from tests.geo.people import place, stand
from tests.probes import assert_error
from tests.server.workorders.orders import put_order
from tests.world import World

XUJIAHUI = (31.1955, 121.4368)
PEARL_TOWER = (31.2397, 121.4998)
XINTIANDI = (31.2193, 121.4753)
SHANGHAI_TOWER = (31.2335, 121.5055)


async def site(point: tuple[float, float]) -> UUID:
    row = Site(id=uuid4(), name=f"site {point}", latitude=point[0], longitude=point[1])
    await row.save()
    return UUID(str(row.id))


async def dispatch(
    client: httpx.AsyncClient, world: World, caller: str = "north_manager", **body: Any
) -> httpx.Response:
    return await client.post(
        "/api/dispatch/batch",
        json={"department_id": str(world.departments["north"]), **body},
        headers=await world.headers(caller),
    )


async def test_batch_dispatch_beats_greedy_and_assigns(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    await stand(world, "north_tech", XUJIAHUI, clock.now)
    await stand(world, "north_tech2", PEARL_TOWER, clock.now)
    # Arrival order matters to greedy: Xintiandi first, a little nearer the tower.
    first = await put_order(world, "new", site=await site(XINTIANDI))
    clock.advance(minutes=1)
    second = await put_order(world, "new", site=await site(SHANGHAI_TOWER))
    planned = await dispatch(client, world, max_open_orders=1, dry_run=True)
    assert planned.status_code == 201, planned.text
    plan = planned.json()
    expected = geodesic(XUJIAHUI, XINTIANDI).m + geodesic(PEARL_TOWER, SHANGHAI_TOWER).m
    greedy = geodesic(PEARL_TOWER, XINTIANDI).m + geodesic(XUJIAHUI, SHANGHAI_TOWER).m
    assert plan["total_distance_m"] == round(expected, 1)
    assert plan["greedy"] == {"placed": 2, "total_distance_m": round(greedy, 1)}
    assert plan["greedy"]["total_distance_m"] > 2 * plan["total_distance_m"]
    assert {(p["order_id"], p["name"]) for p in plan["placements"]} == {
        (str(first), "North Tech"),
        (str(second), "North Tech2"),
    }
    assert plan["applied"] is False
    assert await WorkOrder.count().where(WorkOrder.assignee.is_not_null()) == 0
    done = (await dispatch(client, world, max_open_orders=1)).json()
    assert done["applied"] is True
    rows = await WorkOrder.select(WorkOrder.id, WorkOrder.assignee, WorkOrder.status)
    assert {(r["id"], r["assignee"], r["status"]) for r in rows} == {
        (first, world.id("north_tech"), "assigned"),
        (second, world.id("north_tech2"), "assigned"),
    }
    event = (
        await TimelineEvent.select(TimelineEvent.kind, TimelineEvent.note)
        .where(TimelineEvent.order == first)
        .first()
    )
    assert event == {"kind": "assigned", "note": "batch dispatch"}
    # Both are at their limit now: a third order waits.
    third = await put_order(world, "new", site=await site(XINTIANDI))
    again = (await dispatch(client, world, max_open_orders=1)).json()
    assert again["placements"] == []
    assert again["unplaced"] == [
        {"order_id": str(third), "number": again["unplaced"][0]["number"], "reason": "no_candidate"}
    ]


async def test_skills_roles_duty_and_sites_limit_the_batch(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    await stand(world, "north_tech", XUJIAHUI, clock.now)
    await stand(world, "north_inspector", XINTIANDI, clock.now)
    # north_tech2 has a position but is off duty.
    await place(world, "north_tech2", XINTIANDI, clock.now)
    plumbing = ServiceItem(id=uuid4(), name="Pipes", required_skills=["plumbing"])
    await plumbing.save()
    central = await site(XINTIANDI)
    pipes = await put_order(world, "new", site=central, service_item=plumbing.id)
    inspection = await put_order(world, "new", site=central, kind="inspection")
    repair = await put_order(world, "new", site=central)
    nowhere = await put_order(world, "new")
    await put_order(world, "new", site=central, department="south")
    await put_order(world, "assigned", assignee="north_tech2", site=central)
    result = (await dispatch(client, world, dry_run=True)).json()
    assert {p["order_id"]: p["name"] for p in result["placements"]} == {
        str(inspection): "North Inspector",
        str(repair): "North Tech",  # the inspector is nearer, but not a technician
    }
    assert {u["order_id"]: u["reason"] for u in result["unplaced"]} == {
        str(pipes): "no_candidate",  # nobody has plumbing
        str(nowhere): "no_site",
    }
    assert result["candidates"] == 2
    everyone = (await dispatch(client, world, dry_run=True, on_duty_only=False)).json()
    assert everyone["candidates"] == 3


async def test_only_the_departments_managers_dispatch(
    client: httpx.AsyncClient, world: World
) -> None:
    assert_error(await dispatch(client, world, caller="south_manager"), 403, "forbidden")
    assert_error(await dispatch(client, world, caller="north_tech"), 403, "forbidden")
    assert_error(await dispatch(client, world, max_open_orders=0), 400, "validation_error")
    assert (await dispatch(client, world, caller="admin", dry_run=True)).status_code == 201
