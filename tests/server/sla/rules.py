"""SLA rules and calendars for tests, set through the API as an admin would."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx

from server.masterdata.tables import Customer
from tests.world import World

PRIORITIES = ("P1", "P2", "P3", "P4", "P5")
# Minutes per priority.
RESPONSE = (15, 30, 60, 120, 240)
RESOLUTION = (120, 240, 480, 1440, 2880)


def targets(minutes: tuple[int, ...]) -> dict[str, int]:
    return dict(zip(PRIORITIES, minutes, strict=True))


async def add_rule(
    client: httpx.AsyncClient,
    world: World,
    response: tuple[int, ...] = RESPONSE,
    resolution: tuple[int, ...] = RESOLUTION,
    **fields: Any,
) -> dict[str, Any]:
    answer = await client.post(
        "/api/sla/rules",
        json={
            "response_minutes": targets(response),
            "resolution_minutes": targets(resolution),
            **fields,
        },
        headers=await world.headers("admin"),
    )
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def retail_group(world: World) -> UUID:
    row = (
        await Customer.select(Customer.group).where(Customer.id == world.customers["acme"]).first()
    )
    assert row is not None
    return UUID(str(row["group"]))
