"""Full-text search: the same expected hits, in the same order, on SQLite (FTS5) and
PostgreSQL (tsvector), for English words and Chinese substrings; filters,
visibility, pagination, an index that follows every write, and a fixed number of
queries per search."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from server.knowledge.tables import KnowledgeArticle
from tests.probes import counting_queries
from tests.server.knowledge.library import Library, build
from tests.world import World


@pytest.fixture
async def library(client: httpx.AsyncClient, world: World) -> Library:
    return await build(client, world)


async def search(
    client: httpx.AsyncClient,
    world: World,
    library: Library,
    who: str = "north_tech",
    **params: Any,
) -> list[str]:
    answer = await client.get(
        "/api/knowledge/articles", params=params, headers=await world.headers(who)
    )
    assert answer.status_code == 200, answer.text
    return library.keys(answer.json()["items"])


# Query -> the articles a technician finds, best first. World users read zh-CN: at
# equal relevance Chinese articles come first, then the latest changed.
EXPECTED = {
    # Chinese: any substring of two characters or more, a lone character too.
    "空调": ["ac_cooling_zh", "ac_leak_zh"],
    "中央空调": ["ac_leak_zh"],
    "空调 漏水": ["ac_leak_zh"],
    "空调漏水": ["ac_leak_zh"],
    "水": ["ac_leak_zh"],
    "冷凝水管": ["ac_leak_zh"],  # in **bold** in the body: Markdown marks are not words
    "电梯": ["lift_zh"],
    "制冷剂": ["ac_cooling_zh"],
    # English: every word, each as a prefix, case and accents folded.
    "leak": ["ac_leak_en"],
    "LEAKING water": ["ac_leak_en"],
    "compressor": ["compressor", "ac_leak_en"],  # title (4) before body (1)
    "compres": ["compressor", "ac_leak_en"],
    "r410a": ["ac_cooling_zh", "compressor"],  # equal relevance: Chinese first
    "R410": ["ac_cooling_zh", "compressor"],
    "lift": ["lift_en"],
    "force door": ["lift_en"],
    "cafe": ["cafe"],
    "CAFÉ": ["cafe"],
    "the": ["cafe", "lift_en", "compressor", "ac_leak_en"],  # title, then latest first
    # Every word must be found.
    "空调 leak": [],
    "xyzzy": [],
    # Words without letters or digits ask for nothing: the plain list.
    "?!": [
        "ac_cooling_zh",
        "lift_zh",
        "ac_leak_zh",
        "cafe",
        "lift_en",
        "compressor",
        "ac_leak_en",
    ],
}


async def test_the_same_hits_in_the_same_order_on_both_engines(
    client: httpx.AsyncClient, world: World, library: Library, engine_name: str
) -> None:
    found = {q: await search(client, world, library, q=q) for q in EXPECTED}
    assert found == EXPECTED


async def test_scores_say_where_the_words_are(
    client: httpx.AsyncClient, world: World, library: Library
) -> None:
    answer = await client.get(
        "/api/knowledge/articles",
        params={"q": "compressor"},
        headers=await world.headers("north_tech"),
    )
    assert [(item["title"], item["score"]) for item in answer.json()["items"]] == [
        ("Compressor will not start", 4),
        ("Air conditioner leaking water", 1),
    ]
    answer = await client.get(
        "/api/knowledge/articles", params={"q": "中央空调"}, headers=await world.headers("admin")
    )
    # 中央, 央空 in the title; 空调 in the title and a tag.
    assert [item["score"] for item in answer.json()["items"]] == [4 + 4 + 4 + 2]


async def test_who_finds_what(client: httpx.AsyncClient, world: World, library: Library) -> None:
    # Editors find drafts; requesters only published articles marked public.
    assert await search(client, world, library, "admin", q="leak") == ["ac_leak_en", "draft"]
    assert await search(client, world, library, "north_manager", q="water") == [
        "ac_leak_en",
        "draft",
    ]
    assert await search(client, world, library, "north_tech", q="water") == ["ac_leak_en"]
    assert await search(client, world, library, "requester", q="空调") == ["ac_leak_zh"]
    assert await search(client, world, library, "requester", q="leak") == []
    assert await search(client, world, library, "requester") == ["ac_leak_zh", "lift_en"]
    assert await search(client, world, library, "admin", published="false") == ["draft"]
    assert await search(client, world, library, "north_tech", published="false") == []


async def test_filters(client: httpx.AsyncClient, world: World, library: Library) -> None:
    hvac = str(library.service_items["hvac"])
    assert await search(client, world, library, tag="HVAC") == ["compressor", "ac_leak_en"]
    assert await search(client, world, library, tag="空调") == ["ac_cooling_zh", "ac_leak_zh"]
    assert await search(client, world, library, language="zh-CN") == [
        "ac_cooling_zh",
        "lift_zh",
        "ac_leak_zh",
    ]
    assert await search(client, world, library, service_item_id=hvac) == [
        "ac_leak_zh",
        "ac_leak_en",
    ]
    assert await search(client, world, library, asset_type="chiller") == [
        "ac_cooling_zh",
        "compressor",
    ]
    assert await search(client, world, library, q="空调", language="en") == []
    assert await search(client, world, library, q="leak", service_item_id=hvac) == ["ac_leak_en"]


async def test_pages(client: httpx.AsyncClient, world: World, library: Library) -> None:
    headers = await world.headers("north_tech")
    first = (
        await client.get(
            "/api/knowledge/articles", params={"q": "the", "limit": 3}, headers=headers
        )
    ).json()
    assert library.keys(first["items"]) == ["cafe", "lift_en", "compressor"]
    assert first["next_offset"] == 3
    rest = (
        await client.get(
            "/api/knowledge/articles", params={"q": "the", "limit": 3, "offset": 3}, headers=headers
        )
    ).json()
    assert library.keys(rest["items"]) == ["ac_leak_en"]
    assert rest["next_offset"] is None
    for params in ({"limit": 0}, {"limit": 101}, {"offset": -1}, {"q": "x" * 201}):
        answer = await client.get("/api/knowledge/articles", params=params, headers=headers)
        assert answer.status_code == 400, params


async def fts_integrity(engine_name: str) -> None:
    """SQLite: the FTS5 index matches the article rows (an error otherwise)."""
    if engine_name == "sqlite":
        await KnowledgeArticle.raw(
            "INSERT INTO knowledge_article_fts (knowledge_article_fts) VALUES ('integrity-check')"
        )


async def test_the_index_follows_every_change(
    client: httpx.AsyncClient, world: World, library: Library, engine_name: str
) -> None:
    headers = await world.headers("admin")
    answer = await client.patch(
        f"/api/knowledge/articles/{library.ids['compressor']}",
        json={"title": "Chiller will not start", "tags": []},
        headers=headers,
    )
    assert answer.status_code == 200, answer.text
    assert await search(client, world, library, q="compressor") == ["ac_leak_en"]
    assert await search(client, world, library, q="chiller") == ["compressor"]
    assert await search(client, world, library, tag="hvac") == ["ac_leak_en"]
    # The body alone: the title's terms stay.
    answer = await client.patch(
        f"/api/knowledge/articles/{library.ids['lift_zh']}",
        json={"body": "联系维保单位。"},
        headers=headers,
    )
    assert answer.status_code == 200, answer.text
    assert await search(client, world, library, q="电梯") == ["lift_zh"]
    assert await search(client, world, library, q="维保") == ["lift_zh"]
    assert await search(client, world, library, q="被困人员") == []
    answer = await client.delete(
        f"/api/knowledge/articles/{library.ids['lift_en']}", headers=headers
    )
    assert answer.status_code == 204
    assert await search(client, world, library, q="lift") == []
    await fts_integrity(engine_name)


async def test_a_search_runs_a_fixed_number_of_queries(
    client: httpx.AsyncClient, world: World, library: Library
) -> None:
    headers = await world.headers("north_tech")
    counts = {}
    for params in (
        {"q": "xyzzy"},
        {"q": "leak"},
        {"q": "the"},
        {"q": "the 空调 r410a compressor lift 电梯"},
        {},
        {"tag": "hvac", "language": "en", "service_item_id": str(library.service_items["hvac"])},
    ):
        with counting_queries() as statements:
            answer = await client.get("/api/knowledge/articles", params=params, headers=headers)
        assert answer.status_code == 200
        counts[str(params)] = len(statements)
    # The caller's session, then the page.
    assert set(counts.values()) == {2}, counts
