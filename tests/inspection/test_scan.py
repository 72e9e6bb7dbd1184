"""Scanning a label: codes normalised, unknown and out-of-scope codes alike 404 with
the code echoed, and what the asset needs at a glance."""

from __future__ import annotations

import httpx

from tests.clock import FakeClock
from tests.inspection.fixtures import add_asset, inspect, pump_checklist
from tests.probes import assert_error
from tests.server.workorders.orders import put_order
from tests.world import World


async def scan(client: httpx.AsyncClient, world: World, code: str, caller: str) -> httpx.Response:
    return await client.get(f"/api/scan/{code}", headers=await world.headers(caller))


async def test_codes_are_normalised_and_unknown_ones_echoed(
    client: httpx.AsyncClient, world: World
) -> None:
    asset = await add_asset(world, "PUMP-0042")
    found = await scan(client, world, "  pump-0042 ", "north_manager")
    assert found.status_code == 200, found.text
    body = found.json()
    assert (body["code"], body["asset"]["id"], body["site"]["name"]) == (
        "PUMP-0042",
        str(asset),
        "Acme Central",
    )
    assert body["checklist"] is None
    missing = await scan(client, world, " pump-9999", "north_manager")
    assert_error(missing, 404, "unknown_code")
    assert missing.json()["details"] == {"code": "PUMP-9999"}


async def test_a_field_worker_scans_what_their_orders_or_rounds_reach(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    await add_asset(world, "PUMP-0042")
    # Nothing of theirs at the site: the asset is as unknown as a wrong code.
    outside = await scan(client, world, "PUMP-0042", "north_tech")
    assert_error(outside, 404, "unknown_code")
    await put_order(world, "assigned", assignee="north_tech", site=world.sites["central"])
    assert (await scan(client, world, "PUMP-0042", "north_tech")).status_code == 200
    assert_error(await scan(client, world, "PUMP-0042", "south_tech"), 404, "unknown_code")
    # The requester of an order at the site may scan there too.
    assert (await scan(client, world, "PUMP-0042", "requester")).status_code == 200
    assert_error(await scan(client, world, "PUMP-0042", "other_requester"), 404, "unknown_code")


async def test_a_scan_shows_orders_due_runs_results_and_checklist(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    asset = await add_asset(world, "PUMP-0042")
    await pump_checklist(client, world)
    round_made = await client.post(
        "/api/rounds/",
        json={
            "name": "Boiler room",
            "team_id": str(world.teams["north"]),
            "checkpoints": [str(asset)],
            "starts_at": clock.now.isoformat(),
        },
        headers=await world.headers("north_manager"),
    )
    assert round_made.status_code == 201, round_made.text
    clock.advance(minutes=5)
    failed = await inspect(
        client, world, "PUMP-0042", answers={"running": False, "pressure": 4.0, "noise": "quiet"}
    )
    assert failed.status_code == 201, failed.text
    body = (await scan(client, world, "pump-0042", "north_inspector")).json()
    assert body["checklist"]["asset_type"] == "pump"
    assert [r["id"] for r in body["last_results"]] == [failed.json()["id"]]
    assert [o["id"] for o in body["open_orders"]] == [failed.json()["corrective_order_id"]]
    assert [d["round_name"] for d in body["due"]] == ["Boiler room"]
    assert body["due"][0]["due_at"] > clock.now.isoformat()
