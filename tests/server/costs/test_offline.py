"""Technicians record parts, time and expenses offline: pushed again, nothing counts
twice; and their phone keeps the parts catalogue and their van's stock."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import httpx

from server.costs.tables import Expense, LabourEntry, StockMovement
from tests.clock import FakeClock
from tests.probes import counting_queries
from tests.server.costs.stock import add_part, add_store, get, quantity, receive
from tests.server.workorders.orders import put_order
from tests.sync.device import Device
from tests.world import World


def merged(pages: list[dict[str, Any]], key: str) -> list[Any]:
    return [row for page in pages for row in page[key]]


async def test_a_retried_push_counts_each_use_once(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    order = await put_order(world, "in_progress", assignee="north_tech", team="north")
    part = await add_part(client, world, "FLT-1", unit_cost="4.20")
    van = await add_store(client, world, "Van 1", kind="van", owner="north_tech")
    await receive(client, world, part, van, 5)
    phone = Device(client, world, "north_tech")
    worked = clock.now
    clock.advance(hours=3)  # in a basement, then back in signal
    use_id, labour_id, expense_id = uuid4(), uuid4(), uuid4()
    phone.make(
        "use_part",
        device_time=worked,
        order_id=order,
        id=use_id,
        part_id=part,
        store_id=van,
        quantity=2,
    )
    phone.make("log_labour", device_time=worked, order_id=order, id=labour_id, minutes=50)
    phone.make(
        "add_expense",
        device_time=worked,
        order_id=order,
        id=expense_id,
        category="parking",
        amount="6.00",
    )
    sent = list(phone.queue)
    answer = await phone.push()
    assert [r["outcome"] for r in answer["results"]] == ["applied"] * 3, answer
    # The answer was lost: the same push again.
    again = await phone.push_raw(sent)
    assert again.status_code == 200, again.text
    assert [r["outcome"] for r in again.json()["results"]] == ["applied"] * 3
    # A phone that lost its answers and its counter sends them under new mutation ids.
    reinstalled = Device(client, world, "north_tech")
    for mutation in sent:
        reinstalled.make(mutation["name"], **mutation["args"])
    replayed = await reinstalled.push()
    assert [r["outcome"] for r in replayed["results"]] == ["applied"] * 3, replayed
    assert await quantity(client, world, van, part) == 3
    assert await StockMovement.count().where(StockMovement.kind == "use") == 1
    assert await LabourEntry.count() == 1
    assert await Expense.count() == 1
    summary = await get(client, world, "north_tech", f"/api/work-orders/{order}/costs")
    assert (summary["parts"], summary["expenses"], summary["labour_minutes"]) == (
        "8.40",
        "6.00",
        50,
    )
    lines = await get(client, world, "north_tech", f"/api/stock-movements?order_id={order}")
    assert lines["items"][0]["device_time"].startswith(worked.isoformat()[:19])
    # Someone else's id is not theirs to replay.
    thief = Device(client, world, "north_manager")
    thief.make("use_part", order_id=order, id=use_id, part_id=part, store_id=van, quantity=1)
    stolen = await thief.push()
    assert [(r["outcome"], r["code"]) for r in stolen["results"]] == [
        ("rejected", "already_exists")
    ]


async def test_an_offline_use_the_van_cannot_cover_is_rejected_alone(
    client: httpx.AsyncClient, world: World
) -> None:
    order = await put_order(world, "in_progress", assignee="north_tech", team="north")
    part = await add_part(client, world, "FLT-1")
    van = await add_store(client, world, "Van 1", kind="van", owner="north_tech")
    await receive(client, world, part, van, 1)
    phone = Device(client, world, "north_tech")
    for wanted in (2, 1, 1):
        phone.make(
            "use_part", order_id=order, id=uuid4(), part_id=part, store_id=van, quantity=wanted
        )
    answer = await phone.push()
    outcomes = [(r["outcome"], r["code"]) for r in answer["results"]]
    assert outcomes == [
        ("rejected", "insufficient_stock"),
        ("applied", ""),
        ("rejected", "insufficient_stock"),
    ]
    assert answer["results"][0]["details"]["available"] == 1
    assert answer["results"][2]["details"]["available"] == 0
    assert await quantity(client, world, van, part) == 0
    # Requesters record no costs offline either.
    theirs = Device(client, world, "requester")
    theirs.make("log_labour", order_id=order, id=uuid4(), minutes=5)
    refused = await theirs.push()
    assert [r["code"] for r in refused["results"]] == ["forbidden"]


async def test_the_phone_keeps_the_catalogue_and_its_van_stock(
    client: httpx.AsyncClient, world: World
) -> None:
    part = await add_part(client, world, "FLT-1", unit_cost="3.00")
    van = await add_store(client, world, "Van 1", kind="van", owner="north_tech")
    warehouse = await add_store(client, world, "North warehouse")
    await receive(client, world, part, van, 4)
    await receive(client, world, part, warehouse, 50)
    phone = Device(client, world, "north_tech")
    pages = await phone.pull()
    assert [p["code"] for p in merged(pages, "parts")] == ["FLT-1"]
    stock = [page["stock"] for page in pages if page["stock"] is not None][-1]
    assert [(s["store_id"], s["quantity"], s["unit_cost"]) for s in stock] == [(van, 4, "3.00")]
    # Nothing changed: nothing comes.
    quiet = await phone.pull()
    assert merged(quiet, "parts") == []
    assert [page["stock"] for page in quiet] == [None]
    # A use (here from the web) sends the van's stock again; a new part comes alone.
    order = await put_order(world, "in_progress", assignee="north_tech", team="north")
    used = await client.post(
        f"/api/work-orders/{order}/parts",
        json={"part_id": part, "store_id": van, "quantity": 1},
        headers=await world.headers("north_tech"),
    )
    assert used.status_code == 201, used.text
    await add_part(client, world, "FUSE-1")
    later = await phone.pull()
    assert [p["code"] for p in merged(later, "parts")] == ["FUSE-1"]
    assert [[s["quantity"] for s in page["stock"]] for page in later] == [[3]]
    # The van handed to a colleague: it leaves this phone and reaches theirs.
    handed = await client.patch(
        f"/api/stores/{van}",
        json={"owner_id": str(world.id("north_tech2"))},
        headers=await world.headers("north_manager"),
    )
    assert handed.status_code == 200, handed.text
    assert [page["stock"] for page in await phone.pull()] == [[]]
    colleague = await Device(client, world, "north_tech2").pull()
    assert [s["quantity"] for s in colleague[-1]["stock"]] == [3]
    # Requesters get no catalogue.
    theirs = await Device(client, world, "requester").pull()
    assert merged(theirs, "parts") == []
    assert [page["stock"] for page in theirs] == [None]


async def test_a_batch_of_uses_costs_one_statement_each(
    client: httpx.AsyncClient, world: World
) -> None:
    order = await put_order(world, "in_progress", assignee="north_tech", team="north")
    part = await add_part(client, world, "FLT-1")
    van = await add_store(client, world, "Van 1", kind="van", owner="north_tech")
    await receive(client, world, part, van, 1000)
    phone = Device(client, world, "north_tech")
    counted = []
    for size in (10, 20, 40):
        for _ in range(size):
            phone.make(
                "use_part", order_id=order, id=uuid4(), part_id=part, store_id=van, quantity=1
            )
        with counting_queries() as seen:
            answer = await phone.push()
        assert {r["outcome"] for r in answer["results"]} == {"applied"}
        counted.append(len(seen))
    # Ids, the order, the part and the store are read once a batch; each use takes
    # stock (the first push also saves the test's login session).
    assert counted[2] - counted[1] == 20, counted
    assert await quantity(client, world, van, part) == 930
