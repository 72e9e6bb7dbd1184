"""List views, filters, sorting and keyset pages, with a fixed query count."""

from __future__ import annotations

import httpx

from server.workorders import schemas
from server.workorders.tables import OrderFlag
from tests.probes import counting_queries
from tests.server.workorders.orders import put_order
from tests.world import World


async def make_orders(world: World, count: int) -> list[str]:
    ids = []
    for index in range(count):
        world.clock.advance(minutes=1)
        ids.append(
            str(
                await put_order(
                    world,
                    ["new", "assigned", "in_progress", "resolved", "closed"][index % 5],
                    assignee="north_tech" if index % 5 else None,
                    team="north" if index % 5 else None,
                    priority=f"P{index % 5 + 1}",
                    title=f"Boiler {index}" if index % 3 == 0 else f"Lift {index}",
                )
            )
        )
    return ids


async def test_query_count_does_not_grow_with_page_size(
    client: httpx.AsyncClient, world: World
) -> None:
    await make_orders(world, 60)
    headers = await world.headers("north_manager")
    await client.put(
        f"/api/work-orders/{(await client.get('/api/work-orders', headers=headers)).json()['items'][0]['id']}/flags",
        json={"starred": True},
        headers=headers,
    )
    counts = {}
    for limit in (1, 10, 50):
        for view in ("all", "starred"):
            with counting_queries() as seen:
                response = await client.get(
                    f"/api/work-orders?limit={limit}&view={view}&q=boiler&status=new&status=closed",
                    headers=headers,
                )
            assert response.status_code == 200
            counts[(limit, view)] = len(seen)
    # the session lookup, then the page with names and the caller's flags joined in
    assert set(counts.values()) == {2}, counts


async def test_keyset_pages_cover_everything_once(client: httpx.AsyncClient, world: World) -> None:
    ids = await make_orders(world, 23)
    headers = await world.headers("admin")
    for sort in ("-created_at", "created_at", "priority", "-priority", "number", "-updated_at"):
        seen: list[str] = []
        cursor = None
        pages = 0
        while True:
            url = f"/api/work-orders?limit=5&sort={sort}" + (f"&cursor={cursor}" if cursor else "")
            page = (await client.get(url, headers=headers)).json()
            seen += [item["id"] for item in page["items"]]
            pages += 1
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert sorted(seen) == sorted(ids), sort
        assert len(seen) == len(set(seen))
        assert pages == 5
    newest_first = (await client.get("/api/work-orders?limit=3", headers=headers)).json()
    assert [item["id"] for item in newest_first["items"]] == ids[::-1][:3]
    by_priority = (
        await client.get("/api/work-orders?sort=priority&limit=23", headers=headers)
    ).json()
    priorities = [item["priority"] for item in by_priority["items"]]
    assert priorities == sorted(priorities)


async def test_views_and_filters(client: httpx.AsyncClient, world: World) -> None:
    ids = await make_orders(world, 10)
    headers = await world.headers("north_tech")
    await client.put(f"/api/work-orders/{ids[1]}/flags", json={"starred": True}, headers=headers)
    await client.put(f"/api/work-orders/{ids[2]}/flags", json={"important": True}, headers=headers)
    await client.put(
        f"/api/work-orders/{ids[2]}/flags",
        json={"starred": False},
        headers=await world.headers("north_manager"),
    )

    async def listed(query: str, who: str = "north_tech") -> set[str]:
        response = await client.get(f"/api/work-orders?{query}", headers=await world.headers(who))
        assert response.status_code == 200, response.text
        return {item["id"] for item in response.json()["items"]}

    assigned = {ids[i] for i in range(10) if i % 5}
    assert await listed("view=all") == assigned
    assert await listed("view=mine") == assigned
    assert await listed("view=starred") == {ids[1]}
    assert await listed("view=important") == {ids[2]}
    assert await listed("view=starred", "north_manager") == set()
    assert await listed("view=unresolved") == {ids[1], ids[2], ids[6], ids[7]}
    assert await listed("view=awaiting_response", "admin") == {
        ids[i] for i in range(10) if i % 5 in (0, 1, 2)
    }
    assert await listed("status=resolved&status=closed") == {ids[3], ids[4], ids[8], ids[9]}
    assert await listed("priority=P2") == {ids[1], ids[6]}
    assert await listed("q=BOILER", "admin") == {ids[0], ids[3], ids[6], ids[9]}
    page = (
        await client.get("/api/work-orders?limit=1", headers=await world.headers("admin"))
    ).json()
    number = page["items"][0]["number"]
    assert await listed(f"q={number}", "admin") == {page["items"][0]["id"]}
    assert await listed(f"assignee_id={world.id('north_tech')}", "admin") == assigned
    assert await listed(
        "created_from=2026-11-02T08:03:00Z&created_to=2026-11-02T08:05:00Z", "admin"
    ) == {ids[2], ids[3]}
    flags = (await client.get("/api/work-orders?view=starred", headers=headers)).json()["items"]
    assert flags[0]["starred"] is True
    assert flags[0]["important"] is False
    assert await OrderFlag.count() == 3


async def test_bad_list_parameters(client: httpx.AsyncClient, world: World) -> None:
    headers = await world.headers("admin")
    for query in (
        "view=everything",
        "status=open",
        "priority=P9",
        "limit=0",
        "limit=201",
        "site_id=not-a-uuid",
        "created_from=yesterday",
        "sort=title",
    ):
        response = await client.get(f"/api/work-orders?{query}", headers=headers)
        assert response.status_code == 400, query
        assert response.json()["code"] == "validation_error"
        assert response.json()["message"]
    bad_cursor = await client.get("/api/work-orders?cursor=bm9wZQ", headers=headers)
    assert bad_cursor.status_code == 422
    assert bad_cursor.json()["code"] == "invalid_cursor"
    other_sort = (await client.get("/api/work-orders?limit=1", headers=headers)).json()
    await make_orders(world, 3)
    other_sort = (await client.get("/api/work-orders?limit=1", headers=headers)).json()
    mixed = await client.get(
        f"/api/work-orders?sort=priority&cursor={other_sort['next_cursor']}", headers=headers
    )
    assert mixed.status_code == 422


async def test_status_filters_split_by_status_keep_order_and_pages(
    client: httpx.AsyncClient, world: World
) -> None:
    ids = await make_orders(world, 30)
    expected = [ids[i] for i in range(30) if i % 5 in (0, 1, 2)][::-1]  # new/assigned/in_progress
    for who in ("admin", "north_manager", "north_tech"):
        headers = await world.headers(who)
        seen: list[str] = []
        cursor = ""
        while True:
            page = (
                await client.get(
                    f"/api/work-orders?view=unresolved&limit=4{cursor}", headers=headers
                )
            ).json()
            seen += [item["id"] for item in page["items"]]
            if page["next_cursor"] is None:
                break
            cursor = f"&cursor={page['next_cursor']}"
        visible = (
            expected
            if who != "north_tech"
            else [ids[i] for i in range(30) if i % 5 in (1, 2)][::-1]
        )
        assert seen == visible, who


async def test_list_items_read_exactly_like_the_order_itself(
    client: httpx.AsyncClient, world: World
) -> None:
    """A list page passes the database's documents through: each must carry the same
    values, written the same way, as the order's own answer."""
    headers = await world.headers("north_manager")
    world.clock.advance(microseconds=123_456)
    created = await client.post(
        "/api/work-orders",
        json={
            "title": "Chiller trips",
            "description": "Trips twice a day",
            "priority": "P2",
            "due_at": "2026-11-03T09:30:00+08:00",
            "device_time": "2026-11-02T15:59:00+08:00",
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    order_id = created.json()["id"]
    await client.put(f"/api/work-orders/{order_id}/flags", json={"starred": True}, headers=headers)
    world.clock.advance(microseconds=876_544)  # a whole second: no fraction written
    await put_order(world, "resolved", assignee="north_tech", resolved_at=world.clock())
    listed = (await client.get("/api/work-orders", headers=headers)).json()["items"]
    assert {item["id"] for item in listed} >= {order_id}
    for item in listed:
        assert set(item) == set(schemas.WorkOrder.__struct_fields__)
        detail = (await client.get(f"/api/work-orders/{item['id']}", headers=headers)).json()
        assert item == {key: detail[key] for key in item}
    mine = next(item for item in listed if item["id"] == order_id)
    assert mine["due_at"] == "2026-11-03T01:30:00Z"
    assert mine["created_at"] == "2026-11-02T08:00:00.123456Z"
    assert mine["starred"] is True
    assert listed[0]["created_at"] == "2026-11-02T08:00:01Z"
