"""A real server process is killed (SIGKILL) at random moments while devices push;
after each restart the devices resend what they never heard back about. In the end
every mutation was applied exactly once and nothing accepted was lost."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from server.settings import Settings
from server.workorders.tables import Comment, TimelineEvent
from sync.tables import SyncMutation
from tests.server.workorders.orders import put_order
from tests.servers import Server
from tests.sync.device import Device
from tests.world import World

# Each kill restarts the server (about 4.5 s): 12 per engine keep the suite under its budget.
KILLS = 12
DEVICES = ("north_tech", "north_tech2", "north_manager")


@pytest.fixture
async def server(
    client: httpx.AsyncClient, settings: Settings, tmp_path: Path
) -> AsyncIterator[Server]:
    process = Server(settings, tmp_path / "server.log")
    yield process
    if process.process is not None and process.process.poll() is None:
        process.kill()


async def _push_until_killed(devices: list[Device], orders: list[UUID], stop: asyncio.Event) -> int:
    """Devices keep making comments and pushing them in batches until the server dies;
    the number of pushes the kill cut off."""
    rng = random.Random()
    cut = 0

    async def one(device: Device) -> None:
        nonlocal cut
        while not stop.is_set():
            for _ in range(rng.randint(1, 15)):
                device.make(
                    "add_comment",
                    order_id=rng.choice(orders),
                    id=uuid4(),
                    body=f"written offline {device.next_id}",
                )
            try:
                await device.push()
            except httpx.TransportError:
                cut += 1
                return  # the server is gone: the queue waits for the restart

    await asyncio.gather(*(one(device) for device in devices))
    return cut


async def _drain(devices: list[Device]) -> None:
    for device in devices:
        while device.queue:
            await device.push()


async def test_killing_the_server_mid_push_loses_and_doubles_nothing(
    server: Server, world: World, settings: Settings
) -> None:
    world.clock.now = datetime.now(UTC)  # the server process checks tokens on real time
    orders = [await put_order(world, "in_progress", assignee="north_tech", team="north")]
    orders.append(await put_order(world, "assigned", assignee="north_tech2", team="north"))
    rng = random.Random(20261128)
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        devices = [Device(http, world, user) for user in DEVICES]
        cut = 0
        for _ in range(KILLS):
            await server.start()
            stop = asyncio.Event()
            pushing = asyncio.create_task(_push_until_killed(devices, orders, stop))
            await asyncio.sleep(rng.uniform(0.05, 0.6))
            server.kill()
            stop.set()
            cut += await pushing
        await server.start()
        await _drain(devices)
        server.kill()
    made: dict[str, Any] = {}
    for device in devices:
        rows = await SyncMutation.select(SyncMutation.mutation_id, SyncMutation.outcome).where(
            SyncMutation.client == device.client_id
        )
        assert sorted(r["mutation_id"] for r in rows) == list(range(1, device.next_id))
        assert {r["outcome"] for r in rows} == {"applied"}
        made[str(device.client_id)] = device.next_id - 1
    stored = await Comment.select(Comment.id, Comment.body)
    assert len(stored) == sum(made.values())
    assert len({row["id"] for row in stored}) == len(stored)
    events = await TimelineEvent.count().where(TimelineEvent.kind == "comment")
    assert events == len(stored)
    assert sum(made.values()) > KILLS * len(DEVICES)
    assert cut >= KILLS  # the kills did land in the middle of pushes
