"""Concurrent writers never lose an update, on SQLite (IMMEDIATE transactions) and
PostgreSQL (row locks and single-statement bumps)."""

from __future__ import annotations

import asyncio

import httpx

from server.workorders.tables import TimelineEvent, WorkOrder
from tests.server.workorders.orders import put_order
from tests.world import World

WRITERS = 16


async def test_concurrent_edits_chain_without_gaps(client: httpx.AsyncClient, world: World) -> None:
    order_id = await put_order(world, "assigned", assignee="north_tech", team="north")
    headers = await world.headers("north_manager")
    responses = await asyncio.gather(
        *[
            client.patch(
                f"/api/work-orders/{order_id}", json={"description": f"edit {n}"}, headers=headers
            )
            for n in range(WRITERS)
        ]
    )
    assert [r.status_code for r in responses] == [200] * WRITERS
    events = (
        await TimelineEvent.select(TimelineEvent.version, TimelineEvent.changes)
        .where(TimelineEvent.order == order_id)
        .order_by(TimelineEvent.version)
        .output(load_json=True)
    )
    assert [e["version"] for e in events] == list(range(2, WRITERS + 2))
    # Each edit saw the value the previous one wrote: nothing was overwritten unseen.
    previous = ""
    for event in events:
        old, new = event["changes"]["description"]
        assert old == previous
        previous = new
    row = (
        await WorkOrder.select(WorkOrder.version, WorkOrder.description)
        .where(WorkOrder.id == order_id)
        .first()
    )
    assert row == {"version": WRITERS + 1, "description": previous}


async def test_concurrent_comments_and_edits_share_one_version_sequence(
    client: httpx.AsyncClient, world: World
) -> None:
    order_id = await put_order(world, "in_progress", assignee="north_tech", team="north")
    tech = await world.headers("north_tech")
    manager = await world.headers("north_manager")
    calls = []
    for n in range(WRITERS):
        calls.append(
            client.post(
                f"/api/work-orders/{order_id}/comments", json={"body": f"c{n}"}, headers=tech
            )
        )
        calls.append(
            client.patch(f"/api/work-orders/{order_id}", json={"title": f"t{n}"}, headers=manager)
        )
    responses = await asyncio.gather(*calls)
    assert all(r.status_code in (200, 201) for r in responses), [r.text for r in responses]
    versions = [
        row["version"]
        for row in await TimelineEvent.select(TimelineEvent.version).where(
            TimelineEvent.order == order_id
        )
    ]
    assert sorted(versions) == list(range(2, 2 * WRITERS + 2))
    final = await WorkOrder.select(WorkOrder.version).where(WorkOrder.id == order_id).first()
    assert final["version"] == 2 * WRITERS + 1


async def test_concurrent_creates_get_distinct_numbers(
    client: httpx.AsyncClient, world: World
) -> None:
    headers = await world.headers("north_manager")
    responses = await asyncio.gather(
        *[
            client.post("/api/work-orders", json={"title": f"order {n}"}, headers=headers)
            for n in range(WRITERS)
        ]
    )
    numbers = sorted(r.json()["number"] for r in responses)
    assert numbers == [f"WO-{n:06d}" for n in range(1, WRITERS + 1)]


async def test_racing_accepts_let_exactly_one_win(client: httpx.AsyncClient, world: World) -> None:
    order_id = await put_order(world, "assigned", assignee="north_tech", team="north")
    headers = await world.headers("north_tech")
    responses = await asyncio.gather(
        *[
            client.post(
                f"/api/work-orders/{order_id}/transitions",
                json={"action": "accept"},
                headers=headers,
            )
            for _ in range(8)
        ]
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] + [409] * 7
    assert await TimelineEvent.count().where(TimelineEvent.order == order_id) == 1


async def test_concurrent_marks_are_all_kept(client: httpx.AsyncClient, world: World) -> None:
    order_id = await put_order(world, "assigned", assignee="north_tech", team="north")
    headers = await world.headers("north_tech")
    for _ in range(5):
        await client.put(
            f"/api/work-orders/{order_id}/flags",
            json={"starred": False, "important": False},
            headers=headers,
        )
        await asyncio.gather(
            client.put(
                f"/api/work-orders/{order_id}/flags", json={"starred": True}, headers=headers
            ),
            client.put(
                f"/api/work-orders/{order_id}/flags", json={"important": True}, headers=headers
            ),
        )
        detail = (await client.get(f"/api/work-orders/{order_id}", headers=headers)).json()
        assert (detail["starred"], detail["important"]) == (True, True)


async def test_a_comment_never_moves_the_first_response(
    client: httpx.AsyncClient, world: World
) -> None:
    order_id = await put_order(world, "assigned", assignee="north_tech", team="north")
    tech = await world.headers("north_tech")
    await client.post(
        f"/api/work-orders/{order_id}/transitions", json={"action": "accept"}, headers=tech
    )
    world.clock.advance(hours=3)
    await client.post(f"/api/work-orders/{order_id}/comments", json={"body": "on it"}, headers=tech)
    detail = (await client.get(f"/api/work-orders/{order_id}", headers=tech)).json()
    assert detail["first_response_at"] == "2026-11-02T08:00:00Z"
