"""Sites and their geofences."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.probes import assert_error
from tests.world import World

SITE = {"name": "Acme Pudong", "latitude": 31.22, "longitude": 121.54}


async def test_site_crud_and_filters(client: httpx.AsyncClient, world: World) -> None:
    auth = await world.headers("admin")
    acme = str(world.customers["acme"])
    created = await client.post(
        "/api/sites",
        json={**SITE, "address": "88 Century Avenue", "customer_id": acme},
        headers=auth,
    )
    assert created.status_code == 201, created.text
    site = created.json()
    assert site["geofence_radius_m"] == 100.0
    assert site["customer_id"] == acme
    assert (await client.get(f"/api/sites/{site['id']}", headers=auth)).json() == site

    loose = (await client.post("/api/sites", json={**SITE, "name": "Depot"}, headers=auth)).json()
    assert loose["customer_id"] is None
    assert loose["address"] == ""

    names = [s["name"] for s in (await client.get("/api/sites", headers=auth)).json()["items"]]
    assert names == ["Acme Central", "Acme Pudong", "Depot"]
    of_acme = await client.get("/api/sites", params={"customer_id": acme}, headers=auth)
    assert [s["name"] for s in of_acme.json()["items"]] == ["Acme Central", "Acme Pudong"]
    by_address = await client.get("/api/sites", params={"q": "century"}, headers=auth)
    assert by_address.json()["items"] == [site]
    no_wildcards = await client.get("/api/sites", params={"q": "%"}, headers=auth)
    assert no_wildcards.json()["items"] == []

    moved = await client.patch(
        f"/api/sites/{site['id']}",
        json={"latitude": -33.86, "longitude": 151.21, "geofence_radius_m": 250},
        headers=auth,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json() == {
        **site,
        "latitude": -33.86,
        "longitude": 151.21,
        "geofence_radius_m": 250.0,
    }

    assert (await client.delete(f"/api/sites/{site['id']}", headers=auth)).status_code == 204
    assert_error(await client.get(f"/api/sites/{site['id']}", headers=auth), 404, "not_found")


@pytest.mark.parametrize(
    "change",
    [
        {"latitude": 90.5},
        {"latitude": -91},
        {"longitude": 180.01},
        {"longitude": -200},
        {"geofence_radius_m": 0},
        {"geofence_radius_m": -5},
        {"name": ""},
        {"latitude": "north"},
        {"colour": "red"},
    ],
)
async def test_site_values_out_of_range(
    client: httpx.AsyncClient, world: World, change: dict[str, Any]
) -> None:
    auth = await world.headers("admin")
    created = await client.post("/api/sites", json={**SITE, **change}, headers=auth)
    assert_error(created, 400, "validation_error")
    patched = await client.patch(f"/api/sites/{world.sites['central']}", json=change, headers=auth)
    assert_error(patched, 400, "validation_error")


async def test_site_edges_and_references(client: httpx.AsyncClient, world: World) -> None:
    auth = await world.headers("admin")
    edge = await client.post(
        "/api/sites", json={"name": "Pole", "latitude": -90, "longitude": 180}, headers=auth
    )
    assert edge.status_code == 201, edge.text
    unknown = await client.post(
        "/api/sites",
        json={**SITE, "customer_id": "00000000-0000-4000-8000-00000000000c"},
        headers=auth,
    )
    body = assert_error(unknown, 422, "unknown_reference")
    assert body["details"] == {"customer_id": "00000000-0000-4000-8000-00000000000c"}
    missing_field = await client.post("/api/sites", json={"name": "No place"}, headers=auth)
    assert_error(missing_field, 400, "validation_error")


async def test_requester_reads_sites_but_cannot_change_them(
    client: httpx.AsyncClient, world: World
) -> None:
    auth = await world.headers("requester")
    listed = await client.get("/api/sites", headers=auth)
    assert listed.status_code == 200
    assert [s["id"] for s in listed.json()["items"]] == [str(world.sites["central"])]
    one = await client.get(f"/api/sites/{world.sites['central']}", headers=auth)
    assert one.json()["geofence_radius_m"] == 150.0
    assert_error(await client.post("/api/sites", json=SITE, headers=auth), 403, "forbidden")


async def test_site_with_assets_is_in_use(client: httpx.AsyncClient, world: World) -> None:
    auth = await world.headers("admin")
    site = str(world.sites["central"])
    asset = await client.post(
        "/api/assets",
        json={"tag": "AC-1", "name": "Chiller", "asset_type": "chiller", "site_id": site},
        headers=auth,
    )
    assert asset.status_code == 201, asset.text
    assert_error(await client.delete(f"/api/sites/{site}", headers=auth), 409, "in_use")
    assert (
        await client.delete(f"/api/assets/{asset.json()['id']}", headers=auth)
    ).status_code == 204
    assert (await client.delete(f"/api/sites/{site}", headers=auth)).status_code == 204
