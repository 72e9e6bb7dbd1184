"""The reports read timelines as the work-order service writes them: an order
worked, resolved, reopened, worked again and rated through the API."""

from __future__ import annotations

import httpx

from tests.clock import FakeClock
from tests.world import World


async def test_an_order_worked_through_the_api(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    admin = await world.headers("admin")
    tech = await world.headers("north_tech")
    created = await client.post(
        "/api/work-orders",
        json={
            "kind": "customer_request",
            "title": "Leaking valve",
            "priority": "P3",
            "department_id": str(world.departments["north"]),
            "requester_id": str(world.id("requester")),
            "assignee_id": str(world.id("north_tech")),
        },
        headers=admin,
    )
    assert created.status_code == 201, created.text
    order = created.json()["id"]

    async def step(minutes: float, action: str, reason: str = "") -> None:
        clock.advance(minutes=minutes)
        answer = await client.post(
            f"/api/work-orders/{order}/transitions",
            json={"action": action, "reason": reason},
            headers=tech if action != "reopen" else admin,
        )
        assert answer.status_code == 200, answer.text

    await step(12, "accept")  # response: 12 min
    await step(5, "start_travel")
    await step(40, "arrive")  # travel 40 min
    await step(10, "start_work")
    await step(30, "suspend", "waiting for a part")  # on site 10 + 30 min
    await step(120, "resume")
    await step(25, "resolve")  # on site 25 min more
    await step(60, "reopen", "still dripping")
    await step(3, "accept")
    await step(2, "start_travel")
    await step(20, "arrive")  # travel 20 min more
    await step(15, "start_work")
    await step(35, "resolve")  # on site 15 + 35 min more
    rated = await client.post(
        f"/api/work-orders/{order}/rating",
        json={"score": 4, "comment": "fine"},
        headers=await world.headers("requester"),
    )
    assert rated.status_code == 200, rated.text

    response = await client.get(
        "/api/reports/technicians?from=2026-11-02&to=2026-11-02", headers=admin
    )
    [row] = response.json()["items"]
    assert row["technician_name"] == "North Tech"
    figures = row["current"]
    assert figures["orders_done"] == 1
    assert figures["mean_response_seconds"] == 12 * 60.0
    # created 08:00, resolved 12 + 5 + 40 + 10 + 30 + 120 + 25 + 60 + 3 + 2 + 20 + 15
    # + 35 = 377 minutes later
    assert figures["mean_resolution_seconds"] == 377 * 60.0
    assert figures["first_time_fixes"] == 0
    assert figures["travel_seconds"] == (40 + 20) * 60.0
    assert figures["on_site_seconds"] == (10 + 30 + 25 + 15 + 35) * 60.0
    assert (figures["ratings"], figures["mean_rating"]) == (1, 4.0)
