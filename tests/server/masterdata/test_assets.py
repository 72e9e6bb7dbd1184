"""Assets: tags, dates, filters and keyset pagination."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from server.masterdata.tables import Asset, Site
from tests.probes import assert_error, counting_queries
from tests.server.workorders.orders import save_order
from tests.world import World


def asset_body(world: World, **fields: Any) -> dict[str, Any]:
    return {
        "tag": "PUMP-001",
        "name": "Booster pump",
        "asset_type": "pump",
        "site_id": str(world.sites["central"]),
        **fields,
    }


async def put_assets(site: UUID, tags: list[str], **fields: Any) -> None:
    """Write assets straight into the database (fast set-up for list tests)."""
    await Asset.insert(
        *[
            Asset(
                id=uuid4(),
                tag=tag,
                name=fields.get("name", f"Asset {tag}"),
                asset_type=fields.get("asset_type", "pump"),
                site=site,
            )
            for tag in tags
        ]
    )


async def test_asset_crud(client: httpx.AsyncClient, world: World) -> None:
    auth = await world.headers("north_manager")
    created = await client.post(
        "/api/assets",
        json=asset_body(
            world,
            serial="SN-42",
            installed_on="2024-03-01",
            warranty_until="2027-03-01",
            maintenance_interval_days=90,
            meter_unit="h",
        ),
        headers=auth,
    )
    assert created.status_code == 201, created.text
    asset = created.json()
    assert asset["installed_on"] == "2024-03-01"
    assert asset["maintenance_interval_days"] == 90
    assert asset["site_id"] == str(world.sites["central"])
    assert (await client.get(f"/api/assets/{asset['id']}", headers=auth)).json() == asset

    changed = await client.patch(
        f"/api/assets/{asset['id']}",
        json={"name": "Booster pump 2", "serial": None, "warranty_until": "2024-03-01"},
        headers=auth,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json() == {
        **asset,
        "name": "Booster pump 2",
        "serial": None,
        "warranty_until": "2024-03-01",
    }

    assert (await client.delete(f"/api/assets/{asset['id']}", headers=auth)).status_code == 204
    assert_error(await client.get(f"/api/assets/{asset['id']}", headers=auth), 404, "not_found")


async def test_tags_are_normalised_and_unique(client: httpx.AsyncClient, world: World) -> None:
    auth = await world.headers("admin")
    created = await client.post(
        "/api/assets", json=asset_body(world, tag="  pump-7a\t"), headers=auth
    )
    assert created.status_code == 201, created.text
    assert created.json()["tag"] == "PUMP-7A"
    stored = await Asset.select(Asset.tag).where(Asset.id == created.json()["id"]).first()
    assert stored == {"tag": "PUMP-7A"}

    by_tag = await client.get("/api/assets/by-tag/pump-7a", headers=auth)
    assert by_tag.status_code == 200, by_tag.text
    assert by_tag.json() == created.json()
    assert_error(await client.get("/api/assets/by-tag/pump-7b", headers=auth), 404, "not_found")

    for spelling in ("PUMP-7A", "pump-7a", " Pump-7A "):
        duplicate = await client.post(
            "/api/assets", json=asset_body(world, tag=spelling), headers=auth
        )
        body = assert_error(duplicate, 409, "tag_taken")
        assert body["details"] == {"tag": "PUMP-7A"}

    other = (
        await client.post("/api/assets", json=asset_body(world, tag="b-1"), headers=auth)
    ).json()
    assert other["tag"] == "B-1"
    clash = await client.patch(f"/api/assets/{other['id']}", json={"tag": "pump-7a "}, headers=auth)
    assert_error(clash, 409, "tag_taken")
    renamed = await client.patch(f"/api/assets/{other['id']}", json={"tag": " b-2"}, headers=auth)
    assert renamed.json()["tag"] == "B-2"


@pytest.mark.parametrize(
    "change",
    [
        {"tag": "A B"},
        {"tag": ""},
        {"tag": "-A"},
        {"tag": "A" * 65},
        {"maintenance_interval_days": 0},
        {"maintenance_interval_days": -30},
        {"installed_on": "yesterday"},
        {"asset_type": ""},
        {"owner": "me"},
    ],
)
async def test_asset_values_out_of_range(
    client: httpx.AsyncClient, world: World, change: dict[str, Any]
) -> None:
    auth = await world.headers("admin")
    assert_error(
        await client.post("/api/assets", json=asset_body(world, **change), headers=auth),
        400,
        "validation_error",
    )


async def test_asset_rules(client: httpx.AsyncClient, world: World) -> None:
    auth = await world.headers("admin")
    backwards = await client.post(
        "/api/assets",
        json=asset_body(world, installed_on="2025-06-01", warranty_until="2025-05-31"),
        headers=auth,
    )
    body = assert_error(backwards, 422, "invalid")
    assert "warranty_until" in body["details"]

    unknown_site = await client.post(
        "/api/assets",
        json=asset_body(world, site_id="00000000-0000-4000-8000-0000000000aa"),
        headers=auth,
    )
    body = assert_error(unknown_site, 422, "unknown_reference")
    assert body["details"] == {"site_id": "00000000-0000-4000-8000-0000000000aa"}

    asset = (
        await client.post(
            "/api/assets",
            json=asset_body(world, installed_on="2025-06-01", warranty_until="2026-06-01"),
            headers=auth,
        )
    ).json()
    # The rule holds against the stored dates when only one of them changes.
    late_install = await client.patch(
        f"/api/assets/{asset['id']}", json={"installed_on": "2026-07-01"}, headers=auth
    )
    assert_error(late_install, 422, "invalid")
    early_end = await client.patch(
        f"/api/assets/{asset['id']}", json={"warranty_until": "2025-01-01"}, headers=auth
    )
    assert_error(early_end, 422, "invalid")
    cleared = await client.patch(
        f"/api/assets/{asset['id']}",
        json={"installed_on": "2026-07-01", "warranty_until": None},
        headers=auth,
    )
    assert cleared.status_code == 200, cleared.text
    moved = await client.patch(
        f"/api/assets/{asset['id']}",
        json={"site_id": "00000000-0000-4000-8000-0000000000aa"},
        headers=auth,
    )
    assert_error(moved, 422, "unknown_reference")


async def test_asset_named_by_an_order_is_in_use(client: httpx.AsyncClient, world: World) -> None:
    auth = await world.headers("admin")
    asset = (await client.post("/api/assets", json=asset_body(world), headers=auth)).json()
    await save_order(
        id=uuid4(),
        number=1,
        kind="customer_request",
        title="Pump leaks",
        priority="P2",
        status="new",
        site=world.sites["central"],
        asset=asset["id"],
        created_at=world.clock(),
        updated_at=world.clock(),
    )
    body = assert_error(
        await client.delete(f"/api/assets/{asset['id']}", headers=auth), 409, "in_use"
    )
    assert body["details"] == {"id": asset["id"]}
    assert (await client.get(f"/api/assets/{asset['id']}", headers=auth)).status_code == 200


async def test_technician_reads_assets(client: httpx.AsyncClient, world: World) -> None:
    await put_assets(world.sites["central"], ["T-1"])
    auth = await world.headers("north_tech")
    page = (await client.get("/api/assets", headers=auth)).json()
    assert [a["tag"] for a in page["items"]] == ["T-1"]
    assert (await client.get("/api/assets/by-tag/t-1", headers=auth)).status_code == 200


async def test_keyset_pages_have_no_gaps_or_duplicates(
    client: httpx.AsyncClient, world: World
) -> None:
    tags = [f"A-{n:03d}" for n in range(23)]
    await put_assets(world.sites["central"], tags[::-1])
    auth = await world.headers("admin")

    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 5}
        if cursor:
            params["cursor"] = cursor
        answer = await client.get("/api/assets", params=params, headers=auth)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        pages += 1
        seen += [a["tag"] for a in page["items"]]
        if pages == 2:
            # Rows added behind and ahead of the cursor meanwhile: no repeats, the new one
            # ahead appears.
            await put_assets(world.sites["central"], ["A-000-B", "A-100"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
        assert len(page["items"]) == 5
    assert pages == 5
    assert seen == sorted([*tags, "A-100"])
    assert len(seen) == len(set(seen))


async def test_default_limit_and_exact_last_page(client: httpx.AsyncClient, world: World) -> None:
    await put_assets(world.sites["central"], [f"D-{n:03d}" for n in range(60)])
    auth = await world.headers("admin")
    first = (await client.get("/api/assets", headers=auth)).json()
    assert len(first["items"]) == 50
    rest = (
        await client.get("/api/assets", params={"cursor": first["next_cursor"]}, headers=auth)
    ).json()
    assert len(rest["items"]) == 10
    assert rest["next_cursor"] is None
    exact = (await client.get("/api/assets", params={"limit": 60}, headers=auth)).json()
    assert len(exact["items"]) == 60
    assert exact["next_cursor"] is None


async def test_asset_filters(client: httpx.AsyncClient, world: World) -> None:
    other = Site(id=uuid4(), name="Depot", latitude=31.0, longitude=121.0)
    await other.save()
    await put_assets(world.sites["central"], ["C-1", "C-2"], asset_type="chiller", name="Chiller")
    await put_assets(world.sites["central"], ["P_1"], name="Booster pump")
    await put_assets(other.id, ["P-2"], name="Fire pump")
    auth = await world.headers("admin")

    async def tags(**params: Any) -> list[str]:
        answer = await client.get("/api/assets", params=params, headers=auth)
        assert answer.status_code == 200, answer.text
        return [a["tag"] for a in answer.json()["items"]]

    assert await tags() == ["C-1", "C-2", "P-2", "P_1"]
    assert await tags(site_id=str(other.id)) == ["P-2"]
    assert await tags(asset_type="chiller") == ["C-1", "C-2"]
    assert await tags(q="PUMP") == ["P-2", "P_1"]
    assert await tags(q="c-") == ["C-1", "C-2"]
    assert await tags(q="p_") == ["P_1"]  # '_' is literal, not a wildcard
    assert await tags(q="pump", site_id=str(world.sites["central"])) == ["P_1"]


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"limit": 0}, 400, "validation_error"),
        ({"limit": 201}, 400, "validation_error"),
        ({"limit": "many"}, 400, "validation_error"),
        ({"site_id": "not-a-uuid"}, 400, "validation_error"),
        ({"q": "x" * 101}, 400, "validation_error"),
        ({"cursor": "!!!"}, 422, "invalid"),
        ({"cursor": ""}, 422, "invalid"),
    ],
)
async def test_asset_list_parameters(
    client: httpx.AsyncClient, world: World, params: dict[str, Any], status: int, code: str
) -> None:
    answer = await client.get("/api/assets", params=params, headers=await world.headers("admin"))
    assert_error(answer, status, code)


async def test_asset_list_runs_one_query_per_page(
    client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    auth = await world.headers("admin")

    async def queries_for_listing() -> int:
        with counting_queries() as statements:
            answer = await client.get("/api/assets", params={"limit": 200}, headers=auth)
        assert answer.status_code == 200
        return len(statements)

    await put_assets(world.sites["central"], ["Q-1", "Q-2"])
    few = await queries_for_listing()
    await put_assets(world.sites["central"], [f"R-{n:03d}" for n in range(100)])
    many = await queries_for_listing()
    assert few == many == 2  # the caller's session and the page


async def test_concurrent_creates_of_one_tag(client: httpx.AsyncClient, world: World) -> None:
    auth = await world.headers("admin")
    answers = await asyncio.gather(
        *[
            client.post("/api/assets", json=asset_body(world, tag=f" race-{n % 2} "), headers=auth)
            for n in range(6)
        ]
    )
    assert sorted(a.status_code for a in answers) == [201, 201, 409, 409, 409, 409]
    for answer in answers:
        if answer.status_code == 409:
            assert_error(answer, 409, "tag_taken")
