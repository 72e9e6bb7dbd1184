"""Assets, a pump checklist and rounds for the inspection tests."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import httpx

from server.masterdata.tables import Asset
from tests.world import World

PUMP_ITEMS: list[dict[str, Any]] = [
    {"key": "running", "label": "Pump running", "kind": "pass_fail", "severity": "high"},
    {
        "key": "pressure",
        "label": "Outlet pressure",
        "kind": "number",
        "unit": "bar",
        "min": 2.0,
        "max": 6.0,
        "severity": "critical",
    },
    {
        "key": "hours",
        "label": "Hour meter",
        "kind": "number",
        "unit": "h",
        "meter": True,
        "required": False,
    },
    {
        "key": "noise",
        "label": "Noise",
        "kind": "choice",
        "choices": ["quiet", "humming", "grinding"],
        "failing_choices": ["grinding"],
        "severity": "low",
    },
    {"key": "remarks", "label": "Remarks", "kind": "text", "required": False},
    {"key": "photo", "label": "Photo of the gauge", "kind": "photo", "required": False},
]
GOOD = {"running": True, "pressure": 4.0, "noise": "quiet"}


async def add_asset(
    world: World, tag: str, asset_type: str = "pump", site: UUID | None = None, **fields: Any
) -> UUID:
    asset = Asset(
        id=uuid4(),
        tag=tag,
        name=fields.pop("name", f"Pump {tag}"),
        asset_type=asset_type,
        site=site or world.sites["central"],
        **fields,
    )
    await asset.save()
    return UUID(str(asset.id))


async def pump_checklist(client: httpx.AsyncClient, world: World) -> None:
    answer = await client.put(
        "/api/checklists/",
        json={"asset_type": "pump", "name": "Pump check", "items": PUMP_ITEMS},
        headers=await world.headers("north_manager"),
    )
    assert answer.status_code == 200, answer.text


async def inspect(
    client: httpx.AsyncClient,
    world: World,
    code: str,
    caller: str = "north_inspector",
    **body: Any,
) -> httpx.Response:
    return await client.post(
        "/api/inspections/",
        json={"code": code, "answers": GOOD, **body},
        headers=await world.headers(caller),
    )
