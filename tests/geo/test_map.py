"""The managers' map: open orders and field workers as GeoJSON, by bounding box and
department, in the caller's scope."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from geo import map as geo_map
from geo.tables import Duty
from server.masterdata.tables import Site
from server.settings import Settings
from tests.clock import FakeClock
from tests.geo.people import place
from tests.probes import assert_error
from tests.server.workorders.orders import put_order
from tests.sqlite_plans import DEMO_100K, plant_statistics, query_plan, record_statements
from tests.world import World

PUDONG = (31.2397, 121.4998)
SUZHOU = (31.2989, 120.5853)
CENTRAL_BOX = "121.4,31.2,121.55,31.3"


async def site(name: str, point: tuple[float, float]) -> UUID:
    row = Site(id=uuid4(), name=name, latitude=point[0], longitude=point[1])
    await row.save()
    return UUID(str(row.id))


async def get(
    client: httpx.AsyncClient, world: World, path: str, caller: str = "north_manager", **query: Any
) -> httpx.Response:
    return await client.get(f"/api/map/{path}", params=query, headers=await world.headers(caller))


async def test_open_orders_by_box_department_and_scope(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    central, pudong = world.sites["central"], await site("Lujiazui", PUDONG)
    suzhou = await site("Suzhou", SUZHOU)
    urgent = await put_order(world, "assigned", assignee="north_tech", site=pudong, priority="P1")
    usual = await put_order(world, "new", site=central)
    await put_order(world, "new", site=suzhou)
    await put_order(world, "closed", site=central)
    await put_order(world, "new")  # no site: nowhere to draw it
    await put_order(world, "new", site=central, department="south")
    answer = await get(client, world, "orders", bbox=CENTRAL_BOX)
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["type"] == "FeatureCollection"
    assert found["truncated"] is False
    assert [f["id"] for f in found["features"]] == [str(urgent), str(usual)]
    first = found["features"][0]
    assert first["geometry"] == {"type": "Point", "coordinates": [PUDONG[1], PUDONG[0]]}
    assert first["properties"]["priority"] == "P1"
    assert first["properties"]["assignee_id"] == str(world.id("north_tech"))
    # Without a box: Suzhou too; the south manager sees only the south's order.
    assert len((await get(client, world, "orders")).json()["features"]) == 3
    south = (await get(client, world, "orders", caller="south_manager")).json()
    assert len(south["features"]) == 1
    admin = await get(
        client, world, "orders", caller="admin", department_id=str(world.departments["south"])
    )
    assert len(admin.json()["features"]) == 1
    limited = (await get(client, world, "orders", limit=2)).json()
    assert (len(limited["features"]), limited["truncated"]) == (2, True)


# SQLite's planner only: the engine fixture is given one value, not skipped on the other.
@pytest.mark.parametrize("engine_name", ["sqlite"])
async def test_open_orders_are_read_site_by_site_whatever_the_statistics(
    client: httpx.AsyncClient, world: World, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite keeps one average per index column, not the skew of status: with a long
    history it took the open statuses for most orders and walked every order ever made
    (by priority, or all of each site's) to draw a district (scripts/bench_growth.py)."""
    await put_order(world, "new", site=world.sites["central"])
    plant_statistics(settings.sqlite_path, DEMO_100K)
    statements = record_statements(monkeypatch, geo_map)
    answer = await get(client, world, "orders", bbox=CENTRAL_BOX)
    assert answer.status_code == 200, answer.text
    [(text, args)] = statements
    plan = query_plan(settings.sqlite_path, text, args)
    # The box's sites first, then each site's open orders; not a walk of the index.
    assert plan[0].startswith("SCAN s"), plan
    assert any("work_order_site_status_priority (site=? AND status=?)" in step for step in plan), (
        plan
    )


async def test_a_box_across_the_antimeridian(client: httpx.AsyncClient, world: World) -> None:
    fiji = await site("Suva", (-18.14, 178.44))
    samoa = await site("Apia", (-13.83, -171.76))
    await put_order(world, "new", site=fiji)
    await put_order(world, "new", site=samoa)
    await put_order(world, "new", site=world.sites["central"])
    found = (await get(client, world, "orders", bbox="170,-25,-165,-10")).json()
    assert sorted(f["geometry"]["coordinates"][0] for f in found["features"]) == [-171.76, 178.44]


async def test_sla_states(client: httpx.AsyncClient, world: World, clock: FakeClock) -> None:
    now = clock.now
    central = world.sites["central"]
    cases = {
        "on_track": dict(resolution_due_at=now + timedelta(hours=4)),
        "at_risk": dict(
            created_at=now - timedelta(hours=4), resolution_due_at=now + timedelta(minutes=30)
        ),
        "paused": dict(resolution_due_at=now + timedelta(hours=1), sla_paused_at=now),
        "breached": dict(resolution_due_at=now - timedelta(hours=1), resolution_breached_at=now),
        "none": {},
    }
    ids = {}
    for state, fields in cases.items():
        ids[state] = str(await put_order(world, "new", site=central, title=state, **fields))
    found = (await get(client, world, "orders")).json()["features"]
    assert {f["properties"]["title"]: f["properties"]["sla"] for f in found} == {
        state: state for state in cases
    }
    # Before the first response the response target runs.
    response = await put_order(
        world,
        "new",
        site=central,
        response_due_at=now + timedelta(hours=1),
        resolution_due_at=now + timedelta(hours=8),
    )
    found = (await get(client, world, "orders")).json()["features"]
    due = next(f for f in found if f["id"] == str(response))["properties"]["due_at"]
    assert due.startswith((now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))


async def test_technicians_with_duty_current_order_and_age_of_fix(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    await place(world, "north_tech", PUDONG, clock.now - timedelta(minutes=5), accuracy_m=12)
    await place(
        world, "north_tech2", (31.23, 121.47), clock.now - timedelta(hours=2), accuracy_m=12
    )
    await place(world, "north_inspector", SUZHOU, clock.now, accuracy_m=12)
    await place(world, "south_tech", PUDONG, clock.now, accuracy_m=12)
    await Duty.insert(
        Duty(
            id=uuid4(),
            user=world.id("north_tech"),
            on_duty=True,
            since=clock.now,
            started_at=clock.now,
        )
    )
    await Duty.insert(
        Duty(
            id=uuid4(),
            user=world.id("north_tech2"),
            on_duty=True,
            since=clock.now,
            started_at=clock.now,
        )
    )
    current = await put_order(world, "on_site", assignee="north_tech", site=world.sites["central"])
    await put_order(world, "assigned", assignee="north_tech2")
    answer = await get(client, world, "technicians", bbox=CENTRAL_BOX)
    assert answer.status_code == 200, answer.text
    found = {f["properties"]["name"]: f for f in answer.json()["features"]}
    assert sorted(found) == ["North Tech", "North Tech2"]
    tech = found["North Tech"]
    assert tech["geometry"]["coordinates"] == [PUDONG[1], PUDONG[0]]
    assert tech["properties"] | {"fix_at": None} == {
        "user_id": str(world.id("north_tech")),
        "name": "North Tech",
        "role": "technician",
        "department_id": str(world.departments["north"]),
        "on_duty": True,
        "state": "on_site",
        "current_order_id": str(current),
        "current_order_number": tech["properties"]["current_order_number"],
        "accuracy_m": 12.0,
        "fix_at": None,
        "fix_age_seconds": 300,
    }
    assert found["North Tech2"]["properties"]["state"] == "idle"  # assigned is not under way
    everyone = (await get(client, world, "technicians")).json()["features"]
    inspector = next(f for f in everyone if f["properties"]["role"] == "inspector")
    assert inspector["properties"]["state"] == "off_duty"
    admin = (await get(client, world, "technicians", caller="admin")).json()["features"]
    assert len(admin) == 4


async def test_only_managers_see_the_map_and_a_bad_box_is_refused(
    client: httpx.AsyncClient, world: World
) -> None:
    for path in ("orders", "technicians", "events"):
        assert_error(await get(client, world, path, caller="north_tech"), 403, "forbidden")
    for box in ("1,2,3", "a,b,c,d", "0,10,1,5", "0,-91,1,0", "181,0,182,1"):
        assert_error(await get(client, world, "orders", bbox=box), 422, "invalid_bbox")
    assert_error(await get(client, world, "orders", limit=0), 400, "validation_error")


async def test_a_workers_current_order_out_of_scope_is_not_shown(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    await place(world, "north_tech", PUDONG, clock.now, accuracy_m=12)
    await put_order(
        world, "on_site", assignee="north_tech", department="south", site=world.sites["central"]
    )
    found = (await get(client, world, "technicians")).json()["features"][0]["properties"]
    assert (found["state"], found["current_order_id"]) == ("on_site", None)
    admin = (await get(client, world, "technicians", caller="admin")).json()["features"]
    assert admin[0]["properties"]["current_order_id"] is not None
