"""Input that once broke one engine or the other: every answer is a clear 4xx or a
correct 2xx, the same on SQLite and PostgreSQL, and nothing is stored."""

from __future__ import annotations

import base64

import httpx
import msgspec
import pytest

from server.workorders.tables import Comment, WorkOrder
from tests.probes import assert_error
from tests.server.workorders.orders import put_order
from tests.world import World


def cursor(sort: str, value: object, order_id: str) -> str:
    raw = msgspec.json.encode({"sort": sort, "value": value, "id": order_id})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


async def test_nul_characters_are_refused(client: httpx.AsyncClient, world: World) -> None:
    headers = await world.headers("admin")
    order_id = await put_order(world, "new")
    for response in (
        await client.post("/api/work-orders", json={"title": "a\u0000b"}, headers=headers),
        await client.post(
            f"/api/work-orders/{order_id}/comments", json={"body": "x\u0000"}, headers=headers
        ),
        await client.get("/api/work-orders", params={"q": "a\x00b"}, headers=headers),
    ):
        assert_error(response, 400, "invalid_character")
    assert await WorkOrder.count() == 1
    assert await Comment.count() == 0
    escaped = await client.post(
        "/api/work-orders", json={"title": "C:\\\\u0000 is a path"}, headers=headers
    )
    assert escaped.status_code == 201, escaped.text


@pytest.mark.parametrize("text", ["²", "WO-²", "٣"])
async def test_non_ascii_digits_search_as_text(
    client: httpx.AsyncClient, world: World, text: str
) -> None:
    await put_order(world, "new", title="Pump ² noise")
    response = await client.get(
        "/api/work-orders", params={"q": text}, headers=await world.headers("admin")
    )
    assert response.status_code == 200
    titles = [item["title"] for item in response.json()["items"]]
    assert titles == (["Pump ² noise"] if text == "²" else [])


async def test_search_folds_case_beyond_ascii(client: httpx.AsyncClient, world: World) -> None:
    await put_order(world, "new", title="Ölwechsel im Keller")
    for text in ("öl", "ÖL", "Öl", "KELLER"):
        response = await client.get(
            "/api/work-orders", params={"q": text}, headers=await world.headers("admin")
        )
        assert [i["title"] for i in response.json()["items"]] == ["Ölwechsel im Keller"], text


@pytest.mark.parametrize(
    ("sort", "value"),
    [
        ("number", 99_999_999_999),
        ("number", 2**70),
        ("number", -5),
        ("priority", "P9"),
        ("created_at", "yesterday"),
        ("priority", 3),
    ],
)
async def test_crafted_cursors_are_refused(
    client: httpx.AsyncClient, world: World, sort: str, value: object
) -> None:
    token = cursor(sort, value, "00000000-0000-4000-8000-000000000001")
    response = await client.get(
        "/api/work-orders",
        params={"sort": sort, "cursor": token},
        headers=await world.headers("admin"),
    )
    assert_error(response, 422, "invalid_cursor")


async def test_views_and_filters_that_exclude_each_other_give_an_empty_page(
    client: httpx.AsyncClient, world: World
) -> None:
    await put_order(world, "closed", assignee="north_tech", team="north")
    for who in ("admin", "north_manager", "north_tech", "requester"):
        response = await client.get(
            "/api/work-orders",
            params={"view": "unresolved", "status": "closed"},
            headers=await world.headers(who),
        )
        assert response.status_code == 200, (who, response.text)
        assert response.json() == {"items": [], "next_cursor": None}


async def test_times_need_an_offset(client: httpx.AsyncClient, world: World) -> None:
    headers = await world.headers("admin")
    naive = await client.post(
        "/api/work-orders", json={"title": "x", "due_at": "2026-11-05T10:00:00"}, headers=headers
    )
    assert_error(naive, 400, "validation_error")
    listed = await client.get(
        "/api/work-orders", params={"due_from": "2026-11-05T10:00:00"}, headers=headers
    )
    assert_error(listed, 422, "timezone_required")
    aware = await client.post(
        "/api/work-orders",
        json={"title": "x", "due_at": "2026-11-05T18:00:00+08:00"},
        headers=headers,
    )
    assert aware.json()["due_at"] == "2026-11-05T10:00:00Z"
    found = await client.get(
        "/api/work-orders", params={"due_from": "2026-11-05T10:00:00Z"}, headers=headers
    )
    assert [i["id"] for i in found.json()["items"]] == [aware.json()["id"]]
    assert await WorkOrder.count() == 1
