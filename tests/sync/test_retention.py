"""Tombstones are kept for a retention window; a device away longer re-snapshots."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import httpx

from server.workorders.tables import OrderExit
from sync.retention import purge_outcomes, purge_tombstones
from sync.tables import SyncMutation
from tests.probes import assert_error
from tests.server.workorders.orders import put_order
from tests.sync.device import Device
from tests.world import World


async def test_purged_tombstones_send_old_cursors_to_a_new_snapshot(
    client: httpx.AsyncClient, world: World
) -> None:
    order_id = await put_order(world, "assigned", assignee="north_tech", team="north")
    away, fresh = Device(client, world, "north_tech"), Device(client, world, "north_tech")
    await away.pull()
    moved = await client.post(
        f"/api/work-orders/{order_id}/assignment",
        json={"assignee_id": str(world.id("south_tech")), "reason": "south takes it"},
        headers=await world.headers("admin"),
    )
    assert moved.status_code == 200, moved.text
    await fresh.pull()
    assert await OrderExit.count() == 1
    assert await purge_tombstones(world.clock() - timedelta(days=1)) == 0  # too young
    horizon = await purge_tombstones(world.clock() + timedelta(seconds=1))
    assert horizon > 0
    assert await OrderExit.count() == 0
    # The device that pulled after the tombstone goes on; the one away comes back to
    # a new snapshot instead of keeping an order it no longer has.
    [page] = await fresh.pull()
    assert page["orders"] == []
    body = assert_error(await away.pull_raw(away.cursor), 409, "resync_required")
    assert body["details"]["reason"] == "tombstones_purged"
    away.cursor, away.orders = None, {}
    await away.pull()
    assert away.orders == {}
    assert await purge_tombstones(world.clock() + timedelta(days=1)) == horizon  # nothing new


async def test_old_push_outcomes_are_forgotten_and_a_late_retry_still_applies_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    order_id = await put_order(world, "assigned", assignee="north_tech", team="north")
    phone = Device(client, world, "north_tech")
    phone.make("add_comment", order_id=order_id, id=uuid4(), body="once")
    sent = list(phone.queue)
    first = await phone.push()
    assert await purge_outcomes(world.clock() - timedelta(days=1)) == 0  # too young
    assert await purge_outcomes(world.clock() + timedelta(seconds=1)) == 1
    assert await SyncMutation.count() == 0
    late = await phone.push_raw(sent)
    assert late.status_code == 200, late.text
    assert late.json()["last_mutation_id"] == first["last_mutation_id"]
    assert [(r["outcome"], r["code"]) for r in late.json()["results"]] == [
        ("applied", "outcome_unknown")
    ]
    comments = await client.get(
        f"/api/work-orders/{order_id}/comments", headers=await world.headers("north_tech")
    )
    assert len(comments.json()) == 1
