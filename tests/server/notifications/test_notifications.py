"""In-app notifications: each user reads their own, in their language, and marks them read."""

from __future__ import annotations

from uuid import UUID, uuid4

import httpx

from server.accounts.tables import User
from tests.clock import FakeClock
from tests.probes import assert_error
from tests.server.workorders.orders import put_order
from tests.sync.device import Device
from tests.world import World


async def urge(client: httpx.AsyncClient, world: World, order_id: UUID) -> None:
    answer = await client.post(
        f"/api/work-orders/{order_id}/urge", json={}, headers=await world.headers("requester")
    )
    assert answer.status_code == 200, answer.text


async def mine(client: httpx.AsyncClient, world: World, user: str, query: str = "") -> dict:
    answer = await client.get(f"/api/notifications{query}", headers=await world.headers(user))
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def test_notifications_are_the_readers_own_and_in_their_language(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    await User.update({User.language: "en"}).where(User.id == world.id("north_manager"))
    first = await put_order(world, "assigned", assignee="north_tech", title="Boiler")
    second = await put_order(world, "assigned", assignee="north_tech", title="Pump")
    await urge(client, world, first)
    clock.advance(minutes=1)
    await urge(client, world, second)

    tech = await mine(client, world, "north_tech")
    assert tech["unread"] == 2
    assert [n["order_id"] for n in tech["items"]] == [str(second), str(first)]  # newest first
    assert tech["items"][0]["title"].endswith("催单（第 1 次）")  # zh-CN by default
    manager = await mine(client, world, "north_manager")
    assert manager["items"][0]["title"].endswith("urged (1)")
    assert "Pump" in manager["items"][0]["body"]
    assert (await mine(client, world, "south_manager"))["items"] == []

    notice = tech["items"][0]["id"]
    assert_error(
        await client.post(
            f"/api/notifications/{notice}/read", headers=await world.headers("north_manager")
        ),
        404,
        "not_found",
    )
    read = await client.post(
        f"/api/notifications/{notice}/read", headers=await world.headers("north_tech")
    )
    assert read.status_code == 204
    unread = await mine(client, world, "north_tech", "?unread=true")
    assert (unread["unread"], [n["order_id"] for n in unread["items"]]) == (1, [str(first)])
    marked = await client.post("/api/notifications/read", headers=await world.headers("north_tech"))
    assert marked.json() == {"marked": 1}
    assert (await mine(client, world, "north_tech"))["unread"] == 0
    assert (await mine(client, world, "north_manager"))["unread"] == 2


async def test_notifications_come_with_the_sync_pull(
    client: httpx.AsyncClient, world: World
) -> None:
    phone = Device(client, world, "north_tech")
    await phone.pull()
    order_id = await put_order(world, "new")
    assigned = await client.post(
        f"/api/work-orders/{order_id}/assignment",
        json={"assignee_id": str(world.id("north_tech"))},
        headers=await world.headers("north_manager"),
    )
    assert assigned.status_code == 200, assigned.text
    pages = await phone.pull()
    notices = [n for page in pages for n in page["notifications"]]
    assert [(n["kind"], n["order_id"], n["read_at"]) for n in notices] == [
        ("assigned", str(order_id), None)
    ]
    assert notices[0]["title"].endswith("已派给您")
    read = await client.post(
        f"/api/notifications/{notices[0]['id']}/read", headers=await world.headers("north_tech")
    )
    assert read.status_code == 204
    again = [n for page in await phone.pull() for n in page["notifications"]]
    assert [n["id"] for n in again] == [notices[0]["id"]]
    assert again[0]["read_at"] is not None
    # Nobody else's.
    other = Device(client, world, "north_tech2")
    assert [n for page in await other.pull() for n in page["notifications"]] == []


async def test_a_comment_tells_those_it_mentions_who_may_see_the_order(
    client: httpx.AsyncClient, world: World
) -> None:
    order_id = await put_order(world, "assigned", assignee="north_tech2", team="north")
    answer = await client.post(
        f"/api/work-orders/{order_id}/comments",
        json={"body": "@North.Tech please check; cc @south.manager @nobody, me: @north.manager"},
        headers=await world.headers("north_manager"),
    )
    assert answer.status_code == 201, answer.text
    told = await mine(client, world, "north_tech")
    assert [(n["kind"], n["order_id"]) for n in told["items"]] == [("mentioned", str(order_id))]
    assert "North Manager" in told["items"][0]["title"]
    # Outside their scope, and the author: nothing.
    assert (await mine(client, world, "south_manager"))["items"] == []
    assert (await mine(client, world, "north_manager"))["items"] == []


async def test_an_order_made_and_assigned_in_one_push_is_named_by_its_number(
    client: httpx.AsyncClient, world: World
) -> None:
    phone = Device(client, world, "north_manager")
    made = uuid4()
    phone.make("create_order", id=made, title="Boiler", department_id=world.departments["north"])
    phone.make("assign_order", order_id=made, base_version=1, assignee_id=world.id("north_tech"))
    answer = await phone.push()
    assert [r["outcome"] for r in answer["results"]] == ["applied", "applied"], answer
    number = (
        await client.get(f"/api/work-orders/{made}", headers=await world.headers("north_manager"))
    ).json()["number"]
    told = (await mine(client, world, "north_tech"))["items"]
    assert told[0]["title"] == f"{number} 已派给您"
