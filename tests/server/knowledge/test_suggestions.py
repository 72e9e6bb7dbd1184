"""Suggested articles for an order being written and on an order's page: by shared
words, service item and asset type, within what the caller may read, and only for
orders in the caller's scope."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from server.masterdata.tables import Asset
from tests.probes import assert_error
from tests.server.knowledge.library import Library, build
from tests.server.workorders.orders import put_order
from tests.world import World


@pytest.fixture
async def library(client: httpx.AsyncClient, world: World) -> Library:
    return await build(client, world)


async def chiller(world: World) -> UUID:
    row = Asset(
        id=uuid4(),
        tag="CH-1",
        name="Roof chiller",
        asset_type="chiller",
        site=world.sites["central"],
    )
    await row.save()
    return UUID(str(row.id))


async def suggest(
    client: httpx.AsyncClient,
    world: World,
    library: Library,
    who: str = "north_tech",
    **params: Any,
) -> list[tuple[str, int]]:
    answer = await client.get(
        "/api/knowledge/suggestions",
        params={k: str(v) for k, v in params.items()},
        headers=await world.headers(who),
    )
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    return list(zip(library.keys(items), [i["score"] for i in items], strict=True))


async def test_suggestions_for_a_new_order(
    client: httpx.AsyncClient, world: World, library: Library
) -> None:
    hvac = library.service_items["hvac"]
    # Common words (the, is, from) and lone characters (的) count for nothing.
    assert await suggest(
        client, world, library, title="The lift is stuck", description="People inside, 的"
    ) == [("lift_en", (4 + 2 + 1) + 4 + 1 + 1)]  # lift; stuck; people, inside: body
    assert await suggest(client, world, library, title="大堂中央空调漏水") == [
        ("ac_leak_zh", 4 * 5 + 2 * 2),  # 中央 央空 空调 调漏 漏水 in the title, two in tags
        ("ac_cooling_zh", 4 + 2),
    ]
    # The service item alone, then with words.
    assert await suggest(client, world, library, service_item_id=hvac) == [
        ("ac_leak_zh", 6),
        ("ac_leak_en", 6),
    ]
    assert await suggest(
        client, world, library, title="Water on the floor", service_item_id=hvac
    ) == [("ac_leak_en", 6 + 4 + 1), ("ac_leak_zh", 6), ("lift_en", 4)]  # floor: floors
    # The asset's type.
    assert await suggest(client, world, library, asset_id=await chiller(world)) == [
        ("ac_cooling_zh", 4),
        ("compressor", 4),
    ]
    assert await suggest(client, world, library, title="xyzzy") == []
    assert await suggest(client, world, library) == []
    assert len(await suggest(client, world, library, title="the lift water 空调", limit=2)) == 2


async def test_suggestions_follow_what_the_caller_may_read(
    client: httpx.AsyncClient, world: World, library: Library
) -> None:
    assert await suggest(client, world, library, "admin", title="water leak") == [
        ("ac_leak_en", (4 + 1) + (4 + 2)),  # water: title, body; leak: title, tag
        ("draft", 8),
    ]
    assert await suggest(client, world, library, "requester", title="water leak 漏水") == [
        ("ac_leak_zh", 4 + 2)
    ]


async def test_unknown_references_are_refused(
    client: httpx.AsyncClient, world: World, library: Library
) -> None:
    headers = await world.headers("north_tech")
    for field in ("service_item_id", "asset_id"):
        missing = str(uuid4())
        answer = await client.get(
            "/api/knowledge/suggestions", params={field: missing}, headers=headers
        )
        assert assert_error(answer, 422, "unknown_reference")["details"] == {field: missing}
    answer = await client.get(
        "/api/knowledge/suggestions", params={"description": "x" * 2001}, headers=headers
    )
    assert_error(answer, 400, "validation_error")


async def test_articles_on_an_order_page(
    client: httpx.AsyncClient, world: World, library: Library
) -> None:
    order = await put_order(
        world,
        "assigned",
        assignee="north_tech",
        title="Chiller noisy",
        description="The compressor hums and stops.",
        service_item=library.service_items["hvac"],
        asset=await chiller(world),
        site=world.sites["central"],
    )
    url = f"/api/work-orders/{order}/articles"
    answer = await client.get(url, headers=await world.headers("north_tech"))
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    assert list(zip(library.keys(items), [i["score"] for i in items], strict=True)) == [
        ("compressor", 4 + 4),  # compressor in the title, chiller asset type
        ("ac_leak_en", 6 + 1),  # hvac service item, compressor in the body
        ("ac_leak_zh", 6),
        ("ac_cooling_zh", 4),
    ]
    assert (
        len(
            (
                await client.get(url, params={"limit": 1}, headers=await world.headers("admin"))
            ).json()["items"]
        )
        == 1
    )
    # The requester of the order sees the public articles only.
    answer = await client.get(url, headers=await world.headers("requester"))
    assert library.keys(answer.json()["items"]) == ["ac_leak_zh"]
    # Outside the caller's scope, or no such order: not found.
    for who in ("south_tech", "south_manager", "other_requester"):
        assert_error(await client.get(url, headers=await world.headers(who)), 404, "not_found")
    assert_error(
        await client.get(
            f"/api/work-orders/{uuid4()}/articles", headers=await world.headers("admin")
        ),
        404,
        "not_found",
    )
