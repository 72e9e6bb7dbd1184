"""Push: exactly once, in order, rejections that do not block, and bad batches that
change nothing."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import uuid4

import httpx

from server.workorders.tables import Comment, TimelineEvent, WorkOrder
from sync.tables import SyncClient, SyncMutation
from tests.probes import assert_error
from tests.server.workorders.orders import put_order
from tests.sync.device import Device
from tests.world import World


async def _state() -> dict[str, Any]:
    return {
        "orders": await WorkOrder.count(),
        "events": await TimelineEvent.count(),
        "comments": await Comment.count(),
        "mutations": await SyncMutation.count(),
        "clients": await SyncClient.select(SyncClient.id, SyncClient.last_mutation_id),
    }


async def test_offline_work_applies_once_even_when_the_answer_is_lost(
    client: httpx.AsyncClient, world: World
) -> None:
    phone = Device(client, world, "north_tech")
    order_id = uuid4()
    phone.make("create_order", id=order_id, title="Leak under sink", priority="P2")
    phone.make("add_comment", order_id=order_id, id=uuid4(), body="Found the leak")
    phone.make("set_flags", order_id=order_id, starred=True)
    first = await phone.push_raw()
    assert first.status_code == 200, first.text
    assert first.json()["last_mutation_id"] == 3
    assert [r["outcome"] for r in first.json()["results"]] == ["applied"] * 3
    before = await _state()
    # The answer was lost: the phone sends the same batch again, twice.
    for _ in range(2):
        again = await phone.push_raw()
        assert again.json() == first.json()
    assert await _state() == before
    assert before["orders"] == 1
    assert before["comments"] == 1
    detail = (
        await client.get(f"/api/work-orders/{order_id}", headers=await world.headers("north_tech"))
    ).json()
    assert detail["starred"] is True
    assert [e["kind"] for e in detail["timeline"]] == ["created", "comment"]


async def test_a_rejected_mutation_does_not_block_the_queue(
    client: httpx.AsyncClient, world: World
) -> None:
    order_id = await put_order(world, "in_progress", assignee="north_tech", team="north")
    phone = Device(client, world, "north_tech")
    # Closing is not possible from in_progress, and the order did not change since
    # the phone saw it: the phone's own mistake, rejected.
    phone.make("transition_order", order_id=order_id, base_version=1, action="close")
    phone.make("add_comment", order_id=order_id, id=uuid4(), body="Done; please close")
    phone.make("transition_order", order_id=order_id, base_version=2, action="suspend")
    phone.make("transition_order", order_id=order_id, base_version=2, action="resolve")
    phone_history = list(phone.queue)
    answer = await phone.push()
    assert [(r["outcome"], r["code"]) for r in answer["results"]] == [
        ("rejected", "illegal_transition"),
        ("applied", ""),
        ("rejected", "reason_required"),
        ("applied", ""),
    ]
    assert answer["last_mutation_id"] == 4
    assert phone.queue == []
    order = await WorkOrder.select(WorkOrder.status).where(WorkOrder.id == order_id).first()
    assert order == {"status": "resolved"}
    retried = await phone.push_raw(phone_history[:1])
    assert retried.json()["results"][0]["code"] == "illegal_transition"


async def test_a_gap_is_refused_so_the_device_resends(
    client: httpx.AsyncClient, world: World
) -> None:
    order_id = await put_order(world, "assigned", assignee="north_tech", team="north")
    phone = Device(client, world, "north_tech")
    for n in range(3):
        phone.make("add_comment", order_id=order_id, id=uuid4(), body=f"note {n}")
    await phone.push_raw(phone.queue[:1])
    before = await _state()
    gap = await phone.push_raw(phone.queue[2:])
    body = assert_error(gap, 409, "mutation_gap")
    assert body["details"] == {"last_mutation_id": 1, "first_sent": 3}
    assert await _state() == before
    answer = await phone.push()
    assert answer["last_mutation_id"] == 3
    assert await Comment.count() == 3


async def test_bad_batches_change_nothing(client: httpx.AsyncClient, world: World) -> None:
    order_id = await put_order(world, "assigned", assignee="north_tech", team="north")
    phone = Device(client, world, "north_tech")
    phone.make("add_comment", order_id=order_id, id=uuid4(), body="first")
    await phone.push()
    before = await _state()
    comment = {"order_id": str(order_id), "id": str(uuid4()), "body": "x"}
    cases: list[tuple[Any, int, str]] = [
        ([{"id": 2, "name": "launch_rocket", "args": {}}], 400, "unknown_mutation"),
        ([{"id": 2, "name": "add_comment", "args": {"order_id": 5}}], 400, "invalid_args"),
        ([{"id": 2, "name": "add_comment", "args": {**comment, "body": ""}}], 400, "invalid_args"),
        (
            [
                {"id": 3, "name": "add_comment", "args": comment},
                {"id": 2, "name": "add_comment", "args": comment},
            ],
            400,
            "ids_not_consecutive",
        ),
        ([{"id": 0, "name": "add_comment", "args": comment}], 400, "validation_error"),
        ("not a list", 400, "validation_error"),
        (
            [{"id": 2 + n, "name": "add_comment", "args": comment} for n in range(501)],
            413,
            "batch_too_large",
        ),
    ]
    for mutations, status, code in cases:
        assert_error(await phone.push_raw(mutations), status, code)
    headers = await world.headers("north_tech")
    outdated = await client.post(
        "/api/sync/push",
        json={"protocol": 99, "client_id": str(phone.client_id), "mutations": []},
        headers=headers,
    )
    assert_error(outdated, 400, "client_outdated")
    malformed = await client.post(
        "/api/sync/push", content=b'{"protocol": 1, "client_id": ', headers=headers
    )
    assert malformed.status_code == 400
    assert await _state() == before


async def test_another_users_device_is_refused(client: httpx.AsyncClient, world: World) -> None:
    order_id = await put_order(world, "assigned", assignee="north_tech", team="north")
    phone = Device(client, world, "north_tech")
    phone.make("add_comment", order_id=order_id, id=uuid4(), body="mine")
    await phone.push()
    before = await _state()
    phone.user = "north_tech2"
    phone.make("add_comment", order_id=order_id, id=uuid4(), body="not mine")
    assert_error(await phone.push_raw(), 403, "client_not_yours")
    assert_error(await phone.pull_raw(None), 403, "client_not_yours")
    assert await _state() == before


async def test_an_expired_login_keeps_the_queue(client: httpx.AsyncClient, world: World) -> None:
    order_id = await put_order(world, "assigned", assignee="north_tech", team="north")
    phone = Device(client, world, "north_tech")
    phone.make("add_comment", order_id=order_id, id=uuid4(), body="written offline")
    body = {"protocol": 1, "client_id": str(phone.client_id), "mutations": phone.queue}
    expired = await client.post(
        "/api/sync/push", json=body, headers={"Authorization": "Bearer expired.token.here"}
    )
    assert expired.status_code == 401
    assert await SyncClient.count() == 0
    await phone.push()
    await phone.push_raw()
    assert await Comment.count() == 1


async def test_a_device_ahead_of_a_restored_server_resumes_when_it_says_so(
    client: httpx.AsyncClient, world: World
) -> None:
    order_id = await put_order(world, "assigned", assignee="north_tech", team="north")
    phone = Device(client, world, "north_tech")
    for n in range(4):
        phone.make("add_comment", order_id=order_id, id=uuid4(), body=f"note {n}")
    await phone.push()
    # The server is restored from a backup taken after the device's second mutation;
    # the device already has answers for 3 and 4 and no longer holds them.
    await SyncClient.update({SyncClient.last_mutation_id: 2}).where(
        SyncClient.id == phone.client_id
    )
    phone.make("add_comment", order_id=order_id, id=uuid4(), body="after the restore")
    stuck = await phone.push_raw()
    assert_error(stuck, 409, "mutation_gap")
    body = {"protocol": 1, "client_id": str(phone.client_id), "mutations": phone.queue}
    resumed = await client.post(
        "/api/sync/push", json={**body, "resume": True}, headers=await world.headers("north_tech")
    )
    assert resumed.status_code == 200, resumed.text
    assert resumed.json()["last_mutation_id"] == 5
    assert [r["outcome"] for r in resumed.json()["results"]] == ["applied"]
    # Resuming never moves a device backwards or applies anything twice.
    again = await client.post(
        "/api/sync/push", json={**body, "resume": True}, headers=await world.headers("north_tech")
    )
    assert again.json() == resumed.json()
    assert await Comment.count() == 5


async def test_a_forgotten_device_continues_from_its_next_id(
    client: httpx.AsyncClient, world: World
) -> None:
    order_id = await put_order(world, "assigned", assignee="north_tech", team="north")
    phone = Device(client, world, "north_tech")
    phone.next_id = 57  # the server lost this device (restored from a backup)
    phone.make("add_comment", order_id=order_id, id=uuid4(), body="after the restore")
    phone.make("add_comment", order_id=order_id, id=uuid4(), body="and another")
    answer = await phone.push()
    assert answer["last_mutation_id"] == 58
    assert [r["outcome"] for r in answer["results"]] == ["applied", "applied"]
    again = await phone.push_raw([{"id": 56, "name": "add_comment", "args": {}}])
    assert_error(again, 400, "invalid_args")


async def test_concurrent_pushes_over_the_same_orders_all_apply(
    client: httpx.AsyncClient, world: World
) -> None:
    """Two devices change the same orders in opposite orders at the same time, over
    and over: no push may fail (on PostgreSQL row locks taken in opposite orders
    deadlock unless every writer takes the sequence lock first)."""
    orders = [
        await put_order(world, "in_progress", assignee="north_tech", team="north") for _ in range(4)
    ]
    phones = [Device(client, world, "north_tech"), Device(client, world, "north_tech2")]
    for round_ in range(8):
        for index, phone in enumerate(phones):
            for order_id in orders[:: 1 if index == 0 else -1]:
                phone.make("add_comment", order_id=order_id, id=uuid4(), body=f"r{round_}")
                phone.make("set_flags", order_id=order_id, starred=round_ % 2 == 0)
        answers = await asyncio.gather(*(phone.push_raw() for phone in phones))
        assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
        for phone in phones:
            phone.queue = []
    assert await Comment.count() == 8 * 2 * 4


async def test_a_value_the_database_cannot_hold_is_rejected_alone(
    client: httpx.AsyncClient, world: World
) -> None:
    order_id = await put_order(world, "in_progress", assignee="north_tech", team="north")
    phone = Device(client, world, "north_tech")
    phone.make("add_comment", order_id=order_id, id=uuid4(), body="fine")
    phone.make(
        "add_comment",
        device_time=datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-14))),
        order_id=order_id,
        id=uuid4(),
        body="from a broken clock",
    )
    phone.make("add_comment", order_id=order_id, id=uuid4(), body="after it")
    answer = await phone.push()
    assert [(r["outcome"], r["code"]) for r in answer["results"]] == [
        ("applied", ""),
        ("rejected", "invalid_value"),
        ("applied", ""),
    ]
    assert await Comment.count() == 2


async def test_marks_set_in_one_batch_end_as_the_last_one_left_them(
    client: httpx.AsyncClient, world: World
) -> None:
    order_id = await put_order(world, "in_progress", assignee="north_tech", team="north")
    phone = Device(client, world, "north_tech")
    phone.make("set_flags", order_id=order_id, starred=True)
    phone.make("set_flags", order_id=order_id, starred=False, important=True)
    phone.make("set_flags", order_id=order_id, starred=True)
    phone.make("set_flags", order_id=order_id, important=False)
    answer = await phone.push()
    assert [r["outcome"] for r in answer["results"]] == ["applied"] * 4
    flags = await client.get(
        f"/api/work-orders/{order_id}", headers=await world.headers("north_tech")
    )
    assert (flags.json()["starred"], flags.json()["important"]) == (True, False)


async def test_a_comment_id_used_before_is_refused_whether_stored_or_in_the_same_batch(
    client: httpx.AsyncClient, world: World
) -> None:
    order_id = await put_order(world, "in_progress", assignee="north_tech", team="north")
    stored, fresh = uuid4(), uuid4()
    first = Device(client, world, "north_tech")
    first.make("add_comment", order_id=order_id, id=stored, body="from the first phone")
    await first.push()
    phone = Device(client, world, "north_tech")
    phone.make("add_comment", order_id=order_id, id=stored, body="same id, other phone")
    phone.make("add_comment", order_id=order_id, id=fresh, body="new")
    phone.make("add_comment", order_id=order_id, id=fresh, body="new again")
    phone.make("add_comment", order_id=order_id, id=uuid4(), body="after them")
    answer = await phone.push()
    assert [(r["outcome"], r["code"]) for r in answer["results"]] == [
        ("rejected", "already_exists"),
        ("applied", ""),
        ("rejected", "already_exists"),
        ("applied", ""),
    ]
    assert await Comment.count() == 3
