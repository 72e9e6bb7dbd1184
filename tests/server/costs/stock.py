"""A small stock set-up over the API: parts, a warehouse, vans and receipts."""

from __future__ import annotations

from typing import Any

import httpx

from tests.world import World


async def post(
    client: httpx.AsyncClient, world: World, caller: str, path: str, body: dict[str, Any]
) -> httpx.Response:
    return await client.post(path, json=body, headers=await world.headers(caller))


async def get(client: httpx.AsyncClient, world: World, caller: str, path: str) -> Any:
    response = await client.get(path, headers=await world.headers(caller))
    assert response.status_code == 200, response.text
    return response.json()


async def add_part(
    client: httpx.AsyncClient,
    world: World,
    code: str,
    unit_cost: str = "10.00",
    threshold: int = 0,
    **fields: Any,
) -> str:
    body = {"code": code, "name": f"Part {code}", "unit_cost": unit_cost, **fields}
    body["low_stock_threshold"] = threshold
    made = await post(client, world, "admin", "/api/parts", body)
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


async def add_store(
    client: httpx.AsyncClient,
    world: World,
    name: str,
    kind: str = "warehouse",
    owner: str | None = None,
    department: str | None = "north",
) -> str:
    body: dict[str, Any] = {"name": name, "kind": kind}
    if owner is not None:
        body["owner_id"] = str(world.id(owner))
    if department is not None:
        body["department_id"] = str(world.departments[department])
    made = await post(client, world, "admin", "/api/stores", body)
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


async def receive(
    client: httpx.AsyncClient, world: World, part: str, store: str, quantity: int
) -> dict[str, Any]:
    made = await post(
        client,
        world,
        "admin",
        "/api/stock-movements",
        {"kind": "receive", "part_id": part, "store_id": store, "quantity": quantity},
    )
    assert made.status_code == 201, made.text
    return dict(made.json())


async def quantity(client: httpx.AsyncClient, world: World, store: str, part: str) -> int | None:
    """The store's stock of the part; None: no row."""
    page = await get(client, world, "admin", f"/api/stores/{store}/stock")
    found = [row["quantity"] for row in page["items"] if row["part_id"] == part]
    return found[0] if found else None


async def use(
    client: httpx.AsyncClient,
    world: World,
    caller: str,
    order: Any,
    part: str,
    store: str,
    quantity: int,
    **fields: Any,
) -> httpx.Response:
    body = {"part_id": part, "store_id": store, "quantity": quantity, **fields}
    return await post(client, world, caller, f"/api/work-orders/{order}/parts", body)
