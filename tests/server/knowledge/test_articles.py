"""Writing and reading articles: who may do what, what is refused and with which
code, and what an article answers (its Markdown and its safe HTML)."""

from __future__ import annotations

import random
from uuid import uuid4

import httpx

from server.knowledge.tables import KnowledgeArticleServiceItem
from server.masterdata.tables import ServiceItem
from tests.probes import assert_error
from tests.server.knowledge.library import service_item, write
from tests.world import World

URL = "/api/knowledge/articles"


async def test_an_article_from_writing_to_deletion(client: httpx.AsyncClient, world: World) -> None:
    hvac = await service_item("hvac service")
    article = await write(
        client,
        world,
        "north_manager",
        title="Air conditioner leaking",
        body="## Fix\n\nClear the **drain**. <script>alert(1)</script>",
        tags=[" HVAC ", "hvac", "Leak"],
        service_item_ids=[str(hvac), str(hvac)],
        asset_types=["split unit", "split unit"],
        language="en",
        published=False,
    )
    assert article["number"] == "KB-000001"
    assert article["tags"] == ["hvac", "leak"]
    assert article["service_item_ids"] == [str(hvac)]
    assert article["asset_types"] == ["split unit"]
    assert article["body"].endswith("<script>alert(1)</script>")
    assert article["html"] == (
        "<h2>Fix</h2>\n<p>Clear the <strong>drain</strong>. "
        "&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
    )
    assert article["created_by_id"] == str(world.id("north_manager"))
    assert article["created_at"] == article["updated_at"] == "2026-11-02T08:00:00Z"
    assert (article["helped"], article["not_helped"], article["my_vote"]) == (0, 0, None)
    assert article["published"] is False

    # A draft is the editors' alone.
    url = f"{URL}/{article['id']}"
    assert (await client.get(url, headers=await world.headers("south_manager"))).status_code == 200
    assert_error(await client.get(url, headers=await world.headers("north_tech")), 404, "not_found")

    world.clock.advance(hours=1)
    answer = await client.patch(
        url,
        json={"published": True, "service_item_ids": [], "title": "AC leaking"},
        headers=await world.headers("admin"),
    )
    assert answer.status_code == 200, answer.text
    changed = answer.json()
    assert changed["title"] == "AC leaking"
    assert changed["service_item_ids"] == []
    assert changed["tags"] == ["hvac", "leak"]
    assert changed["updated_by_id"] == str(world.id("admin"))
    assert changed["updated_at"] == "2026-11-02T09:00:00Z"
    assert changed["created_at"] == "2026-11-02T08:00:00Z"
    assert (await client.get(url, headers=await world.headers("north_tech"))).json() == {
        **changed,
        "my_vote": None,
    }
    # Published, not public: staff only.
    assert_error(await client.get(url, headers=await world.headers("requester")), 404, "not_found")
    await client.patch(url, json={"public": True}, headers=await world.headers("admin"))
    assert (await client.get(url, headers=await world.headers("requester"))).status_code == 200

    second = await write(client, world, title="Second", body="Two.")
    assert second["number"] == "KB-000002"

    answer = await client.delete(url, headers=await world.headers("south_manager"))
    assert answer.status_code == 204
    assert_error(await client.get(url, headers=await world.headers("admin")), 404, "not_found")
    assert_error(await client.delete(url, headers=await world.headers("admin")), 404, "not_found")
    assert await KnowledgeArticleServiceItem.count() == 0


async def test_only_editors_write(client: httpx.AsyncClient, world: World) -> None:
    article = await write(client, world, title="Lift", body="Text.")
    url = f"{URL}/{article['id']}"
    body = {"title": "Mine", "body": "x", "language": "en"}
    for who in ("north_tech", "north_inspector", "requester"):
        headers = await world.headers(who)
        assert_error(await client.post(URL, json=body, headers=headers), 403, "forbidden")
        answer = await client.patch(url, json={"title": "x"}, headers=headers)
        assert_error(answer, 403, "forbidden")
        assert_error(await client.delete(url, headers=headers), 403, "forbidden")
    assert (await client.get(url, headers=await world.headers("admin"))).json() == article


async def test_logged_in_only(client: httpx.AsyncClient, world: World) -> None:
    assert_error(await client.get(URL), 401, "unauthorized")
    assert_error(await client.get("/api/knowledge/suggestions"), 401, "unauthorized")


VALID = {"title": "t", "body": "x", "language": "en"}
# A field set to a value (or left out: None) -> the status and code of the answer.
REFUSED: list[tuple[str, object, int, str]] = [
    ("title", None, 400, "validation_error"),
    ("title", "", 400, "validation_error"),
    ("title", "t" * 201, 400, "validation_error"),
    ("body", "", 400, "validation_error"),
    ("body", "x" * 100_001, 400, "validation_error"),
    ("language", "fr", 400, "validation_error"),
    ("tags", ["  "], 400, "validation_error"),
    ("tags", ["t" * 51], 400, "validation_error"),
    ("tags", [f"t{n}" for n in range(21)], 400, "validation_error"),
    ("asset_types", [""], 400, "validation_error"),
    ("colour", "red", 400, "validation_error"),
    ("published", "yes", 400, "validation_error"),
    ("service_item_ids", ["nope"], 400, "validation_error"),
    ("service_item_ids", [str(uuid4())], 422, "unknown_reference"),
]


async def test_refused_articles(client: httpx.AsyncClient, world: World) -> None:
    headers = await world.headers("admin")
    for field, value, status, code in REFUSED:
        body = (
            {**VALID, field: value}
            if value is not None
            else {k: v for k, v in VALID.items() if k != field}
        )
        assert_error(await client.post(URL, json=body, headers=headers), status, code)
    assert (await client.get(URL, headers=headers)).json()["items"] == []


async def test_refused_changes(client: httpx.AsyncClient, world: World) -> None:
    article = await write(client, world, title="Lift", body="Text.")
    headers = await world.headers("admin")
    url = f"{URL}/{article['id']}"
    missing = str(uuid4())
    body = assert_error(
        await client.patch(url, json={"service_item_ids": [missing]}, headers=headers),
        422,
        "unknown_reference",
    )
    assert body["details"] == {"service_item_ids": missing}
    assert_error(
        await client.patch(url, json={"title": None}, headers=headers), 400, "validation_error"
    )
    assert_error(
        await client.patch(url, json={"number": 7}, headers=headers), 400, "validation_error"
    )
    assert_error(
        await client.patch(f"{URL}/{uuid4()}", json={"title": "x"}, headers=headers),
        404,
        "not_found",
    )
    # Nothing changed by the refused writes.
    assert (await client.get(url, headers=headers)).json() == article


async def test_deleting_a_service_item_drops_its_links(
    client: httpx.AsyncClient, world: World
) -> None:
    hvac = await service_item("hvac service")
    article = await write(client, world, title="AC", body="x", service_item_ids=[str(hvac)])
    answer = await client.delete(f"/api/service-items/{hvac}", headers=await world.headers("admin"))
    assert answer.status_code == 204, answer.text
    assert await ServiceItem.count() == 0
    got = await client.get(f"{URL}/{article['id']}", headers=await world.headers("admin"))
    assert got.json()["service_item_ids"] == []


async def test_the_largest_body_of_rare_chinese_is_indexed(
    client: httpx.AsyncClient, world: World
) -> None:
    # 100,000 ideographs of CJK extension B: about as many distinct characters and
    # pairs, near 1 MB of terms, what a PostgreSQL tsvector holds at most.
    rng = random.Random(9)
    body = "".join(chr(rng.randrange(0x20000, 0x2A6D0)) for _ in range(100_000))
    article = await write(client, world, title="生僻字", body=body, language="zh-CN")
    headers = await world.headers("north_tech")
    found = await client.get(URL, params={"q": body[:2]}, headers=headers)
    assert [item["id"] for item in found.json()["items"]] == [article["id"]]
    # Past its first 20,000 distinct terms a text is not indexed.
    missed = await client.get(URL, params={"q": body[-3:]}, headers=headers)
    assert missed.json()["items"] == []
