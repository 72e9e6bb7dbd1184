"""Authorization lives in the queries: an order outside the caller's scope is a 404
for every operation, and never appears in a list."""

from __future__ import annotations

import httpx
import pytest

from tests.server.workorders.orders import put_order
from tests.world import World

# (caller, how the foreign order is made): each order is outside the caller's scope.
FOREIGN = {
    "north_manager": {"department": "south", "requester": "other_requester"},
    "north_tech": {"department": "south", "assignee": "south_tech", "team": "south"},
    "north_inspector": {"department": "south", "assignee": "south_tech", "team": "south"},
    "requester": {"department": "north", "requester": "other_requester"},
}


def operations(order_id: str, world: World) -> list[tuple[str, str, dict | None]]:
    base = f"/api/work-orders/{order_id}"
    return [
        ("GET", base, None),
        ("GET", f"{base}/timeline", None),
        ("GET", f"{base}/comments", None),
        ("PATCH", base, {"description": "mine now"}),
        ("POST", f"{base}/transitions", {"action": "cancel", "reason": "x"}),
        ("POST", f"{base}/assignment", {"assignee_id": str(world.id("north_tech"))}),
        ("POST", f"{base}/comments", {"body": "hello"}),
        ("PUT", f"{base}/flags", {"starred": True}),
    ]


@pytest.mark.parametrize("caller", sorted(FOREIGN))
async def test_foreign_orders_are_not_found(
    client: httpx.AsyncClient, world: World, caller: str
) -> None:
    order_id = str(await put_order(world, "assigned", **FOREIGN[caller]))
    headers = await world.headers(caller)
    for method, url, body in operations(order_id, world):
        response = await client.request(method, url, json=body, headers=headers)
        assert response.status_code == 404, (method, url, response.text)
        assert response.json()["code"] == "not_found"
    listed = await client.get("/api/work-orders?limit=200", headers=headers)
    assert order_id not in {item["id"] for item in listed.json()["items"]}
    admin = await world.headers("admin")
    untouched = (await client.get(f"/api/work-orders/{order_id}", headers=admin)).json()
    assert untouched["version"] == 1
    assert untouched["status"] == "assigned"
    assert [e["kind"] for e in untouched["timeline"]] == []


async def test_each_role_sees_exactly_its_scope(client: httpx.AsyncClient, world: World) -> None:
    orders = {
        "north_assigned": await put_order(
            world, "assigned", assignee="north_tech", team="north", requester=None
        ),
        "north_team": await put_order(
            world, "accepted", assignee="north_tech2", team="north", requester=None
        ),
        "south": await put_order(
            world,
            "assigned",
            department="south",
            assignee="south_tech",
            team="south",
            requester=None,
        ),
        "unrouted": await put_order(world, "new", department=None, requester="requester"),
        "other_requested": await put_order(
            world, "new", department="south", requester="other_requester"
        ),
    }
    expected = {
        "admin": set(orders),
        "north_manager": {"north_assigned", "north_team", "unrouted"},
        "south_manager": {"south", "unrouted", "other_requested"},
        "north_tech": {"north_assigned", "north_team"},
        "north_inspector": {"north_assigned", "north_team"},
        "south_tech": {"south"},
        "requester": {"unrouted"},
        "other_requester": {"other_requested"},
    }
    names = {str(order_id): name for name, order_id in orders.items()}
    for caller, visible in expected.items():
        response = await client.get("/api/work-orders", headers=await world.headers(caller))
        assert response.status_code == 200
        seen = {names[item["id"]] for item in response.json()["items"]}
        assert seen == visible, caller


async def test_what_you_create_or_route_away_is_answered_and_stays_yours(
    client: httpx.AsyncClient, world: World
) -> None:
    loner = await world.add_user("loner", "technician")  # no team
    created = await client.post(
        "/api/work-orders", json={"title": "found on site"}, headers=await world.headers("loner")
    )
    assert created.status_code == 201, created.text
    again = await client.get(
        f"/api/work-orders/{created.json()['id']}", headers=await world.headers("loner")
    )
    assert again.status_code == 200
    assert created.json()["created_by_id"] == str(loner["id"])
    manager = await world.headers("north_manager")
    order_id = await put_order(world, "new", department="north")
    routed = await client.patch(
        f"/api/work-orders/{order_id}",
        json={"department_id": str(world.departments["south"])},
        headers=manager,
    )
    assert routed.status_code == 200, routed.text
    assert routed.json()["department_id"] == str(world.departments["south"])
    gone = await client.get(f"/api/work-orders/{order_id}", headers=manager)
    assert gone.status_code == 404


async def test_field_staff_hand_on_only_within_their_team(
    client: httpx.AsyncClient, world: World
) -> None:
    order_id = await put_order(world, "accepted", assignee="north_tech", team="north")
    url = f"/api/work-orders/{order_id}/assignment"
    tech = await world.headers("north_tech")
    to_other_team = await client.post(
        url,
        json={
            "assignee_id": str(world.id("north_tech2")),
            "team_id": str(world.teams["south"]),
            "reason": "busy",
        },
        headers=tech,
    )
    assert to_other_team.status_code == 403
    await world.add_user("loner_a", "technician")
    await world.add_user("loner_b", "technician")
    lonely = await put_order(world, "accepted", assignee="loner_a")
    between_loners = await client.post(
        f"/api/work-orders/{lonely}/assignment",
        json={"assignee_id": str(world.id("loner_b")), "reason": "x"},
        headers=await world.headers("loner_a"),
    )
    assert between_loners.status_code == 403
    unchanged = await client.get(f"/api/work-orders/{order_id}", headers=tech)
    assert unchanged.json()["team_id"] == str(world.teams["north"])


async def test_a_parent_must_be_visible(client: httpx.AsyncClient, world: World) -> None:
    hidden = await put_order(world, "new", requester="other_requester", department="south")
    response = await client.post(
        "/api/work-orders",
        json={"title": "child", "parent_id": str(hidden)},
        headers=await world.headers("requester"),
    )
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_reference"
