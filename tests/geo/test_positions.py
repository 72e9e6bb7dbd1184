"""On-duty location pings: kept only from inside the on-duty period, batched through
sync, the newest the last known position, forgotten after the retention period."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from geo.tables import LocationPing, Position
from server.settings import Settings
from tests.clock import FakeClock
from tests.probes import assert_error
from tests.scheduling import run_periodic
from tests.sync.device import Device
from tests.world import World


def fix(at: datetime, north_km: float = 0.0) -> dict[str, Any]:
    return {
        "at": at.isoformat(),
        "latitude": 31.23 + north_km / 111.2,
        "longitude": 121.47,
        "accuracy_m": 15,
    }


async def duty(client: httpx.AsyncClient, world: World, on: bool) -> None:
    answer = await client.put(
        "/api/me/duty", json={"on_duty": on}, headers=await world.headers("north_tech")
    )
    assert answer.status_code == 200, answer.text


async def pings(world: World) -> list[tuple[datetime, float]]:
    rows = (
        await LocationPing.select(LocationPing.at, LocationPing.latitude)
        .where(LocationPing.user == world.id("north_tech"))
        .order_by(LocationPing.at)
    )
    return [(row["at"], row["latitude"]) for row in rows]


async def test_pings_are_kept_only_from_the_on_duty_period(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    before = clock.now - timedelta(minutes=5)
    await duty(client, world, True)
    started = clock.now
    clock.advance(hours=2)
    await duty(client, world, False)
    ended = clock.now
    clock.advance(hours=1)
    # The phone was offline all along: its batch arrives after the shift ended.
    phone = Device(client, world, "north_tech")
    phone.make(
        "report_positions",
        fixes=[
            fix(before, 9),
            fix(started + timedelta(minutes=30), 1),
            fix(ended - timedelta(minutes=1), 2),
            fix(ended + timedelta(minutes=5), 9),
        ],
    )
    answer = await phone.push()
    assert [r["outcome"] for r in answer["results"]] == ["applied"]
    assert [at for at, _ in await pings(world)] == [
        started + timedelta(minutes=30),
        ended - timedelta(minutes=1),
    ]
    # The newest kept fix is the last known position; an off-duty one never is.
    position = (
        await Position.select(Position.at, Position.source)
        .where(Position.user == world.id("north_tech"))
        .first()
    )
    assert position == {"at": ended - timedelta(minutes=1), "source": "ping"}
    # A batch wholly off duty is refused, and changes nothing.
    phone.make("report_positions", fixes=[fix(clock.now)])
    answer = await phone.push()
    assert [(r["outcome"], r["code"]) for r in answer["results"]] == [("rejected", "off_duty")]
    assert len(await pings(world)) == 2


async def test_reporting_over_the_api_checks_role_and_input(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    await duty(client, world, True)
    headers = await world.headers("north_tech")
    clock.advance(minutes=10)
    answer = await client.post(
        "/api/me/positions", json={"fixes": [fix(clock.now)]}, headers=headers
    )
    assert answer.status_code == 201, answer.text
    assert answer.json() == {"kept": 1, "discarded": 0}
    # A clock a week ahead would pin the position for days: the receive time stands.
    answer = await client.post(
        "/api/me/positions",
        json={"fixes": [fix(clock.now + timedelta(days=7), 3)]},
        headers=headers,
    )
    assert answer.json() == {"kept": 1, "discarded": 0}
    assert (await pings(world))[-1][0] == clock.now
    # Nor does a clock a few hours ahead: the position counts as taken now.
    answer = await client.post(
        "/api/me/positions",
        json={"fixes": [fix(clock.now + timedelta(hours=20), 4)]},
        headers=headers,
    )
    assert answer.json() == {"kept": 1, "discarded": 0}
    position = (
        await Position.select(Position.at).where(Position.user == world.id("north_tech")).first()
    )
    assert position == {"at": clock.now}
    for body in (
        {"fixes": []},
        {"fixes": [{**fix(clock.now), "latitude": 90.5}]},
        {"fixes": [{**fix(clock.now), "longitude": -180.01}]},
        {"fixes": [{**fix(clock.now), "accuracy_m": 0}]},
        {"fixes": [fix(clock.now)] * 501},
    ):
        assert_error(
            await client.post("/api/me/positions", json=body, headers=headers),
            400,
            "validation_error",
        )
    assert len(await pings(world)) == 3
    manager = await client.post(
        "/api/me/positions",
        json={"fixes": [fix(clock.now)]},
        headers=await world.headers("north_manager"),
    )
    assert_error(manager, 403, "forbidden")


async def test_pings_and_positions_are_forgotten_after_the_retention_period(
    client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    await duty(client, world, True)
    start = clock.now
    clock.advance(hours=2)
    answer = await client.post(
        "/api/me/positions",
        json={"fixes": [fix(start + timedelta(minutes=m)) for m in (10, 60, 120)]},
        headers=await world.headers("north_tech"),
    )
    assert answer.status_code == 201, answer.text
    # No request after this: tokens are not valid from a month ahead.
    clock.advance(days=30, minutes=-90)
    await run_periodic(settings, clock)
    assert [at for at, _ in await pings(world)] == [
        start + timedelta(minutes=60),
        start + timedelta(minutes=120),
    ]
    assert await Position.count().where(Position.user == world.id("north_tech")) == 1
    clock.advance(hours=2)
    await run_periodic(settings, clock)
    assert await pings(world) == []
    assert await Position.count().where(Position.user == world.id("north_tech")) == 0
