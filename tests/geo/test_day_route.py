"""A field worker's day route over the API: their open orders' sites from their last
known position, nearest neighbour then 2-opt, filtered by the planned day."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise, permutations
from uuid import UUID, uuid4

import httpx
import pytest
from geopy.distance import geodesic

from geo.tables import Position
from server.masterdata.tables import Site
from tests.clock import FakeClock
from tests.probes import assert_error
from tests.server.workorders.orders import put_order
from tests.world import World

PEOPLES_SQUARE = (31.2304, 121.4737)
PLACES = {
    "Lujiazui": (31.2397, 121.4998),
    "Hongqiao": (31.1942, 121.3203),
    "Xujiahui": (31.1950, 121.4376),
    "Wujiaochang": (31.2990, 121.5140),
}


async def order_at(world: World, name: str, status: str = "accepted", **fields: object) -> UUID:
    point = PLACES[name]
    site = Site(id=uuid4(), name=name, latitude=point[0], longitude=point[1])
    await site.save()
    return await put_order(world, status, assignee="north_tech", site=site.id, **fields)


async def route(
    client: httpx.AsyncClient, world: World, caller: str = "north_tech", **query: str
) -> httpx.Response:
    return await client.get(
        f"/api/people/{world.id('north_tech')}/route",
        params=query,
        headers=await world.headers(caller),
    )


async def test_the_route_is_the_shortest_from_the_last_position(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    await Position.insert(
        Position(
            id=uuid4(),
            user=world.id("north_tech"),
            latitude=PEOPLES_SQUARE[0],
            longitude=PEOPLES_SQUARE[1],
            accuracy_m=10,
            at=clock.now,
            source="ping",
        )
    )
    for name in PLACES:
        await order_at(world, name)
    answer = await route(client, world)
    assert answer.status_code == 200, answer.text
    found = answer.json()
    visited = [stop["site_name"] for stop in found["stops"]]

    # Four stops: every order of visiting them, measured independently.
    def length(order: tuple[str, ...]) -> float:
        points = [PEOPLES_SQUARE, *(PLACES[name] for name in order)]
        return sum(geodesic(a, b).m for a, b in pairwise(points))

    best = min(permutations(PLACES), key=length)
    assert visited == list(best)
    assert found["total_distance_m"] == pytest.approx(length(best), abs=0.5)
    assert found["total_distance_m"] == pytest.approx(
        sum(stop["leg_m"] for stop in found["stops"]), abs=0.5
    )
    assert found["total_distance_m"] <= found["as_given_m"]
    assert found["start"]["latitude"] == PEOPLES_SQUARE[0]
    assert found["stops"][0]["leg_m"] == pytest.approx(
        geodesic(PEOPLES_SQUARE, PLACES[best[0]]).m, abs=0.1
    )


async def test_the_day_and_the_status_choose_the_stops(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    today = clock.now.date()
    await order_at(world, "Lujiazui", planned_start_at=clock.now + timedelta(hours=1))
    await order_at(world, "Hongqiao", planned_start_at=clock.now + timedelta(days=2))
    await order_at(world, "Xujiahui")  # not planned: whenever it can be done
    await order_at(world, "Wujiaochang", status="suspended")
    found = (await route(client, world, day=today.isoformat(), tz="UTC")).json()
    assert sorted(stop["site_name"] for stop in found["stops"]) == ["Lujiazui", "Xujiahui"]
    assert found["start"] is None  # no position known: the route starts at a stop
    assert found["stops"][0]["leg_m"] == 0
    everything = (await route(client, world)).json()
    assert len(everything["stops"]) == 3
    for zone in ("Mars/Olympus", "Europe", "../../etc/passwd"):
        assert_error(await route(client, world, tz=zone), 422, "invalid_zone")


async def test_who_sees_a_route(client: httpx.AsyncClient, world: World) -> None:
    assert (await route(client, world, caller="north_manager")).json()["stops"] == []
    assert (await route(client, world, caller="admin")).status_code == 200
    for caller in ("south_manager", "north_tech2", "requester"):
        assert_error(await route(client, world, caller=caller), 404, "not_found")


async def test_a_manager_sees_only_the_stops_in_their_scope(
    client: httpx.AsyncClient, world: World
) -> None:
    await order_at(world, "Lujiazui")
    await order_at(world, "Hongqiao", department="south", title="south secret")
    own = (await route(client, world)).json()
    assert len(own["stops"]) == 2  # the worker's own orders, whoever routed them
    managed = (await route(client, world, caller="north_manager")).json()
    assert [stop["site_name"] for stop in managed["stops"]] == ["Lujiazui"]
