"""The state machine, exhaustively: every status x every action x every role, over HTTP.

The expectations are written out here from the product rules, independently of
server/workorders/lifecycle.py, so a change to the machine shows up as a failure.
"""

from __future__ import annotations

import httpx
import pytest

from server.workorders.lifecycle import ACTIONS
from tests.server.workorders.orders import put_order
from tests.world import World

STATUSES = [
    "new",
    "assigned",
    "accepted",
    "en_route",
    "on_site",
    "in_progress",
    "suspended",
    "resolved",
    "closed",
    "cancelled",
]
OPEN = STATUSES[:7]
# action: (statuses it applies to, resulting status)
MACHINE = {
    "accept": (["assigned"], "accepted"),
    "start_travel": (["accepted"], "en_route"),
    "arrive": (["en_route"], "on_site"),
    "start_work": (["on_site"], "in_progress"),
    "suspend": (["in_progress"], "suspended"),
    "resume": (["suspended"], "in_progress"),
    "resolve": (["in_progress"], "resolved"),
    "close": (["resolved"], "closed"),
    "cancel": (OPEN, "cancelled"),
    "reopen": (["resolved", "closed"], "assigned"),  # the orders below all have an assignee
}
FIELD_WORK = {"accept", "start_travel", "arrive", "start_work", "suspend", "resume", "resolve"}
NEEDS_REASON = {"suspend", "cancel", "reopen"}
# The caller, as a key of World.users; each order is assigned to north_tech and
# requested by "requester", in the north department.
CALLERS = ["admin", "north_manager", "north_tech", "north_tech2", "north_inspector", "requester"]


def expected(caller: str, action: str, status: str) -> int:
    sources, _ = MACHINE[action]
    if status not in sources:
        return 409
    if caller in ("admin", "north_manager"):
        return 200
    if caller == "north_tech":  # the assignee
        return 200 if action in FIELD_WORK else 403
    if caller == "requester":
        if action == "close" or action == "reopen":
            return 200
        if action == "cancel":
            return 200 if status in ("new", "assigned") else 403
        return 403
    return 403  # teammates see the order but may not work it


async def test_every_status_action_and_role(client: httpx.AsyncClient, world: World) -> None:
    failures = []
    for caller in CALLERS:
        headers = await world.headers(caller)
        for status in STATUSES:
            for action, (_, target) in MACHINE.items():
                order_id = await put_order(world, status, assignee="north_tech", team="north")
                body = {"action": action, "reason": "because" if action in NEEDS_REASON else ""}
                response = await client.post(
                    f"/api/work-orders/{order_id}/transitions", json=body, headers=headers
                )
                want = expected(caller, action, status)
                got = response.status_code
                if got != want:
                    failures.append((caller, status, action, want, got, response.text[:120]))
                    continue
                answer = response.json()
                if got == 200:
                    assert answer["status"] == target, (caller, status, action)
                    assert answer["version"] == 2
                elif got == 409:
                    assert answer["code"] == "illegal_transition"
                    assert answer["details"]["status"] == status
                else:
                    assert answer["code"] == "transition_forbidden"
    assert not failures, failures


@pytest.mark.parametrize("action", sorted(NEEDS_REASON))
async def test_reason_is_required(client: httpx.AsyncClient, world: World, action: str) -> None:
    status = MACHINE[action][0][0]
    order_id = await put_order(world, status, assignee="north_tech", team="north")
    response = await client.post(
        f"/api/work-orders/{order_id}/transitions",
        json={"action": action, "reason": "   "},
        headers=await world.headers("admin"),
    )
    assert response.status_code == 422
    assert response.json()["code"] == "reason_required"
    detail = await client.get(f"/api/work-orders/{order_id}", headers=await world.headers("admin"))
    assert detail.json()["status"] == status
    assert detail.json()["version"] == 1


async def test_reopen_without_assignee_goes_back_to_new(
    client: httpx.AsyncClient, world: World
) -> None:
    order_id = await put_order(world, "closed")
    response = await client.post(
        f"/api/work-orders/{order_id}/transitions",
        json={"action": "reopen", "reason": "leaking again"},
        headers=await world.headers("north_manager"),
    )
    assert response.status_code == 200
    assert response.json()["status"] == "new"
    assert response.json()["closed_at"] is None


async def test_full_path_records_timeline_and_times(
    client: httpx.AsyncClient, world: World
) -> None:
    manager = await world.headers("north_manager")
    tech = await world.headers("north_tech")
    created = await client.post(
        "/api/work-orders",
        json={"title": "Pump noise", "department_id": str(world.departments["north"])},
        headers=manager,
    )
    assert created.status_code == 201, created.text
    order = created.json()
    assert order["status"] == "new"
    assert order["number"].startswith("WO-")
    order_id = order["id"]
    assigned = await client.post(
        f"/api/work-orders/{order_id}/assignment",
        json={"assignee_id": str(world.id("north_tech"))},
        headers=manager,
    )
    assert assigned.status_code == 200, assigned.text
    assert assigned.json()["status"] == "assigned"
    assert assigned.json()["team_id"] == str(world.teams["north"])
    world.clock.advance(minutes=7)
    for action in ["accept", "start_travel", "arrive", "start_work"]:
        world.clock.advance(minutes=1)
        r = await client.post(
            f"/api/work-orders/{order_id}/transitions", json={"action": action}, headers=tech
        )
        assert r.status_code == 200, r.text
    suspended = await client.post(
        f"/api/work-orders/{order_id}/transitions",
        json={"action": "suspend", "reason": "waiting for parts"},
        headers=tech,
    )
    assert suspended.json()["status_reason"] == "waiting for parts"
    for action in ["resume", "resolve"]:
        r = await client.post(
            f"/api/work-orders/{order_id}/transitions", json={"action": action}, headers=tech
        )
        assert r.status_code == 200
    closed = await client.post(
        f"/api/work-orders/{order_id}/transitions",
        json={"action": "close"},
        headers=manager,
    )
    final = closed.json()
    assert final["status"] == "closed"
    assert final["first_response_at"] == "2026-11-02T08:08:00Z"
    assert final["resolved_at"] is not None
    assert final["closed_at"] is not None
    assert final["status_reason"] == ""
    assert final["version"] == 10
    detail = (await client.get(f"/api/work-orders/{order_id}", headers=manager)).json()
    kinds = [event["kind"] for event in detail["timeline"]]
    assert kinds == ["created", "assigned"] + ["status"] * 8
    statuses = [event["changes"]["status"][1] for event in detail["timeline"]]
    assert statuses == [
        "new",
        "assigned",
        "accepted",
        "en_route",
        "on_site",
        "in_progress",
        "suspended",
        "in_progress",
        "resolved",
        "closed",
    ]
    assert detail["timeline"][6]["note"] == "waiting for parts"
    assert detail["timeline"][1]["actor_name"] == "North Manager"
    assert detail["allowed_actions"] == ["reopen"]


async def test_the_machine_is_published_for_offline_clients(
    client: httpx.AsyncClient, world: World
) -> None:
    assert (await client.get("/api/work-orders/lifecycle")).status_code == 401
    answer = await client.get(
        "/api/work-orders/lifecycle", headers=await world.headers("requester")
    )
    assert answer.status_code == 200
    machine = answer.json()
    rules = {rule["action"]: rule for rule in machine["actions"]}
    assert set(rules) == set(ACTIONS)
    assert rules["suspend"] == {
        "action": "suspend",
        "sources": ["in_progress"],
        "target": "suspended",
        "roles": ["admin", "manager"],
        "assignee_roles": ["inspector", "technician"],
        "requester_may": [],
        "needs_reason": True,
    }
    assert rules["reopen"]["target"] is None
    assert rules["cancel"]["requester_may"] == ["assigned", "new"]
    assert "closed" not in machine["open"]
    assert "suspended" in machine["open"]
