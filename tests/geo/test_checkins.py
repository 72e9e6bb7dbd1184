"""Check-ins over the API and offline: geofence verdicts and flags, on_site, travel and
on-site times, the last known position."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from geopy.distance import geodesic

from geo.tables import CheckIn, Position
from server.workorders.tables import WorkOrder
from tests.clock import FakeClock
from tests.probes import assert_error
from tests.server.workorders.orders import put_order
from tests.sync.device import Device
from tests.world import World

SITE = (31.23, 121.47)  # the world's Acme Central, geofence 150 m


def near(metres: float) -> dict[str, float]:
    point = geodesic(meters=metres).destination(SITE, bearing=90)
    return {"latitude": point.latitude, "longitude": point.longitude}


async def en_route_order(client: httpx.AsyncClient, world: World) -> UUID:
    order_id = await put_order(
        world, "assigned", assignee="north_tech", site=world.sites["central"]
    )
    for action in ("accept", "start_travel"):
        moved = await client.post(
            f"/api/work-orders/{order_id}/transitions",
            json={"action": action},
            headers=await world.headers("north_tech"),
        )
        assert moved.status_code == 200, moved.text
    return order_id


async def post(
    client: httpx.AsyncClient, world: World, order_id: UUID, caller: str = "north_tech", **body: Any
) -> httpx.Response:
    return await client.post(
        f"/api/work-orders/{order_id}/check-ins",
        json={"accuracy_m": 8, **near(20), **body},
        headers=await world.headers(caller),
    )


async def test_checking_in_on_site_moves_the_order_and_times_the_visit(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    order_id = await en_route_order(client, world)
    clock.advance(minutes=25)
    answer = await post(client, world, order_id)
    assert answer.status_code == 201, answer.text
    made = answer.json()
    assert (made["inside"], made["flags"], made["distance_m"]) == (
        True,
        [],
        pytest.approx(20, abs=0.1),
    )
    order = await WorkOrder.select(WorkOrder.status).where(WorkOrder.id == order_id).first()
    assert order == {"status": "on_site"}
    clock.advance(minutes=40)
    out = await post(client, world, order_id, kind="check_out", **near(30))
    assert out.status_code == 201, out.text
    listed = (
        await client.get(
            f"/api/work-orders/{order_id}/check-ins", headers=await world.headers("north_manager")
        )
    ).json()
    assert [c["kind"] for c in listed["items"]] == ["check_in", "check_out"]
    assert (listed["travel_seconds"], listed["on_site_seconds"]) == (25 * 60, 40 * 60)
    position = (
        await Position.select(Position.source, Position.at)
        .where(Position.user == world.id("north_tech"))
        .first()
    )
    assert position == {"source": "check_out", "at": clock.now}


async def test_a_doubtful_check_in_is_kept_and_flagged(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    order_id = await en_route_order(client, world)
    far = await post(client, world, order_id, **near(2_000))
    assert far.status_code == 201
    assert (far.json()["inside"], far.json()["flags"]) == (False, ["outside_geofence"])
    ahead = await post(
        client, world, order_id, device_time=(clock.now + timedelta(days=2)).isoformat()
    )
    assert ahead.json()["flags"] == ["clock_skew"]
    assert ahead.json()["at"] == ahead.json()["received_at"]
    before = await post(
        client, world, order_id, device_time=(clock.now - timedelta(days=3)).isoformat()
    )
    assert before.json()["flags"] == ["clock_skew"]
    flagged = await client.get(
        "/api/check-ins/flagged", headers=await world.headers("north_manager")
    )
    assert len(flagged.json()["items"]) == 3
    other = await client.get("/api/check-ins/flagged", headers=await world.headers("south_manager"))
    assert other.json()["items"] == []
    assert_error(
        await client.get("/api/check-ins/flagged", headers=await world.headers("north_tech")),
        403,
        "forbidden",
    )


@pytest.mark.parametrize(
    ("caller", "body", "status", "code"),
    [
        ("north_manager", {}, 403, "not_assignee"),
        ("north_tech2", {}, 404, "not_found"),  # not on their team: not theirs to see
        ("south_manager", {}, 404, "not_found"),
        ("north_tech", {"latitude": 90.0001}, 400, "validation_error"),
        ("north_tech", {"longitude": -180.0001}, 400, "validation_error"),
        ("north_tech", {"accuracy_m": 0}, 400, "validation_error"),
        ("north_tech", {"kind": "teleport"}, 400, "validation_error"),
    ],
)
async def test_bad_check_ins_change_nothing(
    client: httpx.AsyncClient,
    world: World,
    caller: str,
    body: dict[str, Any],
    status: int,
    code: str,
) -> None:
    order_id = await en_route_order(client, world)
    assert_error(await post(client, world, order_id, caller, **body), status, code)
    assert await CheckIn.count() == 0
    closed = await put_order(world, "closed", assignee="north_tech")
    assert_error(await post(client, world, closed), 409, "not_open")


async def test_an_offline_check_in_keeps_its_device_time_and_applies_once(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    order_id = await en_route_order(client, world)
    arrived = clock.now + timedelta(minutes=10)
    clock.advance(hours=3)  # the basement had no signal
    phone = Device(client, world, "north_tech")
    check_in_id = uuid4()
    phone.make(
        "check_in",
        device_time=arrived,
        order_id=order_id,
        id=check_in_id,
        accuracy_m=12,
        **near(40),
    )
    answer = await phone.push()
    assert [r["outcome"] for r in answer["results"]] == ["applied"]
    row = await CheckIn.select(CheckIn.at, CheckIn.flagged).where(CheckIn.id == check_in_id).first()
    assert row == {"at": arrived, "flagged": False}
    listed = (
        await client.get(
            f"/api/work-orders/{order_id}/check-ins", headers=await world.headers("north_tech")
        )
    ).json()
    assert listed["travel_seconds"] == 10 * 60
    # A newer fix already known is not replaced by an older one.
    await post(client, world, order_id, kind="check_out")
    phone.make(
        "check_in",
        device_time=arrived,
        order_id=order_id,
        id=check_in_id,
        accuracy_m=12,
        **near(40),
    )
    again = await phone.push()
    assert [(r["outcome"], r["code"]) for r in again["results"]] == [("rejected", "already_exists")]
    position = (
        await Position.select(Position.at).where(Position.user == world.id("north_tech")).first()
    )
    assert position == {"at": clock.now}
