"""What a phone pulls for inspecting offline: checklists, its rounds and runs, and the
assets (with sites and recent results) of those rounds, then only what changed."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import httpx

from server.masterdata.tables import Site
from tests.clock import FakeClock
from tests.inspection.fixtures import add_asset, inspect, pump_checklist
from tests.sync.device import Device
from tests.world import World


def merged(pages: list[dict[str, Any]], key: str) -> list[Any]:
    return [row for page in pages for row in page[key]]


async def test_a_phone_pulls_its_rounds_assets_to_scan_offline(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    plant = Site(id=uuid4(), name="Plant", latitude=31.3, longitude=121.5)
    await plant.save()
    first = await add_asset(world, "PUMP-0001", site=plant.id)
    second = await add_asset(world, "PUMP-0002", site=plant.id)
    await add_asset(world, "PUMP-0003", site=plant.id)  # in nobody's round
    await pump_checklist(client, world)
    manager = await world.headers("north_manager")
    made = await client.post(
        "/api/rounds/",
        json={
            "name": "Plant",
            "assignee_id": str(world.id("north_inspector")),
            "checkpoints": [str(first), str(second)],
            "starts_at": clock.now.isoformat(),
        },
        headers=manager,
    )
    assert made.status_code == 201, made.text
    phone = Device(client, world, "north_inspector")
    pages = await phone.pull(limit=2)
    assert [c["asset_type"] for c in merged(pages, "checklists")] == ["pump"]
    assert [r["name"] for r in merged(pages, "rounds")] == ["Plant"]
    assert len(merged(pages, "round_runs")) == 1
    assert sorted(a["tag"] for a in merged(pages, "assets")) == ["PUMP-0001", "PUMP-0002"]
    assert [s["name"] for s in merged(pages, "sites")] == ["Plant"]
    # A result comes on the next pull, with the run it ticked off; nothing else.
    run_id = merged(pages, "round_runs")[0]["id"]
    clock.advance(minutes=10)
    done = await inspect(client, world, "PUMP-0001", run_id=run_id)
    assert done.status_code == 201, done.text
    later = await phone.pull()
    assert [r["id"] for r in merged(later, "inspection_results")] == [done.json()["id"]]
    assert [r["progress_percent"] for r in merged(later, "round_runs")] == [50]
    assert merged(later, "assets") == merged(later, "checklists") == []
    # A new round brings its assets, however old they are.
    third = await add_asset(world, "PUMP-0004", site=plant.id)
    await phone.pull()
    made = await client.post(
        "/api/rounds/",
        json={
            "name": "Roof",
            "assignee_id": str(world.id("north_inspector")),
            "checkpoints": [str(third)],
            "starts_at": clock.now.isoformat(),
        },
        headers=manager,
    )
    newer = await phone.pull()
    assert [a["tag"] for a in merged(newer, "assets")] == ["PUMP-0004"]
    assert [r["name"] for r in merged(newer, "rounds")] == ["Roof"]
    # Another inspector's phone gets the checklists only.
    other = await Device(client, world, "south_inspector").pull()
    assert merged(other, "rounds") == merged(other, "assets") == []
    assert len(merged(other, "checklists")) == 1
    assert isinstance(UUID(run_id), UUID)
