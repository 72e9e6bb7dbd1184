"""Patrol rounds: runs made once or on a recurrence, checkpoints skipped only with a
reason, progress and misses, and the reports (with CSV)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import httpx

from inspection.tables import RoundRun
from server.settings import Settings
from tests.clock import FakeClock
from tests.inspection.fixtures import GOOD, add_asset, inspect, pump_checklist
from tests.probes import assert_error
from tests.scheduling import run_periodic
from tests.world import World


async def make_round(
    client: httpx.AsyncClient, world: World, checkpoints: list[UUID], **fields: Any
) -> httpx.Response:
    body = {
        "name": "Plant room",
        "assignee_id": str(world.id("north_inspector")),
        "checkpoints": [str(c) for c in checkpoints],
        "starts_at": world.clock().isoformat(),
        "window_minutes": 60,
        **fields,
    }
    return await client.post(
        "/api/rounds/", json=body, headers=await world.headers("north_manager")
    )


async def runs(
    client: httpx.AsyncClient, world: World, caller: str = "north_inspector", **query: Any
) -> list[dict[str, Any]]:
    answer = await client.get("/api/round-runs/", params=query, headers=await world.headers(caller))
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]  # type: ignore[no-any-return]


async def test_a_daily_round_makes_a_run_each_day_once(
    client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    asset = await add_asset(world, "PUMP-0001")
    made = await make_round(client, world, [asset], rrule="FREQ=DAILY", timezone="Asia/Shanghai")
    assert made.status_code == 201, made.text
    assert len(await runs(client, world)) == 1  # today's, made at once
    told = await client.get("/api/notifications", headers=await world.headers("north_inspector"))
    assert [n["kind"] for n in told.json()["items"]] == ["round_due"]
    assert "Plant room" in told.json()["items"][0]["title"]
    for _ in range(3):
        await run_periodic(settings, clock)  # asked again: still one run a day
    assert await RoundRun.count() == 1
    clock.advance(days=1)
    await run_periodic(settings, clock)
    statuses = sorted(
        r["status"] for r in await runs(client, world, "north_manager", open_only="false")
    )
    assert statuses == ["missed", "scheduled"]  # yesterday's window closed unwalked
    # The south inspector has none of these.
    assert await runs(client, world, "south_inspector") == []


async def test_checkpoints_are_skipped_only_with_a_reason(
    client: httpx.AsyncClient, world: World
) -> None:
    first, second = await add_asset(world, "PUMP-0001"), await add_asset(world, "PUMP-0002")
    await pump_checklist(client, world)
    await make_round(client, world, [first, second])
    run = (await runs(client, world))[0]
    headers = await world.headers("north_inspector")
    path = f"/api/round-runs/{run['id']}/skips"
    blank = await client.post(path, json={"asset_id": str(first), "reason": ""}, headers=headers)
    assert_error(blank, 400, "validation_error")
    skipped = await client.post(
        path, json={"asset_id": str(first), "reason": "room locked, no key"}, headers=headers
    )
    assert skipped.status_code == 201, skipped.text
    assert skipped.json()["progress_percent"] == 50
    assert skipped.json()["status"] == "in_progress"
    again = await client.post(path, json={"asset_id": str(first), "reason": "x"}, headers=headers)
    assert_error(again, 409, "checkpoint_closed")
    stranger = await add_asset(world, "PUMP-0003")
    wrong = await client.post(
        path, json={"asset_id": str(stranger), "reason": "x"}, headers=headers
    )
    assert_error(wrong, 422, "not_a_checkpoint")
    other = await client.post(
        path,
        json={"asset_id": str(second), "reason": "x"},
        headers=await world.headers("south_inspector"),
    )
    assert_error(other, 404, "not_found")
    done = await inspect(client, world, "PUMP-0002", run_id=run["id"])
    assert done.status_code == 201, done.text
    finished = (await runs(client, world, open_only="false"))[0]
    assert (finished["status"], finished["progress_percent"]) == ("done", 100)
    assert [c["state"] for c in finished["checkpoints"]] == ["skipped", "done"]
    assert finished["checkpoints"][0]["reason"] == "room locked, no key"


async def test_rounds_are_planned_by_managers_with_real_checkpoints(
    client: httpx.AsyncClient, world: World
) -> None:
    asset = await add_asset(world, "PUMP-0001")
    assert_error(await make_round(client, world, [asset, asset]), 422, "validation_error")
    assert_error(
        await make_round(client, world, [world.sites["central"]]), 422, "unknown_reference"
    )
    assert_error(
        await make_round(client, world, [asset], rrule="FREQ=HOURLY"), 422, "invalid_recurrence"
    )
    assert_error(
        await make_round(client, world, [asset], team_id=str(world.teams["north"])),
        422,
        "validation_error",
    )
    wrong = await make_round(client, world, [asset], assignee_id=str(world.id("requester")))
    assert_error(wrong, 422, "unknown_reference")
    forbidden = await client.post(
        "/api/rounds/",
        json={
            "name": "x",
            "assignee_id": str(world.id("north_inspector")),
            "checkpoints": [str(asset)],
            "starts_at": world.clock().isoformat(),
        },
        headers=await world.headers("north_inspector"),
    )
    assert_error(forbidden, 403, "forbidden")


async def test_reports_completion_misses_and_failures(
    client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    first, second = await add_asset(world, "PUMP-0001"), await add_asset(world, "PUMP-0002")
    await pump_checklist(client, world)
    await make_round(client, world, [first, second])
    run = (await runs(client, world))[0]
    await inspect(client, world, "PUMP-0001", run_id=run["id"], answers={**GOOD, "running": False})
    clock.advance(hours=2)
    await run_periodic(settings, clock)
    manager = await world.headers("north_manager")
    since = (clock.now - timedelta(days=1)).isoformat()
    completion = await client.get(
        "/api/inspection-reports/completion", params={"since": since}, headers=manager
    )
    assert completion.status_code == 200, completion.text
    assert [
        (r["name"], r["checkpoints"], r["done"], r["missed"], r["completion_percent"])
        for r in completion.json()["items"]
    ] == [("Plant room", 2, 1, 1, 50.0)]
    by_site = (
        await client.get(
            "/api/inspection-reports/completion",
            params={"since": since, "by": "site"},
            headers=manager,
        )
    ).json()
    assert by_site["items"][0]["name"] == "Acme Central"
    by_person = (
        await client.get(
            "/api/inspection-reports/completion",
            params={"since": since, "by": "inspector"},
            headers=manager,
        )
    ).json()
    assert by_person["items"][0]["name"] == "North Inspector"
    missed = (
        await client.get("/api/inspection-reports/missed", params={"since": since}, headers=manager)
    ).json()["items"]
    assert [m["asset_tag"] for m in missed] == ["PUMP-0002"]
    failures = (
        await client.get(
            "/api/inspection-reports/failures", params={"since": since}, headers=manager
        )
    ).json()["items"]
    assert [(f["key"], f["inspections"], f["failed"]) for f in failures] == [("pump", 1, 1)]
    exported = await client.get(
        "/api/inspection-reports/missed.csv", params={"since": since}, headers=manager
    )
    assert exported.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [row["asset_tag"] for row in rows] == ["PUMP-0002"]
    assert_error(
        await client.get(
            "/api/inspection-reports/completion", headers=await world.headers("north_inspector")
        ),
        403,
        "forbidden",
    )
    bad = await client.get(
        "/api/inspection-reports/failures",
        params={"since": clock.now.isoformat(), "until": since},
        headers=manager,
    )
    assert_error(bad, 422, "invalid_period")


async def test_a_round_given_in_local_time_still_runs_once(
    client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    asset = await add_asset(world, "PUMP-0001")
    local = clock.now.astimezone(ZoneInfo("Asia/Shanghai")).isoformat()
    made = await make_round(client, world, [asset], starts_at=local)
    assert made.status_code == 201, made.text
    await run_periodic(settings, clock)  # reads starts_at back in UTC
    assert await RoundRun.count() == 1
