"""Labour at the rate of its time, expenses, and the cost summary of an order,
checked against figures worked out by hand; costs are scoped like the order and
recorded on its timeline."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import httpx

from server.workorders.tables import WorkOrder
from tests.clock import FakeClock
from tests.probes import assert_error
from tests.server.costs.stock import add_part, add_store, get, post, receive, use
from tests.server.workorders.orders import put_order
from tests.sync.test_blobs import image, sha
from tests.world import World


async def rate(client: httpx.AsyncClient, world: World, body: dict[str, object]) -> None:
    made = await post(client, world, "admin", "/api/labour-rates", body)
    assert made.status_code == 201, made.text


async def test_the_cost_summary_adds_up_to_the_cent(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    start = clock.now
    order = await put_order(world, "in_progress", assignee="north_tech", team="north")
    filter_ = await add_part(client, world, "FLT-1", unit_cost="12.34")
    fuse = await add_part(client, world, "FUSE-1", unit_cost="0.99")
    van = await add_store(client, world, "Van 1", kind="van", owner="north_tech")
    await receive(client, world, filter_, van, 10)
    await receive(client, world, fuse, van, 10)
    # Parts: 3 × 12.34 = 37.02; 2 × 0.99 = 1.98, one returned: 0.99. Together 38.01.
    assert (await use(client, world, "north_tech", order, filter_, van, 3)).status_code == 201
    fuses = await use(client, world, "north_tech", order, fuse, van, 2)
    back = await post(
        client,
        world,
        "north_tech",
        "/api/stock-movements",
        {"kind": "return", "use_id": fuses.json()["id"], "quantity": 1},
    )
    assert back.status_code == 201, back.text
    # A later price applies to later uses only.
    repriced = await client.patch(
        f"/api/parts/{filter_}", json={"unit_cost": "20.00"}, headers=await world.headers("admin")
    )
    assert repriced.json()["unit_cost"] == "20.00"
    # Rates: the default 50.00, technicians 60.50, and north_tech's own 85.00 an hour on.
    await rate(client, world, {"hourly_rate": "50.00", "effective_from": "2026-01-01T00:00:00Z"})
    await rate(
        client,
        world,
        {"role": "technician", "hourly_rate": "60.50", "effective_from": "2026-01-01T00:00:00Z"},
    )
    await rate(
        client,
        world,
        {
            "user_id": str(world.id("north_tech")),
            "hourly_rate": "85.00",
            "effective_from": (start + timedelta(hours=1)).isoformat(),
        },
    )
    tech = await world.headers("north_tech")
    manager = await world.headers("north_manager")
    path = f"/api/work-orders/{order}/labour"
    # 37 min now, at the role's 60.50 (their own starts in an hour): 37.308... -> 37.31.
    first = await client.post(path, json={"minutes": 37}, headers=tech)
    assert (first.json()["hourly_rate"], first.json()["rate_source"], first.json()["cost"]) == (
        "60.50",
        "role",
        "37.31",
    )
    clock.advance(hours=4)
    # 90 min from start + 2 h, at their own 85.00: 127.50.
    second = await client.post(
        path,
        json={
            "started_at": (start + timedelta(hours=2)).isoformat(),
            "ended_at": (start + timedelta(hours=3, minutes=30)).isoformat(),
            "note": "replaced the filter",
        },
        headers=tech,
    )
    assert (second.json()["minutes"], second.json()["rate_source"], second.json()["cost"]) == (
        90,
        "user",
        "127.50",
    )
    # A manager logs a colleague's 20 min (60.50: 20.1666... -> 20.17) and the
    # inspector's 45 min, who has no rate but the default (37.50).
    helper = await client.post(
        path, json={"technician_id": str(world.id("north_tech2")), "minutes": 20}, headers=manager
    )
    assert helper.json()["cost"] == "20.17"
    looked = await client.post(
        path,
        json={"technician_id": str(world.id("north_inspector")), "minutes": 45},
        headers=manager,
    )
    assert (looked.json()["rate_source"], looked.json()["cost"]) == ("default", "37.50")
    # A new rate changes nothing logged before.
    await rate(client, world, {"user_id": str(world.id("north_tech")), "hourly_rate": "100.00"})
    entries = await get(client, world, "north_manager", path)
    assert [e["cost"] for e in entries["items"]] == ["37.31", "127.50", "20.17", "37.50"]
    # Expenses: 15.10 + 3 × 0.10 = 15.40 (as floats, 0.1 three times is not 0.3).
    expenses = f"/api/work-orders/{order}/expenses"
    for amount, category in (
        ("15.10", "parking"),
        ("0.10", "tolls"),
        ("0.1", "tolls"),
        ("0.10", "tolls"),
    ):
        made = await client.post(
            expenses, json={"category": category, "amount": amount}, headers=tech
        )
        assert made.status_code == 201, made.text
    summary = await get(client, world, "north_tech", f"/api/work-orders/{order}/costs")
    assert summary == {
        "order_id": str(order),
        "parts": "38.01",
        "labour": "222.48",
        "expenses": "15.40",
        "total": "275.89",
        "labour_minutes": 192,
    }
    assert Decimal(summary["parts"]) + Decimal(summary["labour"]) + Decimal(
        summary["expenses"]
    ) == Decimal(summary["total"])
    # Each cost is an internal step of the order's timeline, in the sync feed.
    timeline = await get(client, world, "north_manager", f"/api/work-orders/{order}/timeline")
    kinds = [e["kind"] for e in timeline["items"] if e["internal"]]
    assert kinds.count("part_used") == 2
    assert kinds.count("part_returned") == 1
    assert kinds.count("labour_logged") == 4
    assert kinds.count("expense_added") == 4
    row = await WorkOrder.select(WorkOrder.version).where(WorkOrder.id == order).first()
    assert row["version"] == 1 + 11
    # Requesters see their order, not its costs nor those steps.
    assert_error(
        await client.get(
            f"/api/work-orders/{order}/costs", headers=await world.headers("requester")
        ),
        403,
        "forbidden",
    )
    theirs = await get(client, world, "requester", f"/api/work-orders/{order}/timeline")
    assert not any(e["kind"] == "part_used" for e in theirs["items"])


async def test_costs_are_scoped_like_their_order(client: httpx.AsyncClient, world: World) -> None:
    order = await put_order(world, "in_progress", assignee="north_tech", team="north")
    part = await add_part(client, world, "FLT-1")
    van = await add_store(client, world, "Van 1", kind="van", owner="north_tech")
    south_van = await add_store(client, world, "Van 2", kind="van", owner="south_tech")
    await receive(client, world, part, van, 5)
    await receive(client, world, part, south_van, 5)
    for caller in ("south_manager", "south_tech", "other_requester"):
        for what in ("costs", "parts", "labour", "expenses"):
            response = await client.get(
                f"/api/work-orders/{order}/{what}", headers=await world.headers(caller)
            )
            assert_error(response, 404, "not_found")
        assert_error(await use(client, world, caller, order, part, south_van, 1), 404, "not_found")
    # In the team's scope but not assigned: field staff record costs on their own orders.
    labour = await post(
        client, world, "north_tech2", f"/api/work-orders/{order}/labour", {"minutes": 5}
    )
    assert_error(labour, 403, "not_assignee")
    # The assignee takes from their own van only.
    assert_error(
        await use(client, world, "north_tech", order, part, south_van, 1), 403, "store_not_yours"
    )
    other = await post(
        client,
        world,
        "north_tech",
        f"/api/work-orders/{order}/labour",
        {"technician_id": str(world.id("north_tech2")), "minutes": 5},
    )
    assert_error(other, 403, "not_yourself")
    # A closed order takes no more costs from field staff; a manager may correct it.
    closed = await put_order(world, "closed", assignee="north_tech", team="north")
    assert_error(
        await use(client, world, "north_tech", closed, part, van, 1), 409, "order_finished"
    )
    fixed = await use(client, world, "north_manager", closed, part, van, 1)
    assert fixed.status_code == 201, fixed.text
    # The correction is charged to the closed order.
    assert (await get(client, world, "north_manager", f"/api/work-orders/{closed}/costs"))[
        "parts"
    ] == "10.00"


async def test_field_staff_draw_from_their_departments_warehouse(
    client: httpx.AsyncClient, world: World
) -> None:
    order = await put_order(world, "in_progress", assignee="north_tech", team="north")
    part = await add_part(client, world, "FLT-1")
    north = await add_store(client, world, "North warehouse", department="north")
    south = await add_store(client, world, "South warehouse", department="south")
    await receive(client, world, part, north, 5)
    await receive(client, world, part, south, 5)
    assert (await use(client, world, "north_tech", order, part, north, 1)).status_code == 201
    assert_error(
        await use(client, world, "north_tech", order, part, south, 1), 403, "store_not_yours"
    )
    # Their ledger view holds the lines of the stores they draw from.
    lines = await get(client, world, "north_tech", "/api/stock-movements")
    assert {(m["kind"], m["to_store_id"] or m["from_store_id"]) for m in lines["items"]} == {
        ("receive", north),
        ("use", north),
    }
    # A manager's holds their departments' stores' lines; an admin's, every one.
    theirs = await get(client, world, "north_manager", "/api/stock-movements")
    assert len(theirs["items"]) == 2
    everything = await get(client, world, "admin", "/api/stock-movements")
    assert len(everything["items"]) == 3
    by_order = await get(client, world, "admin", f"/api/stock-movements?order_id={order}")
    assert [m["kind"] for m in by_order["items"]] == ["use"]


async def test_a_receipt_is_read_by_whoever_sees_the_orders_costs(
    client: httpx.AsyncClient, world: World
) -> None:
    order = await put_order(world, "in_progress", assignee="north_tech", team="north")
    photo = image()
    digest = sha(photo)
    tech = await world.headers("north_tech")
    sent = await client.put(f"/api/blobs/{digest}", content=photo, headers=tech)
    assert sent.status_code in (200, 201), sent.text
    made = await client.post(
        f"/api/work-orders/{order}/expenses",
        json={"category": "materials", "amount": "23.80", "receipt_sha256": digest},
        headers=tech,
    )
    assert made.json()["receipt_sha256"] == digest
    manager = await client.get(f"/api/blobs/{digest}", headers=await world.headers("north_manager"))
    assert manager.content == photo
    for caller in ("south_manager", "requester"):
        denied = await client.get(f"/api/blobs/{digest}", headers=await world.headers(caller))
        assert_error(denied, 404, "not_found")
    # Naming someone else's file in an expense does not open it.
    south_order = await put_order(world, "in_progress", assignee="south_tech", department="south")
    claimed = await client.post(
        f"/api/work-orders/{south_order}/expenses",
        json={"category": "materials", "amount": "1.00", "receipt_sha256": digest},
        headers=await world.headers("south_tech"),
    )
    assert claimed.status_code == 201, claimed.text
    assert_error(
        await client.get(f"/api/blobs/{digest}", headers=await world.headers("south_manager")),
        404,
        "not_found",
    )
