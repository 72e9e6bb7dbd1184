"""The parts catalogue and the stores: who keeps them, who reads them, and the
codes of what is refused."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.probes import assert_error
from tests.server.costs.stock import add_part, add_store, get, post, quantity, receive, use
from tests.server.workorders.orders import put_order
from tests.world import World


async def test_managers_keep_the_catalogue_and_staff_read_it(
    client: httpx.AsyncClient, world: World
) -> None:
    made = await post(
        client,
        world,
        "north_manager",
        "/api/parts",
        {"code": "FLT-0042", "name": "Air filter", "unit_cost": "12.5", "low_stock_threshold": 4},
    )
    assert made.status_code == 201, made.text
    part = made.json()
    assert (part["unit"], part["unit_cost"], part["active"]) == ("pcs", "12.50", True)
    await add_part(client, world, "CBL-1", unit="cm", unit_cost="0.03")
    for caller in ("north_tech", "north_inspector", "admin"):
        page = await get(client, world, caller, "/api/parts")
        assert [p["code"] for p in page["items"]] == ["CBL-1", "FLT-0042"]
    found = await get(client, world, "north_tech", "/api/parts?q=filter")
    assert [p["code"] for p in found["items"]] == ["FLT-0042"]
    retired = await client.patch(
        f"/api/parts/{part['id']}", json={"active": False}, headers=await world.headers("admin")
    )
    assert retired.json()["active"] is False
    active = await get(client, world, "north_tech", "/api/parts?active=true")
    assert [p["code"] for p in active["items"]] == ["CBL-1"]
    # Who may not.
    assert_error(
        await post(client, world, "north_tech", "/api/parts", {"code": "X", "name": "X"}),
        403,
        "forbidden",
    )
    patched = await client.patch(
        f"/api/parts/{part['id']}", json={"name": "Y"}, headers=await world.headers("north_tech")
    )
    assert_error(patched, 403, "forbidden")
    for path in ("/api/parts", f"/api/parts/{part['id']}", "/api/stores"):
        assert_error(
            await client.get(path, headers=await world.headers("requester")), 403, "forbidden"
        )
    # A retired part is not used any more.
    van = await add_store(client, world, "Van 1", kind="van", owner="north_tech")
    order = await put_order(world, "in_progress", assignee="north_tech", team="north")
    assert_error(
        await use(client, world, "north_tech", order, part["id"], van, 1), 409, "part_retired"
    )


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"code": "has space", "name": "X"}, 400, "validation_error"),
        ({"code": "FLT-1", "name": ""}, 400, "validation_error"),
        ({"code": "FLT-1", "name": "X", "unit_cost": "1.234"}, 400, "validation_error"),
        ({"code": "FLT-1", "name": "X", "unit_cost": "-1.00"}, 400, "validation_error"),
        ({"code": "FLT-1", "name": "X", "unit_cost": "NaN"}, 400, "validation_error"),
        ({"code": "FLT-1", "name": "X", "unit_cost": 1e12}, 400, "validation_error"),
        ({"code": "FLT-1", "name": "X", "low_stock_threshold": -1}, 400, "validation_error"),
        ({"code": "FLT-1", "name": "X", "colour": "red"}, 400, "validation_error"),
        ({"code": "DUP-1", "name": "X"}, 409, "code_taken"),
    ],
)
async def test_parts_refused(
    client: httpx.AsyncClient, world: World, body: dict[str, Any], status: int, code: str
) -> None:
    await add_part(client, world, "DUP-1")
    assert_error(await post(client, world, "admin", "/api/parts", body), status, code)


async def test_stores_and_their_stock(client: httpx.AsyncClient, world: World) -> None:
    part = await add_part(client, world, "FLT-1", unit_cost="2.50", threshold=5)
    van = await add_store(client, world, "Van 1", kind="van", owner="north_tech")
    await add_store(client, world, "North warehouse")
    mine = await get(client, world, "north_tech", f"/api/stores?owner_id={world.id('north_tech')}")
    assert [s["name"] for s in mine["items"]] == ["Van 1"]
    vans = await get(client, world, "north_tech", "/api/stores?kind=van")
    assert [s["id"] for s in vans["items"]] == [van]
    await receive(client, world, part, van, 4)
    stock = await get(client, world, "north_tech", f"/api/stores/{van}/stock")
    assert stock["value"] == "10.00"
    (level,) = stock["items"]
    assert (level["quantity"], level["threshold"], level["low"], level["value"]) == (
        4,
        5,
        True,
        "10.00",
    )
    # Refusals.
    manager = "north_manager"
    north = str(world.departments["north"])
    taken = {"name": "Van 1", "kind": "van", "department_id": north}
    assert_error(await post(client, world, manager, "/api/stores", taken), 409, "name_taken")
    assert_error(
        await post(client, world, manager, "/api/stores", {"name": "V", "kind": "boat"}),
        400,
        "validation_error",
    )
    # A manager keeps the stores of the departments they manage only.
    south = {"name": "South van", "kind": "van", "department_id": str(world.departments["south"])}
    assert_error(await post(client, world, manager, "/api/stores", south), 403, "not_your_store")
    ghost = {
        "name": "Van 9",
        "kind": "van",
        "department_id": north,
        "owner_id": "00000000-0000-0000-0000-000000000001",
    }
    assert_error(await post(client, world, manager, "/api/stores", ghost), 422, "unknown_reference")
    assert_error(
        await post(client, world, "north_tech", "/api/stores", {"name": "Mine", "kind": "van"}),
        403,
        "forbidden",
    )
    # A van handed over; a closed store takes no movements.
    handed = await client.patch(
        f"/api/stores/{van}",
        json={"owner_id": str(world.id("north_tech2")), "active": False},
        headers=await world.headers(manager),
    )
    assert (handed.json()["owner_id"], handed.json()["active"]) == (
        str(world.id("north_tech2")),
        False,
    )
    moved = await post(
        client,
        world,
        manager,
        "/api/stock-movements",
        {"kind": "receive", "part_id": part, "store_id": van, "quantity": 1},
    )
    assert_error(moved, 409, "store_inactive")
    assert_error(
        await client.get(
            "/api/stores/00000000-0000-0000-0000-000000000001/stock",
            headers=await world.headers(manager),
        ),
        404,
        "not_found",
    )


async def test_the_ledger_is_kept_by_managers(client: httpx.AsyncClient, world: World) -> None:
    part = await add_part(client, world, "FLT-1")
    van = await add_store(client, world, "Van 1", kind="van", owner="north_tech")
    tech = "north_tech"
    for body in (
        {"kind": "receive", "part_id": part, "store_id": van, "quantity": 1},
        {"kind": "adjust", "part_id": part, "store_id": van, "change": 1, "reason": "found"},
    ):
        assert_error(
            await post(client, world, tech, "/api/stock-movements", body), 403, "forbidden"
        )
    for body, status, code in (
        ({"kind": "steal", "part_id": part}, 400, "validation_error"),
        (
            {"kind": "receive", "part_id": part, "store_id": van, "quantity": 0},
            400,
            "validation_error",
        ),
        (
            {"kind": "receive", "part_id": van, "store_id": van, "quantity": 1},
            422,
            "unknown_reference",
        ),
        (
            {"kind": "return", "use_id": "00000000-0000-0000-0000-000000000001", "quantity": 1},
            404,
            "not_found",
        ),
    ):
        answer = await post(client, world, "north_manager", "/api/stock-movements", body)
        assert_error(answer, status, code)
    assert_error(
        await client.get("/api/stock-movements", headers=await world.headers("requester")),
        403,
        "forbidden",
    )
    # A movement id given twice is one movement.
    once = {
        "kind": "receive",
        "part_id": part,
        "store_id": van,
        "quantity": 1,
        "id": "01900000-0000-7000-8000-000000000001",
    }
    assert (await post(client, world, "admin", "/api/stock-movements", once)).status_code == 201
    assert_error(
        await post(client, world, "admin", "/api/stock-movements", once), 409, "already_exists"
    )


async def test_labour_and_expenses_refused(client: httpx.AsyncClient, world: World) -> None:
    order = await put_order(world, "in_progress", assignee="north_tech", team="north")
    labour = f"/api/work-orders/{order}/labour"
    expenses = f"/api/work-orders/{order}/expenses"
    start = "2026-11-02T08:00:00Z"
    for body, status, code in (
        ({}, 422, "labour_time"),
        (
            {"minutes": 30, "started_at": start, "ended_at": "2026-11-02T09:00:00Z"},
            422,
            "labour_time",
        ),
        ({"started_at": start}, 422, "labour_time"),
        ({"started_at": start, "ended_at": start}, 422, "invalid_period"),
        ({"started_at": start, "ended_at": "2026-11-03T09:00:00Z"}, 422, "invalid_period"),
        ({"minutes": 0}, 400, "validation_error"),
        ({"minutes": 2000}, 400, "validation_error"),
        ({"started_at": "2026-11-02T08:00:00"}, 400, "validation_error"),
    ):
        assert_error(await post(client, world, "north_tech", labour, body), status, code)
    for body in (
        {"category": "parking", "amount": "0"},
        {"category": "parking", "amount": "-3.00"},
        {"category": "parking", "amount": "3.001"},
        {"category": "bribes", "amount": "3.00"},
        {"category": "parking", "amount": "3.00", "receipt_sha256": "abc"},
    ):
        assert_error(
            await post(client, world, "north_tech", expenses, body), 400, "validation_error"
        )
    for body, status, code in (
        (
            {"user_id": str(world.id("north_tech")), "role": "technician", "hourly_rate": "1.00"},
            422,
            "rate_target",
        ),
        (
            {"user_id": "00000000-0000-0000-0000-000000000001", "hourly_rate": "1.00"},
            422,
            "unknown_reference",
        ),
        ({"hourly_rate": "1.005"}, 400, "validation_error"),
    ):
        assert_error(await post(client, world, "admin", "/api/labour-rates", body), status, code)
    made = await post(client, world, "admin", "/api/labour-rates", {"hourly_rate": "1"})
    assert made.status_code == 201, made.text
    rates = await get(client, world, "north_manager", "/api/labour-rates")
    assert [(r["user_id"], r["role"], r["hourly_rate"]) for r in rates["items"]] == [
        (None, None, "1.00")
    ]
    for caller in ("north_tech", "requester"):
        assert_error(
            await client.get("/api/labour-rates", headers=await world.headers(caller)),
            403,
            "forbidden",
        )
    assert_error(
        await post(client, world, "north_tech", "/api/labour-rates", {"hourly_rate": "1.00"}),
        403,
        "forbidden",
    )


async def test_a_manager_keeps_and_sees_only_their_departments_stores(
    client: httpx.AsyncClient, world: World
) -> None:
    part = await add_part(client, world, "SEAL-9")
    north = await add_store(client, world, "North warehouse")
    south = await add_store(client, world, "South warehouse", department="south")
    await receive(client, world, part, north, 3)
    adjust = {"kind": "adjust", "part_id": part, "store_id": north, "change": -2, "reason": "x"}
    answer = await post(client, world, "south_manager", "/api/stock-movements", adjust)
    assert_error(answer, 403, "not_your_store")
    transfer = {
        "kind": "transfer",
        "part_id": part,
        "from_store_id": north,
        "to_store_id": south,
        "quantity": 1,
    }
    answer = await post(client, world, "south_manager", "/api/stock-movements", transfer)
    assert_error(answer, 403, "not_your_store")
    assert await quantity(client, world, north, part) == 3
    for caller in ("south_manager", "south_tech"):
        answer = await client.get(f"/api/stores/{north}/stock", headers=await world.headers(caller))
        assert_error(answer, 404, "not_found")
        listed = await get(client, world, caller, "/api/stores")
        assert [s["name"] for s in listed["items"]] == ["South warehouse"], caller
        ledger = await get(client, world, caller, "/api/stock-movements")
        assert ledger["items"] == [], caller
    rate = {"user_id": str(world.id("north_tech")), "hourly_rate": "80.00"}
    answer = await post(client, world, "south_manager", "/api/labour-rates", rate)
    assert_error(answer, 403, "not_your_person")
    answer = await post(
        client, world, "north_manager", "/api/labour-rates", {"hourly_rate": "1.00"}
    )
    assert_error(answer, 403, "not_your_person")  # the default rate is the admins'
    assert (
        await post(client, world, "north_manager", "/api/labour-rates", rate)
    ).status_code == 201


async def test_amounts_with_huge_exponents_are_refused(
    client: httpx.AsyncClient, world: World
) -> None:
    for cost in ("1e30", "1E+40", "9" * 40):
        body = {"code": f"X{len(cost)}", "name": "X", "unit_cost": cost}
        answer = await post(client, world, "admin", "/api/parts", body)
        assert_error(answer, 400, "validation_error")
