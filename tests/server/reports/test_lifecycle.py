"""The reports read timelines and costs as the services write them: an order
worked, resolved, reopened, worked again and rated through the API; parts, labour
and expenses booked on an order over two days."""

from __future__ import annotations

from decimal import Decimal

import httpx

from tests.clock import FakeClock
from tests.server.costs.stock import add_part, add_store, get, post, receive, use
from tests.server.workorders.orders import put_order
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


async def test_costs_booked_through_the_api(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    order = await put_order(world, "in_progress", assignee="north_tech", team="north")
    valve = await add_part(client, world, "VLV-1", unit_cost="12.34")
    van = await add_store(client, world, "Van 1", kind="van", owner="north_tech")
    await receive(client, world, valve, van, 10)
    rate = {"hourly_rate": "50.00", "effective_from": "2026-01-01T00:00:00Z"}
    assert (await post(client, world, "admin", "/api/labour-rates", rate)).status_code == 201

    async def book(path: str, body: dict[str, object]) -> None:
        made = await post(client, world, "north_tech", path, body)
        assert made.status_code == 201, made.text

    # Monday 11-02: 3 valves (37.02), 30 min of labour (25.00), parking 4.50.
    used = await use(client, world, "north_tech", order, valve, van, 3)
    assert used.status_code == 201, used.text
    await book(f"/api/work-orders/{order}/labour", {"minutes": 30})
    await book(f"/api/work-orders/{order}/expenses", {"category": "parking", "amount": "4.50"})
    # Tuesday 11-03: a valve returned (-12.34); 90 min logged that worked on Monday
    # evening (75.00, Monday's); tolls 2.10.
    clock.advance(days=1)
    back = {"kind": "return", "use_id": used.json()["id"], "quantity": 1}
    await book("/api/stock-movements", back)
    evening = {"started_at": "2026-11-02T20:00:00Z", "ended_at": "2026-11-02T21:30:00Z"}
    await book(f"/api/work-orders/{order}/labour", evening)
    await book(f"/api/work-orders/{order}/expenses", {"category": "tolls", "amount": "2.10"})

    admin = await world.headers("admin")
    body = (
        await client.get("/api/reports/departments?from=2026-11-03&to=2026-11-03", headers=admin)
    ).json()
    [north] = [row for row in body["items"] if row["id"] == str(world.departments["north"])]
    tuesday, monday = north["current"]["costs"], north["previous"]["costs"]
    assert tuesday == {"parts": "-12.34", "labour": "0.00", "expenses": "2.10", "total": "-10.24"}
    assert monday == {"parts": "37.02", "labour": "100.00", "expenses": "4.50", "total": "141.52"}
    # Both days together are the order's cost summary.
    summary = await get(client, world, "north_tech", f"/api/work-orders/{order}/costs")
    for name in ("parts", "labour", "expenses", "total"):
        assert Decimal(tuesday[name]) + Decimal(monday[name]) == Decimal(summary[name])
    assert summary["total"] == "131.28"

    technicians = (
        await client.get("/api/reports/technicians?from=2026-11-03&to=2026-11-03", headers=admin)
    ).json()
    [row] = technicians["items"]
    assert (row["current"]["labour_hours"], row["current"]["labour_cost"]) == (0.0, "0.00")
    assert (row["previous"]["labour_hours"], row["previous"]["labour_cost"]) == (2.0, "100.00")
