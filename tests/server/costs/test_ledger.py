"""Stock moves only with a ledger line: receipts, transfers, uses, returns and
adjustments; it never goes below zero without a manager's override; low stock
alerts once per crossing."""

from __future__ import annotations

from collections import defaultdict

import httpx

from server.costs.tables import Stock, StockMovement
from server.notifications.tables import Notification
from server.notifications.texts import render
from tests.probes import assert_error
from tests.server.costs.stock import add_part, add_store, get, post, quantity, receive, use
from tests.server.workorders.orders import put_order
from tests.world import World


async def ledger_balances() -> dict[tuple[str, str], int]:
    """Each (store, part)'s stock as the ledger lines add up."""
    balances: dict[tuple[str, str], int] = defaultdict(int)
    for line in await StockMovement.select():
        if line["from_store"] is not None:
            balances[str(line["from_store"]), str(line["part"])] -= line["quantity"]
        if line["to_store"] is not None:
            balances[str(line["to_store"]), str(line["part"])] += line["quantity"]
    return dict(balances)


async def stock_rows() -> dict[tuple[str, str], int]:
    return {(str(row["store"]), str(row["part"])): row["quantity"] for row in await Stock.select()}


async def test_every_movement_is_a_ledger_line_and_the_stock_follows(
    client: httpx.AsyncClient, world: World
) -> None:
    part = await add_part(client, world, "FLT-1", unit_cost="12.34")
    warehouse = await add_store(client, world, "North warehouse")
    van = await add_store(client, world, "Van 1", kind="van", owner="north_tech")
    order = await put_order(world, "in_progress", assignee="north_tech", team="north")
    await receive(client, world, part, warehouse, 20)
    moved = await post(
        client,
        world,
        "north_manager",
        "/api/stock-movements",
        {
            "kind": "transfer",
            "part_id": part,
            "from_store_id": warehouse,
            "to_store_id": van,
            "quantity": 8,
        },
    )
    assert moved.status_code == 201, moved.text
    used = await use(client, world, "north_tech", order, part, van, 3)
    assert used.status_code == 201, used.text
    assert used.json()["unit_cost"] == "12.34"
    assert used.json()["cost"] == "37.02"
    back = await post(
        client,
        world,
        "north_tech",
        "/api/stock-movements",
        {"kind": "return", "use_id": used.json()["id"], "quantity": 1},
    )
    assert back.status_code == 201, back.text
    counted = await post(
        client,
        world,
        "north_manager",
        "/api/stock-movements",
        {
            "kind": "adjust",
            "part_id": part,
            "store_id": warehouse,
            "change": -2,
            "reason": "two found broken",
        },
    )
    assert counted.status_code == 201, counted.text
    assert await quantity(client, world, warehouse, part) == 10
    assert await quantity(client, world, van, part) == 6
    assert await stock_rows() == await ledger_balances()
    kinds = [
        m["kind"] for m in (await get(client, world, "admin", "/api/stock-movements"))["items"]
    ]
    assert sorted(kinds) == ["adjust", "receive", "return", "transfer", "use"]
    # The order's parts show the use less its return, at the cost of the day.
    lines = (await get(client, world, "north_tech", f"/api/work-orders/{order}/parts"))["items"]
    assert [(p["quantity"], p["returned"], p["cost"]) for p in lines] == [(3, 1, "24.68")]
    # Returning more than is left of the use is refused.
    again = await post(
        client,
        world,
        "north_tech",
        "/api/stock-movements",
        {"kind": "return", "use_id": used.json()["id"], "quantity": 3},
    )
    body = assert_error(again, 409, "return_exceeds_use")
    assert body["details"]["left"] == 2


async def test_a_use_beyond_the_stock_is_refused_unless_a_manager_overrides(
    client: httpx.AsyncClient, world: World
) -> None:
    part = await add_part(client, world, "FLT-2")
    van = await add_store(client, world, "Van 1", kind="van", owner="north_tech")
    order = await put_order(world, "in_progress", assignee="north_tech", team="north")
    await receive(client, world, part, van, 2)
    refused = await use(client, world, "north_tech", order, part, van, 3)
    body = assert_error(refused, 409, "insufficient_stock")
    assert body["details"]["available"] == 2
    assert await quantity(client, world, van, part) == 2
    assert await StockMovement.count().where(StockMovement.kind == "use") == 0
    # Field staff cannot override; a manager must give a reason.
    tech = await use(client, world, "north_tech", order, part, van, 3, override=True, reason="x")
    assert_error(tech, 403, "override_forbidden")
    bare = await use(client, world, "north_manager", order, part, van, 3, override=True)
    assert_error(bare, 422, "reason_required")
    allowed = await use(
        client,
        world,
        "north_manager",
        order,
        part,
        van,
        3,
        override=True,
        reason="the van had one not booked in",
    )
    assert allowed.status_code == 201, allowed.text
    assert (allowed.json()["override"], allowed.json()["reason"]) == (
        True,
        "the van had one not booked in",
    )
    assert await quantity(client, world, van, part) == -1
    # An override the stock covers is not recorded as one.
    await receive(client, world, part, van, 5)
    covered = await use(
        client, world, "north_manager", order, part, van, 1, override=True, reason="r"
    )
    assert covered.json()["override"] is False
    # An empty store the part was never in has 0 available.
    empty = await add_store(client, world, "Van 2", kind="van", owner="north_tech")
    none = await use(client, world, "north_tech", order, part, empty, 1)
    assert assert_error(none, 409, "insufficient_stock")["details"]["available"] == 0


async def test_low_stock_alerts_once_per_crossing(client: httpx.AsyncClient, world: World) -> None:
    part = await add_part(client, world, "FLT-3", threshold=3)
    van = await add_store(client, world, "Van 1", kind="van", owner="north_tech")
    order = await put_order(world, "in_progress", assignee="north_tech", team="north")
    await receive(client, world, part, van, 6)

    async def alerts() -> list[tuple[str, str]]:
        rows = (
            await Notification.select(Notification.user, Notification.params)
            .where(Notification.kind == "low_stock")
            .output(load_json=True)
        )
        names = {world.id(n): n for n in world.users}
        return sorted((names[row["user"]], str(row["params"]["quantity"])) for row in rows)

    assert (await use(client, world, "north_tech", order, part, van, 2)).status_code == 201
    assert await alerts() == []  # 4 left, above 3
    assert (await use(client, world, "north_tech", order, part, van, 1)).status_code == 201
    # At the threshold: the van's technician and the department's manager hear of it.
    assert await alerts() == [("north_manager", "3"), ("north_tech", "3")]
    assert (await use(client, world, "north_tech", order, part, van, 1)).status_code == 201
    assert len(await alerts()) == 2  # further uses stay quiet
    # Restocked above the threshold, the next crossing alerts again.
    await receive(client, world, part, van, 10)
    assert len(await alerts()) == 2
    assert (await use(client, world, "north_tech", order, part, van, 10)).status_code == 201
    assert await alerts() == [
        ("north_manager", "2"),
        ("north_manager", "3"),
        ("north_tech", "2"),
        ("north_tech", "3"),
    ]
    # The store's own threshold wins over the part's.
    level = await client.patch(
        f"/api/stores/{van}/stock/{part}",
        json={"threshold": 1},
        headers=await world.headers("north_manager"),
    )
    assert level.status_code == 200, level.text
    assert (level.json()["threshold"], level.json()["store_threshold"], level.json()["low"]) == (
        1,
        1,
        False,
    )
    # The technician reads it in their language (zh-CN by default), English exists too.
    inbox = await get(client, world, "north_tech", "/api/notifications")
    alerted = [item for item in inbox["items"] if item["kind"] == "low_stock"]
    assert sorted(item["body"] for item in alerted) == [
        "Part FLT-3：剩余 2 pcs（预警值 3）",
        "Part FLT-3：剩余 3 pcs（预警值 3）",
    ]
    assert alerted[0]["title"] == "库存不足：Van 1 的 FLT-3"
    assert render("low_stock", "en", alerted[0]["params"])[0] == "Low stock: FLT-3 in Van 1"


async def test_transfers_and_adjustments_never_go_below_zero(
    client: httpx.AsyncClient, world: World
) -> None:
    part = await add_part(client, world, "FLT-4")
    warehouse = await add_store(client, world, "North warehouse")
    van = await add_store(client, world, "Van 1", kind="van", owner="north_tech")
    await receive(client, world, part, warehouse, 2)
    manager = "north_manager"
    too_many = await post(
        client,
        world,
        manager,
        "/api/stock-movements",
        {
            "kind": "transfer",
            "part_id": part,
            "from_store_id": warehouse,
            "to_store_id": van,
            "quantity": 3,
        },
    )
    assert assert_error(too_many, 409, "insufficient_stock")["details"]["available"] == 2
    same = await post(
        client,
        world,
        manager,
        "/api/stock-movements",
        {
            "kind": "transfer",
            "part_id": part,
            "from_store_id": van,
            "to_store_id": van,
            "quantity": 1,
        },
    )
    assert_error(same, 422, "same_store")
    lost = await post(
        client,
        world,
        manager,
        "/api/stock-movements",
        {"kind": "adjust", "part_id": part, "store_id": warehouse, "change": -5, "reason": "lost"},
    )
    assert_error(lost, 409, "insufficient_stock")
    zero = await post(
        client,
        world,
        manager,
        "/api/stock-movements",
        {"kind": "adjust", "part_id": part, "store_id": warehouse, "change": 0, "reason": "x"},
    )
    assert_error(zero, 422, "zero_change")
    unreasoned = await post(
        client,
        world,
        manager,
        "/api/stock-movements",
        {"kind": "adjust", "part_id": part, "store_id": warehouse, "change": 1},
    )
    assert_error(unreasoned, 400, "validation_error")
    assert await quantity(client, world, warehouse, part) == 2
    assert await quantity(client, world, van, part) is None
    assert await stock_rows() == await ledger_balances()
