"""Dispatch suggestions: skills first, then load, distance and duty, each explained."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import httpx
from geopy.distance import geodesic

from geo.tables import Position
from server.accounts.tables import User
from server.masterdata.tables import ServiceItem
from tests.clock import FakeClock
from tests.geo.people import place
from tests.probes import assert_error
from tests.server.workorders.orders import put_order
from tests.world import World

SITE = (31.23, 121.47)


async def place_at(world: World, name: str, km: float, clock: FakeClock) -> None:
    point = geodesic(kilometers=km).destination(SITE, bearing=0)
    await place(world, name, (point.latitude, point.longitude), clock.now)


async def on_duty(client: httpx.AsyncClient, world: World, name: str) -> None:
    answer = await client.put(
        "/api/me/duty", json={"on_duty": True}, headers=await world.headers(name)
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["on_duty"] is True


async def suggestions(
    client: httpx.AsyncClient, world: World, order_id: Any, caller: str = "north_manager"
) -> httpx.Response:
    return await client.get(
        f"/api/work-orders/{order_id}/suggestions", headers=await world.headers(caller)
    )


async def test_skills_first_then_load_distance_and_duty(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    # Three technicians in the north: north_tech and north_tech2 (electrical), and
    # one more without the skill.
    await world.add_user(
        "north_tech3", "technician", department="north", team="north", skills=["plumbing"]
    )
    item = ServiceItem(
        id=uuid4(), name="Rewire", required_skills=["electrical"], default_priority="P3"
    )
    await item.save()
    order_id = await put_order(world, "new", site=world.sites["central"], service_item=item.id)
    for name in ("north_tech", "north_tech2", "north_tech3"):
        await on_duty(client, world, name)
        await place_at(world, name, 2, clock)
    # Equal but for load: north_tech carries a P1.
    await put_order(world, "assigned", assignee="north_tech", priority="P1")
    first = (await suggestions(client, world, order_id)).json()["items"]
    assert [s["name"] for s in first] == ["North Tech2", "North Tech"]  # never the plumber
    assert (first[0]["load"], first[1]["load"]) == (0, 5)
    assert any("weighted load 5" in reason for reason in first[1]["reasons"])
    # Distance outweighs a light load: north_tech2 moves 30 km away.
    await Position.update(
        {Position.latitude: geodesic(kilometers=30).destination(SITE, bearing=0).latitude}
    ).where(Position.user == world.id("north_tech2"))
    second = (await suggestions(client, world, order_id)).json()["items"]
    assert [s["name"] for s in second] == ["North Tech", "North Tech2"]
    assert round(second[1]["distance_m"] / 1000) == 30
    # Off duty weighs most.
    off = await client.put(
        "/api/me/duty", json={"on_duty": False}, headers=await world.headers("north_tech")
    )
    assert off.json()["on_duty"] is False
    third = (await suggestions(client, world, order_id)).json()["items"]
    assert [s["name"] for s in third] == ["North Tech2", "North Tech"]
    assert "off duty (-50)" in third[1]["reasons"]


async def test_only_dispatchers_ask_and_only_field_staff_go_on_duty(
    client: httpx.AsyncClient, world: World
) -> None:
    order_id = await put_order(world, "new")
    assert_error(await suggestions(client, world, order_id, "north_tech"), 403, "forbidden")
    assert_error(await suggestions(client, world, order_id, "south_manager"), 404, "not_found")
    refused = await client.put(
        "/api/me/duty", json={"on_duty": True}, headers=await world.headers("north_manager")
    )
    assert_error(refused, 403, "forbidden")
    inactive = await User.update({User.active: False}).where(User.id == world.id("north_tech2"))
    assert inactive is not None
    names = [s["name"] for s in (await suggestions(client, world, order_id)).json()["items"]]
    assert names == ["North Tech"]  # no skills required; the inactive one never
