"""Inbound orders with an Idempotency-Key: one order however often (and however
concurrently) the request comes, the first answer answered again, another body
refused, and keys that belong to their sender and last a day."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from server.integrations.tables import IdempotencyKey
from server.settings import Settings
from server.workorders.tables import WorkOrder
from tests.clock import FakeClock
from tests.probes import assert_error
from tests.scheduling import run_periodic
from tests.server.integrations.keys import bearer, make_key
from tests.world import World


def order(world: World, title: str = "Pump failure at gate 4") -> dict[str, Any]:
    return {"title": title, "priority": "P2", "department_id": str(world.departments["north"])}


async def test_a_repeated_request_creates_one_order_and_answers_the_first_answer(
    client: httpx.AsyncClient, world: World
) -> None:
    headers = bearer(await make_key(client, world)) | {"Idempotency-Key": "erp-4711"}
    first = await client.post("/api/work-orders", json=order(world), headers=headers)
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    again = await client.post("/api/work-orders", json=order(world), headers=headers)
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.content == first.content
    assert await WorkOrder.count() == 1
    assert await IdempotencyKey.count() == 1


async def test_the_same_key_with_another_body_is_refused(
    client: httpx.AsyncClient, world: World
) -> None:
    headers = await world.headers("north_manager") | {"Idempotency-Key": "k-1"}
    assert (
        await client.post("/api/work-orders", json=order(world), headers=headers)
    ).status_code == 201
    other = await client.post("/api/work-orders", json=order(world, "Another"), headers=headers)
    assert_error(other, 422, "idempotency_key_reused")
    assert await WorkOrder.count() == 1


async def test_keys_belong_to_their_sender(client: httpx.AsyncClient, world: World) -> None:
    first_key = bearer(await make_key(client, world))
    second_key = bearer(await make_key(client, world))
    senders = [
        first_key,
        second_key,
        await world.headers("north_manager"),
        await world.headers("admin"),
    ]
    for headers in senders:
        answer = await client.post(
            "/api/work-orders", json=order(world), headers=headers | {"Idempotency-Key": "same"}
        )
        assert answer.status_code == 201
        assert "idempotent-replayed" not in answer.headers
    assert await WorkOrder.count() == 4


async def test_concurrent_copies_create_one_order(
    client: httpx.AsyncClient, world: World, engine_name: str
) -> None:
    headers = bearer(await make_key(client, world)) | {"Idempotency-Key": "burst"}
    answers = await asyncio.gather(
        *[client.post("/api/work-orders", json=order(world), headers=headers) for _ in range(8)]
    )
    assert [answer.status_code for answer in answers] == [201] * 8
    assert len({answer.content for answer in answers}) == 1
    assert sum("idempotent-replayed" in answer.headers for answer in answers) == 7
    assert await WorkOrder.count() == 1
    # The losers' rolled-back orders took no numbers.
    assert answers[0].json()["number"] == "WO-000001"


async def test_concurrent_copies_with_other_bodies_are_refused(
    client: httpx.AsyncClient, world: World
) -> None:
    headers = await world.headers("admin") | {"Idempotency-Key": "mixed"}
    answers = await asyncio.gather(
        *[
            client.post("/api/work-orders", json=order(world, f"Order {n % 2}"), headers=headers)
            for n in range(6)
        ]
    )
    made = [answer for answer in answers if answer.status_code == 201]
    refused = [answer for answer in answers if answer.status_code == 422]
    assert len(made) + len(refused) == 6
    assert len({answer.content for answer in made}) == 1
    assert {answer.json()["code"] for answer in refused} == {"idempotency_key_reused"}
    assert len(refused) == 3
    assert await WorkOrder.count() == 1


async def test_a_failed_request_keeps_no_key(client: httpx.AsyncClient, world: World) -> None:
    headers = await world.headers("requester") | {"Idempotency-Key": "retry-me"}
    routed = {**order(world)}
    assert_error(
        await client.post("/api/work-orders", json=routed, headers=headers), 403, "forbidden"
    )
    fixed = {"title": routed["title"]}
    assert (await client.post("/api/work-orders", json=fixed, headers=headers)).status_code == 201
    assert await IdempotencyKey.count() == 1


async def test_keys_last_a_day(
    client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    # A key: the test's access tokens would expire over the day.
    headers = bearer(await make_key(client, world)) | {"Idempotency-Key": "daily"}
    first = await client.post("/api/work-orders", json=order(world), headers=headers)
    clock.advance(hours=23, minutes=59)
    again = await client.post("/api/work-orders", json=order(world), headers=headers)
    assert again.content == first.content
    clock.advance(minutes=1)
    later = await client.post("/api/work-orders", json=order(world), headers=headers)
    assert later.status_code == 201
    assert "idempotent-replayed" not in later.headers
    assert later.json()["id"] != first.json()["id"]
    assert await IdempotencyKey.count() == 1  # the old one gave way
    clock.advance(days=1)
    await run_periodic(settings, clock)
    assert await IdempotencyKey.count() == 0


async def test_the_key_is_a_bounded_header(client: httpx.AsyncClient, world: World) -> None:
    headers = await world.headers("admin") | {"Idempotency-Key": "k" * 256}
    answer = await client.post("/api/work-orders", json=order(world), headers=headers)
    assert_error(answer, 400, "validation_error")
    assert await WorkOrder.count() == 0
