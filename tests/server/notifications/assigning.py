"""The event most notifications tests start from: a manager assigns an order."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx

from tests.server.workorders.orders import put_order
from tests.world import World


async def assign(
    client: httpx.AsyncClient, world: World, to: str = "north_tech", **fields: Any
) -> UUID:
    """A new north order (``fields`` as put_order takes them) assigned to ``to`` by
    the north manager."""
    order_id = await put_order(world, "new", **fields)
    answer = await client.post(
        f"/api/work-orders/{order_id}/assignment",
        json={"assignee_id": str(world.id(to))},
        headers=await world.headers("north_manager"),
    )
    assert answer.status_code == 200, answer.text
    return order_id
