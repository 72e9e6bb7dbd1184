"""Pull: scoped pages after a cursor, whole orders with timelines, tombstones for
orders that leave the scope, and a distinct answer when a new snapshot is needed."""

from __future__ import annotations

import asyncio
import base64
from datetime import timedelta
from uuid import UUID, uuid4

import httpx
import msgspec
import pytest

from server.accounts.actor import Actor
from server.accounts.tables import User
from server.settings import Settings
from server.workorders.tables import Counter, WorkOrder
from sync.pull import _orders_sql
from sync.retention import purge_tombstones
from tests.probes import assert_error
from tests.server.workorders.orders import put_order
from tests.sqlite_plans import plant_statistics, query_plan
from tests.sync.device import Device
from tests.world import World


async def _server_versions(ids: set[str]) -> dict[str, int]:
    rows = await WorkOrder.select(WorkOrder.id, WorkOrder.version)
    return {str(r["id"]): r["version"] for r in rows if str(r["id"]) in ids}


async def test_a_snapshot_pages_through_the_scope_once(
    client: httpx.AsyncClient, world: World
) -> None:
    mine = {
        str(await put_order(world, "assigned", assignee="north_tech", team="north"))
        for _ in range(4)
    }
    mine |= {str(await put_order(world, "new", team="north")) for _ in range(3)}
    for _ in range(3):
        await put_order(world, "assigned", assignee="south_tech", team="south", department="south")
    await put_order(world, "new", department="north")  # the department's, not the team's
    phone = Device(client, world, "north_tech")
    pages = await phone.pull(limit=3)
    assert [len(page["orders"]) for page in pages] == [3, 3, 1]
    seen = [order["id"] for page in pages for order in page["orders"]]
    assert sorted(seen) == sorted(mine)
    assert all(page["tombstones"] == [] for page in pages)
    assert pages[-1]["last_mutation_id"] == 0


async def test_incremental_pulls_bring_only_what_changed(
    client: httpx.AsyncClient, world: World
) -> None:
    order_id = await put_order(world, "assigned", assignee="north_tech", team="north")
    other = await put_order(world, "assigned", assignee="north_tech", team="north")
    phone = Device(client, world, "north_tech")
    await phone.pull()
    manager = await world.headers("north_manager")
    edited = await client.patch(
        f"/api/work-orders/{order_id}", json={"title": "Boiler pressure low"}, headers=manager
    )
    assert edited.status_code == 200, edited.text
    south = await world.headers("south_manager")
    unrelated = await client.post("/api/work-orders", json={"title": "Elsewhere"}, headers=south)
    assert unrelated.status_code == 201
    [page] = await phone.pull()
    assert [o["id"] for o in page["orders"]] == [str(order_id)]
    assert page["orders"][0]["title"] == "Boiler pressure low"
    events = [e for e in page["timeline"] if e["order_id"] == str(order_id)]
    assert [e["kind"] for e in events] == ["edited"]
    assert phone.orders[str(other)]["version"] == 1
    [empty] = await phone.pull()
    assert empty["orders"] == []
    assert empty["cursor"] == page["cursor"]


async def test_an_order_that_leaves_the_scope_comes_as_a_tombstone(
    client: httpx.AsyncClient, world: World
) -> None:
    moved = await put_order(world, "assigned", assignee="north_tech", team="north")
    kept = await put_order(world, "assigned", assignee="north_tech", team="north")
    north, south = Device(client, world, "north_tech"), Device(client, world, "south_tech")
    await north.pull()
    await south.pull()
    assert set(north.orders) == {str(moved), str(kept)}
    assert south.orders == {}
    admin = await world.headers("admin")
    for order_id, assignee in ((moved, "south_tech"), (kept, "north_tech2")):
        answer = await client.post(
            f"/api/work-orders/{order_id}/assignment",
            json={"assignee_id": str(world.id(assignee)), "reason": "rebalancing"},
            headers=admin,
        )
        assert answer.status_code == 200, answer.text
    [page] = await north.pull()
    assert [t["order_id"] for t in page["tombstones"]] == [str(moved)]
    assert set(north.orders) == {str(kept)}  # still the team's
    assert north.orders[str(kept)]["assignee_id"] == str(world.id("north_tech2"))
    await south.pull()
    assert set(south.orders) == {str(moved)}  # entered the scope: delivered whole
    assert south.timeline[str(moved)].keys() == {2}  # its whole timeline (put_order writes none)


async def test_a_new_snapshot_is_required_when_the_scope_or_the_tombstones_changed(
    client: httpx.AsyncClient, world: World
) -> None:
    await put_order(world, "assigned", assignee="north_tech", team="north")
    phone = Device(client, world, "north_tech")
    await phone.pull()
    await User.update({User.team: world.teams["south"]}).where(User.id == world.id("north_tech"))
    body = assert_error(await phone.pull_raw(phone.cursor), 409, "resync_required")
    assert body["details"] == {"reason": "scope_changed"}
    phone.cursor = None
    await phone.pull()
    await Counter.update({Counter.value: 10**6}).where(Counter.name == "sync_purged")
    body = assert_error(await phone.pull_raw(phone.cursor), 409, "resync_required")
    assert body["details"]["reason"] == "tombstones_purged"
    assert_error(await phone.pull_raw("not-a-cursor"), 422, "invalid_cursor")
    outdated = await client.post(
        "/api/sync/pull",
        json={"protocol": 2, "client_id": str(uuid4())},
        headers=await world.headers("north_tech"),
    )
    assert_error(outdated, 400, "client_outdated")


async def test_pulls_racing_writers_miss_nothing(client: httpx.AsyncClient, world: World) -> None:
    """Sequence values can be allocated in one order and committed in another unless
    the allocation orders the commits. Each order here changes exactly once, while a
    device pulls in a loop: a change a pull skipped would never come again."""
    orders = [
        await put_order(world, "in_progress", assignee="north_tech", team="north")
        for _ in range(24)
    ]
    phone = Device(client, world, "north_tech")
    await phone.pull()
    manager = await world.headers("north_manager")

    async def writer(batch: list[UUID]) -> None:
        for order_id in batch:
            answer = await client.patch(
                f"/api/work-orders/{order_id}", json={"description": "done"}, headers=manager
            )
            assert answer.status_code == 200, answer.text

    async def puller(done: asyncio.Event) -> None:
        while not done.is_set():
            await phone.pull(limit=2)
            await asyncio.sleep(0)

    done = asyncio.Event()
    pulling = asyncio.create_task(puller(done))
    await asyncio.gather(*(writer(orders[n::6]) for n in range(6)))
    done.set()
    await pulling
    await phone.pull()
    expected = await _server_versions({str(o) for o in orders})
    assert all(v == 2 for v in expected.values())
    assert {k: v["version"] for k, v in phone.orders.items()} == expected


async def test_master_data_follows_the_orders_that_name_it(
    client: httpx.AsyncClient, world: World
) -> None:
    admin = await world.headers("admin")
    far = await client.post(
        "/api/sites",
        json={"name": "Far depot", "latitude": 31.0, "longitude": 121.0, "geofence_radius_m": 80},
        headers=admin,
    )
    assert far.status_code == 201, far.text
    central = world.sites["central"]
    await put_order(world, "assigned", assignee="north_tech", team="north", site=central)
    await put_order(
        world,
        "assigned",
        assignee="south_tech",
        team="south",
        department="south",
        site=UUID(far.json()["id"]),
    )
    item = await client.post(
        "/api/service-items",
        json={"name": "Boiler service", "default_priority": "P3"},
        headers=admin,
    )
    assert item.status_code == 201, item.text
    phone = Device(client, world, "north_tech")
    [snapshot] = await phone.pull()
    assert [s["id"] for s in snapshot["sites"]] == [str(central)]
    assert [i["name"] for i in snapshot["service_items"]] == ["Boiler service"]
    assert snapshot["deleted"] == []
    for site_id, name in ((central, "Acme Central (new entrance)"), (far.json()["id"], "Far")):
        renamed = await client.patch(f"/api/sites/{site_id}", json={"name": name}, headers=admin)
        assert renamed.status_code == 200, renamed.text
    removed = await client.delete(f"/api/service-items/{item.json()['id']}", headers=admin)
    assert removed.status_code == 204, removed.text
    [page] = await phone.pull()
    assert page["orders"] == []
    assert [s["name"] for s in page["sites"]] == ["Acme Central (new entrance)"]
    assert page["deleted"] == [{"kind": "service_item", "id": item.json()["id"]}]
    assert page["service_items"] == []


async def test_large_pulls_are_compressed_for_clients_that_accept_it(
    client: httpx.AsyncClient, world: World
) -> None:
    for _ in range(20):
        await put_order(world, "assigned", assignee="north_tech", team="north")
    body = {"protocol": 1, "client_id": str(uuid4())}
    headers = await world.headers("north_tech")
    plain, packed = [
        await client.post("/api/sync/pull", json=body, headers={**headers, "Accept-Encoding": e})
        for e in ("identity", "gzip")
    ]
    assert packed.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in plain.headers
    assert packed.json()["orders"] == plain.json()["orders"]
    assert int(packed.headers["content-length"]) < len(plain.content) / 3


async def test_a_snapshot_pages_on_after_tombstones_are_purged(
    client: httpx.AsyncClient, world: World
) -> None:
    for _ in range(3):
        await put_order(world, "assigned", assignee="north_tech", team="north")
    moved = await put_order(world, "assigned", assignee="north_tech", team="north")
    answer = await client.post(
        f"/api/work-orders/{moved}/assignment",
        json={"assignee_id": str(world.id("south_tech")), "reason": "south takes it"},
        headers=await world.headers("admin"),
    )
    assert answer.status_code == 200, answer.text
    assert await purge_tombstones(world.clock() + timedelta(seconds=1)) > 0
    phone = Device(client, world, "north_tech")
    pages = await phone.pull(limit=1)
    assert len(pages) == 3
    assert len(phone.orders) == 3


async def test_forged_cursors_are_refused(client: httpx.AsyncClient, world: World) -> None:
    phone = Device(client, world, "north_tech")
    [page] = await phone.pull()
    token = page["cursor"]
    position = msgspec.json.decode(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    for seq in (2**64 - 1, -5):
        position[0] = seq
        forged = base64.urlsafe_b64encode(msgspec.json.encode(position)).decode().rstrip("=")
        assert_error(await phone.pull_raw(forged), 422, "invalid_cursor")


# SQLite's planner only: the engine fixture is given one value, not skipped on the other.
@pytest.mark.parametrize("engine_name", ["sqlite"])
async def test_a_page_of_orders_is_read_by_id_whatever_the_statistics(
    world: World, settings: Settings
) -> None:
    """Statistics taken while every order shared one sync_seq (as after the demo
    loader) once made SQLite walk the (sync_seq, id) index for each id of a page,
    a step per distinct value: seconds per pull once the orders had changed."""
    order_id = await put_order(world, "assigned", assignee="north_tech", team="north")
    actor = Actor(
        user_id=world.id("north_tech"),
        session_id=uuid4(),
        username="north.tech",
        display_name="North Tech",
        role="technician",
        department_id=world.departments["north"],
        team_id=world.teams["north"],
        language="en",
    )
    sql = _orders_sql(actor, [order_id])
    plant_statistics(
        settings.sqlite_path,
        [
            ("work_order_sync", "1000000 1000000 1"),
            ("sqlite_autoindex_work_order_1", "1000000 1"),
        ],
    )
    plan = query_plan(settings.sqlite_path, sql.text, sql.args)
    assert any("sqlite_autoindex_work_order_1 (id=?)" in step for step in plan), plan
