"""Preventive maintenance by time and by meter: orders open ahead of the due date or
mark, never twice for one asset and plan, and the next due follows each service;
warranty warnings come once."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from server.masterdata.tables import Asset
from server.notifications.tables import Notification
from server.settings import Settings
from server.workorders.tables import WorkOrder
from tests.clock import FakeClock
from tests.probes import assert_error
from tests.scheduling import run_periodic
from tests.world import World

# The world's clock starts on 2026-11-02 08:00 UTC.


async def asset(world: World, **fields: Any) -> UUID:
    row = Asset(
        id=uuid4(),
        tag=f"PUMP-{uuid4().hex[:6]}",
        name="Feed pump",
        asset_type="pump",
        site=world.sites["central"],
        **fields,
    )
    await row.save()
    return UUID(str(row.id))


async def plan(client: httpx.AsyncClient, world: World, **fields: Any) -> dict[str, Any]:
    body = {
        "name": "Pump service",
        "trigger": "time",
        "order": {"title": "Service the pump", "department_id": str(world.departments["north"])},
        **fields,
    }
    answer = await client.post(
        "/api/maintenance/plans/", json=body, headers=await world.headers("north_manager")
    )
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def pm_orders(asset_id: UUID) -> list[dict[str, Any]]:
    return (
        await WorkOrder.select(WorkOrder.id, WorkOrder.status, WorkOrder.due_at, WorkOrder.kind)
        .where(WorkOrder.asset == asset_id)
        .order_by(WorkOrder.number)
    )


async def finish(client: httpx.AsyncClient, world: World, order_id: Any) -> None:
    answer = await client.post(
        f"/api/work-orders/{order_id}/transitions",
        json={"action": "cancel", "reason": "done another way"},
        headers=await world.headers("north_manager"),
    )
    assert answer.status_code == 200, answer.text


async def resolve(world: World, order_id: Any, clock: FakeClock) -> None:
    """Mark an order resolved as the lifecycle would (its steps are tested elsewhere)."""
    await WorkOrder.update({WorkOrder.status: "resolved", WorkOrder.resolved_at: clock.now}).where(
        WorkOrder.id == order_id
    )


async def test_time_based_from_the_last_completion(
    client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    pump = await asset(world, installed_on=date(2026, 1, 1))
    created = await plan(client, world, asset_id=str(pump), interval_days=30, lead_days=7)
    assert created["assets"][0]["due_on"] == "2026-12-02"  # 30 days from the plan's start
    assert await pm_orders(pump) == []
    clock.now = datetime.fromisoformat("2026-11-25T00:30:00+00:00")
    await run_periodic(settings, clock)
    orders = await pm_orders(pump)
    assert [(o["kind"], o["status"]) for o in orders] == [("preventive", "new")]
    assert orders[0]["due_at"] == datetime.fromisoformat("2026-12-03T00:00:00+00:00")
    clock.advance(hours=1)
    await run_periodic(settings, clock)
    assert len(await pm_orders(pump)) == 1  # never a second open one
    clock.now = datetime.fromisoformat("2026-11-27T10:00:00+00:00")
    await resolve(world, orders[0]["id"], clock)
    await run_periodic(settings, clock)
    state = (
        await client.get(
            f"/api/maintenance/plans/{created['id']}", headers=await world.headers("admin")
        )
    ).json()
    assert state["assets"][0] | {"open_order_id": None} == {
        "asset_id": str(pump),
        "due_on": "2026-12-27",
        "due_reading": None,
        "open_order_id": None,
        "services": 1,
    }
    assert len(await pm_orders(pump)) == 1
    clock.now = datetime.fromisoformat("2026-12-20T01:00:00+00:00")
    await run_periodic(settings, clock)
    assert len(await pm_orders(pump)) == 2


async def test_a_type_plan_steps_from_each_assets_installation(
    client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    old = await asset(world, installed_on=date(2025, 11, 10), maintenance_interval_days=90)
    new = await asset(world, installed_on=date(2026, 10, 20), maintenance_interval_days=30)
    await asset(world)  # no interval of its own: not planned
    created = await plan(client, world, asset_type="pump", anchor="installation", lead_days=3)
    dues = {a["asset_id"]: a["due_on"] for a in created["assets"]}
    # 2025-11-10 + 4 x 90 days; 2026-10-20 + 30 days.
    assert dues == {str(old): "2026-11-05", str(new): "2026-11-19"}
    assert len(await pm_orders(old)) == 1  # within its lead time already
    assert await pm_orders(new) == []
    await finish(client, world, (await pm_orders(old))[0]["id"])
    await run_periodic(settings, clock)
    state = (
        await client.get(
            f"/api/maintenance/plans/{created['id']}", headers=await world.headers("admin")
        )
    ).json()
    after = {a["asset_id"]: (a["due_on"], a["services"]) for a in state["assets"]}
    # A cancelled service is skipped, not counted: the next step of the series.
    assert after[str(old)] == ("2027-02-03", 0)


async def test_usage_based_from_meter_readings(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    pump = await asset(world, meter_unit="h")
    await plan(
        client, world, asset_id=str(pump), trigger="meter", meter_interval=500, lead_units=50
    )

    async def read(value: float, caller: str = "north_tech") -> httpx.Response:
        return await client.post(
            f"/api/assets/{pump}/meter-readings",
            json={"value": value},
            headers=await world.headers(caller),
        )

    assert (await read(120)).status_code == 201
    assert await pm_orders(pump) == []
    assert (await read(440)).status_code == 201
    assert await pm_orders(pump) == []
    assert (await read(455)).status_code == 201  # within 50 h of 500
    assert len(await pm_orders(pump)) == 1
    assert (await read(470)).status_code == 201
    assert len(await pm_orders(pump)) == 1
    assert_error(await read(400), 422, "meter_backwards")
    assert_error(await read(480, "requester"), 403, "forbidden")
    await resolve(world, (await pm_orders(pump))[0]["id"], clock)
    assert (await read(949)).status_code == 201
    assert len(await pm_orders(pump)) == 1
    assert (await read(960)).status_code == 201  # within 50 h of 1,000
    assert len(await pm_orders(pump)) == 2
    readings = await client.get(
        f"/api/assets/{pump}/meter-readings", headers=await world.headers("north_tech")
    )
    assert [r["value"] for r in readings.json()["items"]][:2] == [960, 949]
    row = await Asset.select(Asset.meter_reading).where(Asset.id == pump).first()
    assert row == {"meter_reading": 960}


async def test_a_warranty_ending_soon_is_told_once(
    client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    await asset(world, warranty_until=clock.now.date() + timedelta(days=10))
    await asset(world, warranty_until=clock.now.date() + timedelta(days=60))
    await run_periodic(settings, clock)
    clock.advance(hours=1)
    await run_periodic(settings, clock)
    notices = await Notification.select(Notification.user, Notification.params).where(
        Notification.kind == "warranty_expiring"
    )
    assert sorted(n["user"] for n in notices) == sorted(
        [world.id("north_manager"), world.id("south_manager")]
    )


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"asset_type": "pump", "asset_id": None, "interval_days": 30}, None),
        ({"interval_days": 30}, "invalid_plan"),  # neither asset nor type
        ({"asset_type": "pump", "trigger": "meter"}, "invalid_plan"),  # no interval
        ({"asset_type": "pump", "interval_days": 30, "meter_interval": 10}, "invalid_plan"),
    ],
)
async def test_plans_are_checked(
    client: httpx.AsyncClient, world: World, fields: dict[str, Any], code: str | None
) -> None:
    body = {"name": "P", "trigger": "time", "order": {"title": "Service"}, **fields}
    answer = await client.post(
        "/api/maintenance/plans/", json=body, headers=await world.headers("admin")
    )
    if code is None:
        assert answer.status_code == 201, answer.text
    else:
        assert_error(answer, 422, code)


async def test_a_plan_is_kept_only_by_managers_who_see_its_orders(
    client: httpx.AsyncClient, world: World
) -> None:
    """Another department's maintenance plan is not found (404) and not listed, as its
    orders are not; the admin and the department's manager keep it (issue 10)."""
    made = await plan(client, world, asset_id=str(await asset(world)), interval_days=90)
    south = await world.headers("south_manager")
    path = f"/api/maintenance/plans/{made['id']}"
    assert_error(await client.get(path, headers=south), 404, "not_found")
    assert_error(await client.delete(path, headers=south), 404, "not_found")
    assert (await client.get("/api/maintenance/plans/", headers=south)).json()["items"] == []
    for keeper in ("north_manager", "admin"):
        kept = await client.get(path, headers=await world.headers(keeper))
        assert kept.status_code == 200, kept.text
        assert kept.json()["name"] == "Pump service"


async def test_a_plan_routed_by_its_service_item_is_kept_by_that_department(
    client: httpx.AsyncClient, world: World
) -> None:
    """The orders take their department from the service item: so does the plan's scope."""
    item = await client.post(
        "/api/service-items",
        json={"name": "Pump overhaul", "department_id": str(world.departments["north"])},
        headers=await world.headers("admin"),
    )
    assert item.status_code == 201, item.text
    order = {"title": "Overhaul the pump", "service_item_id": item.json()["id"]}
    made = await plan(
        client, world, asset_id=str(await asset(world)), interval_days=90, order=order
    )
    south = await world.headers("south_manager")
    path = f"/api/maintenance/plans/{made['id']}"
    assert_error(await client.get(path, headers=south), 404, "not_found")
    assert_error(await client.delete(path, headers=south), 404, "not_found")
    assert (await client.get("/api/maintenance/plans/", headers=south)).json()["items"] == []
    kept = await client.get(path, headers=await world.headers("north_manager"))
    assert kept.status_code == 200, kept.text
