"""Inspection results: kept as recorded, failures opening one corrective order per
asset at a time, meters moving on, doubtful scans flagged, and offline results
arriving hours later in another order than they were made."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
from geopy.distance import geodesic

from inspection.tables import InspectionResult
from server.masterdata.tables import Asset
from server.settings import Settings
from server.workorders.tables import TimelineEvent, WorkOrder
from tests.clock import FakeClock
from tests.inspection.fixtures import GOOD, add_asset, inspect, pump_checklist
from tests.probes import assert_error
from tests.scheduling import run_periodic
from tests.server.workorders.orders import put_order
from tests.sync.device import Device
from tests.world import World

SITE = (31.23, 121.47)


async def order_of(order_id: Any) -> dict[str, Any]:
    row = (
        await WorkOrder.select(
            WorkOrder.kind,
            WorkOrder.priority,
            WorkOrder.status,
            WorkOrder.asset,
            WorkOrder.site,
            WorkOrder.department,
        )
        .where(WorkOrder.id == order_id)
        .first()
    )
    assert row is not None
    return row


async def test_a_passed_inspection_opens_nothing(client: httpx.AsyncClient, world: World) -> None:
    asset = await add_asset(world, "PUMP-0042")
    await pump_checklist(client, world)
    answer = await inspect(client, world, " pump-0042", caller="north_manager")
    assert answer.status_code == 201, answer.text
    result = answer.json()
    assert (result["asset_id"], result["passed"], result["corrective_order_id"]) == (
        str(asset),
        True,
        None,
    )
    assert result["code"] == " pump-0042"  # as scanned
    assert await WorkOrder.count() == 0


async def test_failures_open_one_corrective_order_at_a_time(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    asset = await add_asset(world, "PUMP-0042")
    await pump_checklist(client, world)
    caller = "north_manager"
    first = (
        await inspect(
            client, world, "PUMP-0042", caller=caller, answers={**GOOD, "noise": "grinding"}
        )
    ).json()
    order_id = first["corrective_order_id"]
    assert first["passed"] is False
    assert [f["key"] for f in first["failures"]] == ["noise"]
    order = await order_of(order_id)
    assert (order["kind"], order["priority"], order["status"], order["asset"]) == (
        "service",
        "P4",
        "new",
        asset,
    )
    # A worse failure of the same asset joins the open order and raises its priority.
    clock.advance(hours=1)
    second = (
        await inspect(client, world, "PUMP-0042", caller=caller, answers={**GOOD, "pressure": 7.5})
    ).json()
    assert second["corrective_order_id"] == order_id
    assert (await order_of(order_id))["priority"] == "P1"
    assert await WorkOrder.count() == 1
    event = (
        await TimelineEvent.select(TimelineEvent.note)
        .where(TimelineEvent.order == UUID(order_id), TimelineEvent.kind == "inspection_failed")
        .first()
    )
    assert event == {"note": "Outlet pressure: 7.5bar is above 6bar"}
    # Once it is closed, the next failure opens a new one.
    await WorkOrder.update({WorkOrder.status: "closed"}).where(WorkOrder.id == UUID(order_id))
    third = (
        await inspect(client, world, "PUMP-0042", caller=caller, answers={**GOOD, "running": False})
    ).json()
    assert third["corrective_order_id"] not in (None, order_id)
    assert (await order_of(third["corrective_order_id"]))["priority"] == "P2"


async def test_wrong_answers_and_codes_change_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    await add_asset(world, "PUMP-0042")
    await pump_checklist(client, world)
    bad = await inspect(
        client, world, "PUMP-0042", caller="north_manager", answers={"running": True}
    )
    assert_error(bad, 422, "invalid_answers")
    assert bad.json()["details"] == {"pressure": "required", "noise": "required"}
    assert_error(
        await inspect(client, world, "NOPE-1", caller="north_manager"), 404, "unknown_code"
    )
    assert_error(await inspect(client, world, "PUMP-0042", caller="requester"), 403, "forbidden")
    assert await InspectionResult.count() == 0


async def test_meter_readings_move_the_meter_on_and_never_back(
    client: httpx.AsyncClient, world: World
) -> None:
    asset = await add_asset(world, "PUMP-0042", meter_unit="h")
    await pump_checklist(client, world)
    ok = await inspect(
        client, world, "PUMP-0042", caller="north_manager", answers={**GOOD, "hours": 1200.5}
    )
    assert ok.json()["flags"] == []
    back = await inspect(
        client, world, "PUMP-0042", caller="north_manager", answers={**GOOD, "hours": 1100}
    )
    assert back.status_code == 201
    assert back.json()["flags"] == ["meter_backwards"]
    row = await Asset.select(Asset.meter_reading).where(Asset.id == asset).first()
    assert row == {"meter_reading": 1200.5}


async def test_a_scan_far_from_the_site_is_kept_and_flagged(
    client: httpx.AsyncClient, world: World
) -> None:
    await add_asset(world, "PUMP-0042")
    await pump_checklist(client, world)
    far = geodesic(kilometers=2).destination(SITE, bearing=90)
    answer = await inspect(
        client,
        world,
        "PUMP-0042",
        caller="north_manager",
        latitude=far.latitude,
        longitude=far.longitude,
        accuracy_m=10,
    )
    assert answer.status_code == 201
    result = answer.json()
    assert result["flags"] == ["outside_geofence"]
    assert 1990 < result["distance_m"] < 2010
    near = geodesic(meters=40).destination(SITE, bearing=90)
    inside = await inspect(
        client,
        world,
        "PUMP-0042",
        caller="north_manager",
        latitude=near.latitude,
        longitude=near.longitude,
        accuracy_m=10,
    )
    assert inside.json()["flags"] == []
    half = await inspect(client, world, "PUMP-0042", caller="north_manager", latitude=31.0)
    assert_error(half, 422, "incomplete_location")


async def test_offline_results_arrive_hours_later_out_of_order(
    client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    first = await add_asset(world, "PUMP-0001")
    second = await add_asset(world, "PUMP-0002")
    await pump_checklist(client, world)
    made = await client.post(
        "/api/rounds/",
        json={
            "name": "Basement",
            "assignee_id": str(world.id("north_inspector")),
            "checkpoints": [str(first), str(second)],
            "starts_at": clock.now.isoformat(),
            "window_minutes": 120,
        },
        headers=await world.headers("north_manager"),
    )
    run_id = (
        await client.get("/api/round-runs/", headers=await world.headers("north_inspector"))
    ).json()["items"][0]["id"]
    walked = clock.now
    clock.advance(hours=5)  # no signal in the basement; the run's window has closed
    await run_periodic(settings, clock)
    missed = (
        await client.get(f"/api/round-runs/{run_id}", headers=await world.headers("north_manager"))
    ).json()
    assert (missed["status"], missed["missed"]) == ("missed", 2)
    phone = Device(client, world, "north_inspector")
    ids = [uuid4(), uuid4()]
    # Queued in another order than made: the second pump's result first.
    phone.make(
        "record_inspection",
        device_time=walked + timedelta(minutes=30),
        id=ids[1],
        code="pump-0002",
        run_id=run_id,
        answers={**GOOD, "running": False},
    )
    phone.make(
        "record_inspection",
        device_time=walked + timedelta(minutes=10),
        id=ids[0],
        code="PUMP-0001",
        run_id=run_id,
        answers=GOOD,
    )
    sent = list(phone.queue)
    answer = await phone.push()
    assert [r["outcome"] for r in answer["results"]] == ["applied", "applied"], answer
    rows = {
        row["id"]: row
        for row in await InspectionResult.select(
            InspectionResult.id,
            InspectionResult.at,
            InspectionResult.passed,
            InspectionResult.corrective_order,
        )
    }
    assert rows[ids[0]]["at"] == walked + timedelta(minutes=10)
    assert rows[ids[1]]["at"] == walked + timedelta(minutes=30)
    assert rows[ids[1]]["corrective_order"] is not None
    run = (
        await client.get(
            f"/api/round-runs/{run_id}", headers=await world.headers("north_inspector")
        )
    ).json()
    assert (run["status"], run["progress_percent"], run["missed"]) == ("done", 100, 0)
    assert run["started_at"].startswith((walked + timedelta(minutes=10)).isoformat()[:16])
    assert run["finished_at"].startswith((walked + timedelta(minutes=30)).isoformat()[:16])
    # Pushed again (as if the phone never heard back): nothing doubles.
    again = await phone.push_raw(sent)
    assert again.status_code == 200, again.text
    assert [r["outcome"] for r in again.json()["results"]] == ["applied", "applied"]
    assert await InspectionResult.count() == 2
    assert await WorkOrder.count() == 1
    assert made.status_code == 201


async def test_only_field_staff_and_managers_record_offline_too(
    client: httpx.AsyncClient, world: World
) -> None:
    await add_asset(world, "PUMP-0042")
    await put_order(world, "new", site=world.sites["central"])  # the requester's, there
    phone = Device(client, world, "requester")
    phone.make("record_inspection", id=uuid4(), code="PUMP-0042", answers={})
    answer = await phone.push()
    assert [(r["outcome"], r["code"]) for r in answer["results"]] == [("rejected", "forbidden")]
    assert await InspectionResult.count() == 0
