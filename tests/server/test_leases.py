"""Stopping a process cancels its outbox and scheduler loops; a round in progress
finishes first, so what it sent is recorded rather than sent again after the lease."""

from __future__ import annotations

import asyncio

import pytest

from server.leases import poll_forever


async def test_a_cancelled_loop_finishes_its_round() -> None:
    started, release = asyncio.Event(), asyncio.Event()
    finished: list[int] = []

    async def round_() -> int:
        started.set()
        await release.wait()
        finished.append(1)
        return 0

    loop = asyncio.create_task(poll_forever(round_, 3600, "test outbox"))
    await started.wait()
    loop.cancel()
    await asyncio.sleep(0)
    assert not loop.done()  # waiting for the round
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await loop
    assert finished == [1]


async def test_cancelled_twice_the_loop_stops_at_once() -> None:
    started = asyncio.Event()

    async def round_() -> int:
        started.set()
        await asyncio.Event().wait()
        return 0

    loop = asyncio.create_task(poll_forever(round_, 3600, "test outbox"))
    await started.wait()
    loop.cancel()
    await asyncio.sleep(0)
    loop.cancel()
    # A bound on a hang, not a timing: the round never ends, so only giving up stops it.
    with pytest.raises(asyncio.CancelledError):
        async with asyncio.timeout(30):
            await loop


async def test_an_idle_loop_stops_at_once() -> None:
    ran = asyncio.Event()

    async def round_() -> int:
        ran.set()
        return 0

    loop = asyncio.create_task(poll_forever(round_, 3600, "test outbox"))
    await ran.wait()
    await asyncio.sleep(0)  # into the idle sleep
    loop.cancel()
    with pytest.raises(asyncio.CancelledError):
        async with asyncio.timeout(30):  # the idle sleep is an hour
            await loop
