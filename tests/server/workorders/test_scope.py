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
