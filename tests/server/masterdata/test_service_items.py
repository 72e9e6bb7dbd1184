"""Service items: the catalogue of work with its skills and default priority."""

from __future__ import annotations

from uuid import uuid4

import httpx

from tests.probes import assert_error
from tests.server.workorders.orders import save_order
from tests.world import World


async def test_service_item_crud_and_filter(client: httpx.AsyncClient, world: World) -> None:
    auth = await world.headers("admin")
    north = str(world.departments["north"])
    created = await client.post(
        "/api/service-items",
        json={
            "name": "Chiller overhaul",
            "required_skills": ["hvac", "electrical", "hvac"],
            "default_priority": "P2",
            "department_id": north,
        },
        headers=auth,
    )
    assert created.status_code == 201, created.text
    item = created.json()
    assert item["required_skills"] == ["hvac", "electrical"]
    assert item["default_priority"] == "P2"
    assert (await client.get(f"/api/service-items/{item['id']}", headers=auth)).json() == item

    plain = await client.post("/api/service-items", json={"name": "Bulb swap"}, headers=auth)
    assert plain.json()["default_priority"] == "P3"
    assert plain.json()["required_skills"] == []
    assert plain.json()["department_id"] is None

    names = [
        i["name"] for i in (await client.get("/api/service-items", headers=auth)).json()["items"]
    ]
    assert names == ["Bulb swap", "Chiller overhaul"]
    of_north = await client.get("/api/service-items", params={"department_id": north}, headers=auth)
    assert of_north.json()["items"] == [item]

    changed = await client.patch(
        f"/api/service-items/{item['id']}",
        json={"required_skills": ["plumbing"], "default_priority": "P1", "department_id": None},
        headers=auth,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json() == {
        **item,
        "required_skills": ["plumbing"],
        "default_priority": "P1",
        "department_id": None,
    }
    assert (
        await client.delete(f"/api/service-items/{item['id']}", headers=auth)
    ).status_code == 204


async def test_service_item_validation(client: httpx.AsyncClient, world: World) -> None:
    auth = await world.headers("north_manager")
    unknown_skills = await client.post(
        "/api/service-items",
        json={"name": "Welding job", "required_skills": ["welding", "hvac", "rigging"]},
        headers=auth,
    )
    body = assert_error(unknown_skills, 422, "invalid")
    assert body["details"] == {"required_skills": ["welding", "rigging"]}
    unknown_department = await client.post(
        "/api/service-items",
        json={"name": "X", "department_id": "00000000-0000-4000-8000-0000000000dd"},
        headers=auth,
    )
    body = assert_error(unknown_department, 422, "unknown_reference")
    assert body["details"] == {"department_id": "00000000-0000-4000-8000-0000000000dd"}
    bad_priority = await client.post(
        "/api/service-items", json={"name": "X", "default_priority": "P9"}, headers=auth
    )
    assert_error(bad_priority, 400, "validation_error")

    first = await client.post("/api/service-items", json={"name": "Leak repair"}, headers=auth)
    assert first.status_code == 201
    assert_error(
        await client.post("/api/service-items", json={"name": "Leak repair"}, headers=auth),
        409,
        "name_taken",
    )
    patch_skills = await client.patch(
        f"/api/service-items/{first.json()['id']}", json={"required_skills": ["x"]}, headers=auth
    )
    assert_error(patch_skills, 422, "invalid")


async def test_service_item_named_by_an_order_is_in_use(
    client: httpx.AsyncClient, world: World
) -> None:
    auth = await world.headers("admin")
    item = (await client.post("/api/service-items", json={"name": "Leak"}, headers=auth)).json()
    await save_order(
        id=uuid4(),
        number=1,
        kind="customer_request",
        title="Leak in the basement",
        priority="P3",
        status="new",
        service_item=item["id"],
        created_at=world.clock(),
        updated_at=world.clock(),
    )
    deleted = await client.delete(f"/api/service-items/{item['id']}", headers=auth)
    assert_error(deleted, 409, "in_use")


async def test_requester_and_technician_read_service_items(
    client: httpx.AsyncClient, world: World
) -> None:
    admin = await world.headers("admin")
    await client.post("/api/service-items", json={"name": "Leak"}, headers=admin)
    for user in ("requester", "north_tech"):
        auth = await world.headers(user)
        items = (await client.get("/api/service-items", headers=auth)).json()["items"]
        assert [i["name"] for i in items] == ["Leak"]
        one = await client.get(f"/api/service-items/{items[0]['id']}", headers=auth)
        assert one.status_code == 200
