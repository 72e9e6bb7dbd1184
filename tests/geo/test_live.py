"""Live map updates: a committed change becomes features on the channel, and browsers
connected to any server process receive those in their scope (Redis between them)."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import msgspec
import pytest
from litestar import Litestar

from geo.live import Batch
from geo.tables import Duty, Position
from server.live import channel_name, channels, listener
from server.settings import Settings
from tests.geo.test_checkins import en_route_order, post
from tests.server.workorders.orders import put_order
from tests.servers import Server, worker
from tests.world import World

REDIS_URL = os.environ.get("FIELDOPS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
WAIT = 10.0


@contextlib.asynccontextmanager
async def listening(app: Litestar) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
    """Every event published on the app's channel, decoded."""
    heard: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def put(message: bytes) -> None:
        for event in msgspec.json.decode(message, type=Batch).events:
            heard.put_nowait({"kind": event.kind, **msgspec.json.decode(event.feature)})

    with listener():
        async with (
            app.state.feed.start_subscription(
                channel_name(app.state.settings.redis_url)
            ) as subscriber,
            subscriber.run_in_background(put),
        ):
            yield heard


async def next_of(heard: asyncio.Queue[dict[str, Any]], kind: str, key: str) -> dict[str, Any]:
    while True:
        event = await asyncio.wait_for(heard.get(), WAIT)
        if event["kind"] == kind and event["id"] == key:
            return event


async def test_a_check_in_announces_the_order_and_its_technician(
    app: Litestar, client: httpx.AsyncClient, world: World
) -> None:
    async with listening(app) as heard:
        order_id = await en_route_order(client, world)
        order = await next_of(heard, "order", str(order_id))
        assert order["properties"]["status"] in ("accepted", "en_route")
        answer = await post(client, world, order_id)
        assert answer.status_code == 201, answer.text
        while order["properties"]["status"] != "on_site":
            order = await next_of(heard, "order", str(order_id))
        tech = await next_of(heard, "technician", str(world.id("north_tech")))
        while tech["properties"]["state"] != "on_site":
            tech = await next_of(heard, "technician", str(world.id("north_tech")))
        assert tech["properties"]["current_order_id"] == str(order_id)


@pytest.fixture
async def servers(
    client: httpx.AsyncClient, settings: Settings, tmp_path: Path
) -> AsyncIterator[list[Server]]:
    running = [
        Server(settings, tmp_path / f"server{n}.log", FIELDOPS_REDIS_URL=REDIS_URL) for n in (1, 2)
    ]
    try:
        yield running
    finally:
        for server in running:
            if server.process is not None and server.process.poll() is None:
                server.kill()


async def events(lines: AsyncIterator[str]) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """(event type, data) of a server-sent event stream; comments are skipped."""
    kind = ""
    async for line in lines:
        if line.startswith("event:"):
            kind = line.removeprefix("event:").strip()
        elif line.startswith("data:"):
            yield kind, msgspec.json.decode(line.removeprefix("data:").strip())


async def order_event(stream: AsyncIterator[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    async def first() -> dict[str, Any]:
        async for kind, data in stream:
            if kind == "order":
                return data
        raise AssertionError("the stream ended")

    return await asyncio.wait_for(first(), WAIT)


async def test_two_server_processes_share_updates_through_redis(
    servers: list[Server], world: World
) -> None:
    world.clock.now = datetime.now(UTC)  # the server processes check tokens on real time
    one, two = servers
    await asyncio.gather(one.start(), two.start())
    north = await put_order(world, "assigned", assignee="north_tech", site=world.sites["central"])
    south = await put_order(
        world, "assigned", assignee="south_tech", department="south", site=world.sites["central"]
    )
    async with (
        httpx.AsyncClient(timeout=WAIT) as http,
        http.stream(
            "GET", f"{one.url}/api/map/events", headers=await world.headers("north_manager")
        ) as north_feed,
        http.stream(
            "GET", f"{one.url}/api/map/events", headers=await world.headers("south_manager")
        ) as south_feed,
    ):
        assert north_feed.status_code == 200
        assert north_feed.headers["content-type"].startswith("text/event-stream")
        north_lines, south_lines = north_feed.aiter_lines(), south_feed.aiter_lines()
        # Subscribed (the first comment) before anything changes.
        assert await asyncio.wait_for(anext(north_lines), WAIT) == ": subscribed"
        assert await asyncio.wait_for(anext(south_lines), WAIT) == ": subscribed"
        for order, technician in ((north, "north_tech"), (south, "south_tech")):
            moved = await http.post(
                f"{two.url}/api/work-orders/{order}/transitions",
                json={"action": "accept"},
                headers=await world.headers(technician),
            )
            assert moved.status_code == 200, moved.text
        heard = await order_event(events(north_lines))
        assert (heard["id"], heard["properties"]["status"]) == (str(north), "accepted")
        # The south manager's first order event is the south order: the north
        # one, published first, was not theirs to see.
        heard = await order_event(events(south_lines))
        assert (heard["id"], heard["properties"]["status"]) == (str(south), "accepted")


async def test_a_worker_process_announces_what_its_jobs_change(
    client: httpx.AsyncClient, world: World, settings: Settings, tmp_path: Path
) -> None:
    user = world.id("north_tech")
    now = world.clock()
    await Position.insert(
        Position(
            id=uuid4(),
            user=user,
            latitude=31.231,
            longitude=121.471,
            accuracy_m=9,
            at=now,
            source="ping",
        )
    )
    await Duty.insert(Duty(id=uuid4(), user=user, on_duty=True, since=now, started_at=now))
    mode = await client.put(
        f"/api/dispatch/auto-assign/{world.departments['north']}",
        json={"priorities": ["P1"]},
        headers=await world.headers("north_manager"),
    )
    assert mode.status_code == 200, mode.text
    heard: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def put(message: bytes) -> None:
        for event in msgspec.json.decode(message, type=Batch).events:
            heard.put_nowait({"kind": event.kind, **msgspec.json.decode(event.feature)})

    async with (
        channels(Settings(redis_url=REDIS_URL)) as feed,
        feed.start_subscription(channel_name(REDIS_URL)) as subscriber,
        subscriber.run_in_background(put),
    ):
        process = worker(settings, tmp_path / "worker.log", FIELDOPS_REDIS_URL=REDIS_URL)
        try:
            # The P1 order is auto-assigned by the worker's job, not by this process.
            made = await client.post(
                "/api/work-orders/",
                json={
                    "title": "Sparks",
                    "priority": "P1",
                    "site_id": str(world.sites["central"]),
                    "department_id": str(world.departments["north"]),
                },
                headers=await world.headers("north_manager"),
            )
            assert made.status_code == 201, made.text
            order = await next_of(heard, "order", made.json()["id"])
            assert order["properties"]["assignee_id"] == str(user)
            assert order["properties"]["status"] == "assigned"
        finally:
            process.terminate()
            process.wait(timeout=30)


async def test_deployments_on_other_redis_databases_do_not_hear_each_other() -> None:
    # Redis hands a PUBLISH to subscribers of every database number alike.
    base = REDIS_URL.rsplit("/", 1)[0] if REDIS_URL.count("/") > 2 else REDIS_URL
    ours, theirs = f"{base}/11", f"{base}/12"
    assert (channel_name(ours), channel_name(theirs), channel_name("")) == (
        "changes:11",
        "changes:12",
        "changes",
    )
    heard: asyncio.Queue[bytes] = asyncio.Queue()
    async with (
        channels(Settings(redis_url=ours)) as mine,
        channels(Settings(redis_url=theirs)) as other,
        mine.start_subscription(channel_name(ours)) as subscriber,
        subscriber.run_in_background(heard.put),
    ):
        await other.wait_published(b"theirs", channel_name(theirs))
        await mine.wait_published(b"ours", channel_name(ours))
        # Published in this order: had the first crossed over, it would come first.
        assert await asyncio.wait_for(heard.get(), WAIT) == b"ours"
