"""Departments, teams and skills."""

from __future__ import annotations

import httpx
import pytest

from tests.probes import assert_error
from tests.world import World

MISSING = "00000000-0000-4000-8000-000000000000"


async def test_department_crud(client: httpx.AsyncClient, world: World) -> None:
    auth = await world.headers("admin")
    created = await client.post("/api/departments", json={"name": "East ops"}, headers=auth)
    assert created.status_code == 201, created.text
    department = created.json()
    assert department["name"] == "East ops"

    got = await client.get(f"/api/departments/{department['id']}", headers=auth)
    assert got.json() == department
    listed = (await client.get("/api/departments", headers=auth)).json()["items"]
    assert [d["name"] for d in listed] == ["East ops", "north ops", "south ops"]

    renamed = await client.patch(
        f"/api/departments/{department['id']}", json={"name": "West ops"}, headers=auth
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json() == {"id": department["id"], "name": "West ops"}
    unchanged = await client.patch(f"/api/departments/{department['id']}", json={}, headers=auth)
    assert unchanged.json()["name"] == "West ops"

    deleted = await client.delete(f"/api/departments/{department['id']}", headers=auth)
    assert deleted.status_code == 204
    gone = await client.get(f"/api/departments/{department['id']}", headers=auth)
    assert_error(gone, 404, "not_found")


async def test_department_unique_name_and_in_use(client: httpx.AsyncClient, world: World) -> None:
    auth = await world.headers("north_manager")
    duplicate = await client.post("/api/departments", json={"name": "north ops"}, headers=auth)
    body = assert_error(duplicate, 409, "name_taken")
    assert body["details"] == {"name": "north ops"}
    rename = await client.patch(
        f"/api/departments/{world.departments['north']}", json={"name": "south ops"}, headers=auth
    )
    assert_error(rename, 409, "name_taken")

    # Teams and users belong to the department.
    in_use = await client.delete(f"/api/departments/{world.departments['north']}", headers=auth)
    assert_error(in_use, 409, "in_use")
    still_there = await client.get(f"/api/departments/{world.departments['north']}", headers=auth)
    assert still_there.status_code == 200


async def test_unknown_ids_answer_404(client: httpx.AsyncClient, world: World) -> None:
    auth = await world.headers("admin")
    for path in (
        "departments",
        "teams",
        "customer-groups",
        "customers",
        "sites",
        "assets",
        "service-items",
    ):
        assert_error(await client.get(f"/api/{path}/{MISSING}", headers=auth), 404, "not_found")
        assert_error(
            await client.patch(f"/api/{path}/{MISSING}", json={}, headers=auth), 404, "not_found"
        )
        assert_error(await client.delete(f"/api/{path}/{MISSING}", headers=auth), 404, "not_found")
    assert_error(await client.get("/api/skills/nothing", headers=auth), 404, "not_found")


async def test_team_crud_and_department_filter(client: httpx.AsyncClient, world: World) -> None:
    auth = await world.headers("north_manager")
    north, south = world.departments["north"], world.departments["south"]
    created = await client.post(
        "/api/teams", json={"name": "north night crew", "department_id": str(north)}, headers=auth
    )
    assert created.status_code == 201, created.text
    team = created.json()
    assert team["department_id"] == str(north)

    listed = await client.get("/api/teams", params={"department_id": str(north)}, headers=auth)
    assert [t["name"] for t in listed.json()["items"]] == ["north crew", "north night crew"]
    everything = (await client.get("/api/teams", headers=auth)).json()["items"]
    assert len(everything) == 3

    taken = await client.post(
        "/api/teams", json={"name": "south crew", "department_id": str(north)}, headers=auth
    )
    assert_error(taken, 409, "name_taken")
    # Users belong to the world's teams.
    assert_error(
        await client.delete(f"/api/teams/{world.teams['north']}", headers=auth), 409, "in_use"
    )

    admin = await world.headers("admin")
    moved = await client.patch(
        f"/api/teams/{team['id']}", json={"department_id": str(south)}, headers=admin
    )
    assert moved.json() == {**team, "department_id": str(south)}
    detached = await client.patch(
        f"/api/teams/{team['id']}", json={"department_id": None}, headers=admin
    )
    assert detached.json()["department_id"] is None
    unknown = await client.patch(
        f"/api/teams/{team['id']}",
        json={"department_id": "00000000-0000-4000-8000-000000000001"},
        headers=admin,
    )
    body = assert_error(unknown, 422, "unknown_reference")
    assert body["details"] == {"department_id": "00000000-0000-4000-8000-000000000001"}
    assert (await client.delete(f"/api/teams/{team['id']}", headers=admin)).status_code == 204


async def test_a_manager_changes_only_their_departments_and_teams(
    client: httpx.AsyncClient, world: World
) -> None:
    auth = await world.headers("north_manager")
    north, south = world.departments["north"], world.departments["south"]
    own = (
        await client.post(
            "/api/teams", json={"name": "north day crew", "department_id": str(north)}, headers=auth
        )
    ).json()
    refused = [
        await client.patch(f"/api/departments/{south}", json={"name": "ours"}, headers=auth),
        await client.delete(f"/api/departments/{south}", headers=auth),
        await client.post(
            "/api/teams",
            json={"name": "south night crew", "department_id": str(south)},
            headers=auth,
        ),
        await client.post("/api/teams", json={"name": "crew of none"}, headers=auth),
        await client.patch(f"/api/teams/{world.teams['south']}", json={"name": "x"}, headers=auth),
        await client.delete(f"/api/teams/{world.teams['south']}", headers=auth),
        # Handing their own team to another department, or to none, is the admin's.
        await client.patch(
            f"/api/teams/{own['id']}", json={"department_id": str(south)}, headers=auth
        ),
        await client.patch(f"/api/teams/{own['id']}", json={"department_id": None}, headers=auth),
    ]
    for answer in refused:
        assert_error(answer, 403, "forbidden")
    admin = await world.headers("admin")
    assert (await client.get(f"/api/departments/{south}", headers=admin)).json()["name"] == (
        "south ops"
    )
    teams = (await client.get("/api/teams", headers=admin)).json()["items"]
    assert sorted((t["name"], t["department_id"]) for t in teams) == sorted(
        [
            ("north crew", str(north)),
            ("north day crew", str(north)),
            ("south crew", str(south)),
        ]
    )


async def test_skill_crud(client: httpx.AsyncClient, world: World) -> None:
    auth = await world.headers("admin")
    created = await client.post(
        "/api/skills", json={"code": "welding", "name": "Welding"}, headers=auth
    )
    assert created.status_code == 201, created.text
    assert created.json() == {"code": "welding", "name": "Welding"}
    assert_error(
        await client.post("/api/skills", json={"code": "welding", "name": "Again"}, headers=auth),
        409,
        "code_taken",
    )
    assert_error(
        await client.post("/api/skills", json={"code": "Weld ing", "name": "x"}, headers=auth),
        400,
        "validation_error",
    )
    renamed = await client.patch("/api/skills/welding", json={"name": "Arc welding"}, headers=auth)
    assert renamed.json() == {"code": "welding", "name": "Arc welding"}
    assert_error(
        await client.patch("/api/skills/welding", json={"code": "x"}, headers=auth),
        400,
        "validation_error",
    )
    names = [s["name"] for s in (await client.get("/api/skills", headers=auth)).json()["items"]]
    assert names == ["Arc welding", "Electrical", "HVAC", "Plumbing"]

    assert (await client.delete("/api/skills/welding", headers=auth)).status_code == 204
    assert_error(await client.get("/api/skills/welding", headers=auth), 404, "not_found")


async def test_skill_in_use_by_users_or_service_items(
    client: httpx.AsyncClient, world: World
) -> None:
    auth = await world.headers("admin")
    # Every world user has "electrical".
    assert_error(await client.delete("/api/skills/electrical", headers=auth), 409, "in_use")
    item = await client.post(
        "/api/service-items",
        json={"name": "AC service", "required_skills": ["hvac"]},
        headers=auth,
    )
    assert item.status_code == 201, item.text
    assert_error(await client.delete("/api/skills/hvac", headers=auth), 409, "in_use")
    # A code that is only a substring of one in use is free.
    await client.post("/api/skills", json={"code": "elec", "name": "Elec"}, headers=auth)
    assert (await client.delete("/api/skills/elec", headers=auth)).status_code == 204
    assert (await client.delete("/api/skills/plumbing", headers=auth)).status_code == 204


@pytest.mark.parametrize("role_user", ["north_tech", "north_inspector", "requester"])
async def test_only_admins_and_managers_change_master_data(
    client: httpx.AsyncClient, world: World, role_user: str
) -> None:
    auth = await world.headers(role_user)
    site = str(world.sites["central"])
    attempts = [
        ("POST", "/api/departments", {"name": "x"}),
        ("POST", "/api/teams", {"name": "x"}),
        ("POST", "/api/skills", {"code": "x", "name": "x"}),
        ("POST", "/api/customer-groups", {"name": "x"}),
        ("POST", "/api/customers", {"name": "x"}),
        ("POST", "/api/sites", {"name": "x", "latitude": 1, "longitude": 1}),
        ("POST", "/api/assets", {"tag": "X-1", "name": "x", "asset_type": "pump", "site_id": site}),
        ("POST", "/api/service-items", {"name": "x"}),
        ("PATCH", f"/api/sites/{site}", {"name": "mine"}),
        ("PATCH", "/api/skills/hvac", {"name": "x"}),
        ("DELETE", f"/api/sites/{site}", None),
        ("DELETE", f"/api/teams/{world.teams['north']}", None),
    ]
    for method, path, body in attempts:
        answer = await client.request(method, path, json=body, headers=auth)
        assert_error(answer, 403, "forbidden")

    for path in (
        "departments",
        "teams",
        "skills",
        "customer-groups",
        "customers",
        "sites",
        "assets",
        "service-items",
    ):
        answer = await client.get(f"/api/{path}", headers=auth)
        assert answer.status_code == 200, (path, answer.text)
    assert (await client.get(f"/api/sites/{site}", headers=auth)).json()["name"] == "Acme Central"


async def test_reading_needs_a_login(client: httpx.AsyncClient, world: World) -> None:
    for path in (
        "departments",
        "teams",
        "skills",
        "customer-groups",
        "customers",
        "sites",
        "assets",
        "service-items",
    ):
        assert_error(await client.get(f"/api/{path}"), 401, "unauthorized")
