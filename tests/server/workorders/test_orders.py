"""Creating and editing orders: defaults, role rules, validation and the error shape."""

from __future__ import annotations

import uuid

import httpx
import pytest

from server.masterdata.tables import Asset, ServiceItem, Site
from server.workorders.tables import TimelineEvent, WorkOrder
from tests.probes import assert_error
from tests.server.workorders.orders import put_order
from tests.world import World


async def test_create_defaults_and_numbering(client: httpx.AsyncClient, world: World) -> None:
    item = ServiceItem(
        id=uuid.uuid4(),
        name="Lift repair",
        required_skills=["electrical"],
        default_priority="P2",
        department=world.departments["south"],
    )
    await item.save()
    headers = await world.headers("requester")
    first = await client.post(
        "/api/work-orders",
        json={
            "title": "Lift stuck",
            "service_item_id": str(item.id),
            "site_id": str(world.sites["central"]),
        },
        headers=headers,
    )
    body = first.json()
    assert first.status_code == 201, first.text
    assert body["priority"] == "P2"
    assert body["department_id"] == str(world.departments["south"])
    assert body["requester_id"] == str(world.id("requester"))
    assert body["site_name"] == "Acme Central"
    assert body["status"] == "new"
    assert body["version"] == 1
    assert body["number"] == "WO-000001"
    second = await client.post("/api/work-orders", json={"title": "Door"}, headers=headers)
    assert second.json()["number"] == "WO-000002"
    assert second.json()["priority"] == "P3"


async def test_client_chosen_id_is_kept_and_not_duplicated(
    client: httpx.AsyncClient, world: World
) -> None:
    order_id = str(uuid.uuid4())
    headers = await world.headers("north_tech")
    body = {"id": order_id, "title": "Found a leak", "device_time": "2026-11-02T06:00:00+08:00"}
    created = await client.post("/api/work-orders", json=body, headers=headers)
    assert created.status_code == 201
    assert created.json()["id"] == order_id
    assert created.json()["team_id"] == str(world.teams["north"])
    again = await client.post("/api/work-orders", json=body, headers=headers)
    assert_error(again, 409, "already_exists")
    assert await WorkOrder.count() == 1
    event = await TimelineEvent.select().where(TimelineEvent.order == order_id).first()
    assert event["device_time"].isoformat() == "2026-11-01T22:00:00+00:00"


async def test_create_with_assignee(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        "/api/work-orders",
        json={"title": "Fix it", "assignee_id": str(world.id("south_tech")), "priority": "P1"},
        headers=await world.headers("admin"),
    )
    body = response.json()
    assert body["status"] == "assigned"
    assert body["team_id"] == str(world.teams["south"])
    assert body["version"] == 2
    timeline = (
        await client.get(
            f"/api/work-orders/{body['id']}/timeline", headers=await world.headers("admin")
        )
    ).json()["items"]
    assert [(e["version"], e["kind"]) for e in timeline] == [(1, "created"), (2, "assigned")]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 400, "validation_error"),
        ({"title": ""}, 400, "validation_error"),
        ({"title": "x" * 201}, 400, "validation_error"),
        ({"title": "ok", "priority": "P0"}, 400, "validation_error"),
        ({"title": "ok", "kind": "party"}, 400, "validation_error"),
        ({"title": 5}, 400, "validation_error"),
        ({"title": "ok", "colour": "red"}, 400, "validation_error"),
        ({"title": "ok", "site_id": "not-a-uuid"}, 400, "validation_error"),
        ({"title": "ok", "due_at": "tomorrow"}, 400, "validation_error"),
        ({"title": "ok", "site_id": str(uuid.uuid4())}, 422, "unknown_reference"),
        ({"title": "ok", "assignee_id": "REQUESTER"}, 422, "invalid_assignee"),
        ({"title": "ok", "custom_fields": {"a": 1}}, 422, "invalid"),
    ],
)
async def test_bad_creation_changes_nothing(
    client: httpx.AsyncClient, world: World, body: dict, status: int, code: str
) -> None:
    if body.get("assignee_id") == "REQUESTER":
        body = {**body, "assignee_id": str(world.id("requester"))}
    response = await client.post(
        "/api/work-orders", json=body, headers=await world.headers("admin")
    )
    assert_error(response, status, code)
    assert await WorkOrder.count() == 0


async def test_malformed_and_oversized_bodies(client: httpx.AsyncClient, world: World) -> None:
    headers = {**await world.headers("admin"), "content-type": "application/json"}
    broken = await client.post("/api/work-orders", content=b'{"title": "x",', headers=headers)
    assert_error(broken, 400, "malformed_request")
    huge = await client.post(
        "/api/work-orders", content=b'{"title": "' + b"x" * 2_000_000 + b'"}', headers=headers
    )
    assert_error(huge, 413, "body_too_large")
    assert await WorkOrder.count() == 0


async def test_requester_rules(client: httpx.AsyncClient, world: World) -> None:
    headers = await world.headers("requester")
    routed = await client.post(
        "/api/work-orders",
        json={"title": "x", "assignee_id": str(world.id("north_tech"))},
        headers=headers,
    )
    assert_error(routed, 403, "forbidden")
    planned = await client.post(
        "/api/work-orders", json={"title": "x", "kind": "preventive"}, headers=headers
    )
    assert_error(planned, 403, "forbidden")
    own = (await client.post("/api/work-orders", json={"title": "x"}, headers=headers)).json()
    edited = await client.patch(
        f"/api/work-orders/{own['id']}", json={"description": "more detail"}, headers=headers
    )
    assert edited.status_code == 200
    reprioritised = await client.patch(
        f"/api/work-orders/{own['id']}", json={"priority": "P1"}, headers=headers
    )
    body = assert_error(reprioritised, 403, "forbidden")
    assert body["details"] == {"fields": ["priority"]}


async def test_edit_records_changes_and_checks_version(
    client: httpx.AsyncClient, world: World
) -> None:
    order_id = await put_order(world, "assigned", assignee="north_tech", team="north")
    manager = await world.headers("north_manager")
    edited = await client.patch(
        f"/api/work-orders/{order_id}",
        json={"title": "New title", "priority": "P1", "version": 1},
        headers=manager,
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["version"] == 2
    stale = await client.patch(
        f"/api/work-orders/{order_id}", json={"title": "Stale", "version": 1}, headers=manager
    )
    body = assert_error(stale, 409, "version_conflict")
    assert body["details"] == {"expected_version": 1, "current_version": 2}
    same = await client.patch(
        f"/api/work-orders/{order_id}", json={"title": "New title"}, headers=manager
    )
    assert same.json()["version"] == 2
    timeline = (await client.get(f"/api/work-orders/{order_id}/timeline", headers=manager)).json()[
        "items"
    ]
    assert timeline[-1]["kind"] == "edited"
    assert timeline[-1]["changes"] == {
        "title": ["Order in assigned", "New title"],
        "priority": ["P3", "P1"],
    }
    tech_edit = await client.patch(
        f"/api/work-orders/{order_id}",
        json={"priority": "P5"},
        headers=await world.headers("north_tech"),
    )
    assert_error(tech_edit, 403, "forbidden")


async def test_asset_must_be_at_the_site(client: httpx.AsyncClient, world: World) -> None:
    other_site = Site(id=uuid.uuid4(), name="Elsewhere", latitude=31.0, longitude=121.0)
    await other_site.save()
    asset = Asset(id=uuid.uuid4(), tag="AST-1", name="Pump", asset_type="pump", site=other_site.id)
    await asset.save()
    response = await client.post(
        "/api/work-orders",
        json={"title": "x", "asset_id": str(asset.id), "site_id": str(world.sites["central"])},
        headers=await world.headers("admin"),
    )
    assert_error(response, 422, "invalid")


async def test_assignment_and_transfer(client: httpx.AsyncClient, world: World) -> None:
    order_id = await put_order(world, "new")
    manager = await world.headers("north_manager")
    url = f"/api/work-orders/{order_id}/assignment"
    first = await client.post(
        url, json={"assignee_id": str(world.id("north_tech"))}, headers=manager
    )
    assert first.json()["status"] == "assigned"
    no_reason = await client.post(
        url, json={"assignee_id": str(world.id("north_tech2"))}, headers=manager
    )
    assert_error(no_reason, 422, "reason_required")
    tech = await world.headers("north_tech")
    await client.post(
        f"/api/work-orders/{order_id}/transitions", json={"action": "accept"}, headers=tech
    )
    outside = await client.post(
        url, json={"assignee_id": str(world.id("south_tech")), "reason": "busy"}, headers=tech
    )
    assert_error(outside, 403, "forbidden")
    handed = await client.post(
        url, json={"assignee_id": str(world.id("north_tech2")), "reason": "on leave"}, headers=tech
    )
    assert handed.status_code == 200, handed.text
    assert handed.json()["status"] == "assigned"
    assert handed.json()["assignee_id"] == str(world.id("north_tech2"))
    timeline = (await client.get(f"/api/work-orders/{order_id}/timeline", headers=manager)).json()[
        "items"
    ]
    assert timeline[-1]["kind"] == "transferred"
    assert timeline[-1]["note"] == "on leave"
    assert timeline[-1]["changes"]["assignee"] == [
        str(world.id("north_tech")),
        str(world.id("north_tech2")),
    ]
    requester = await client.post(
        url, json={"assignee_id": str(world.id("north_tech"))}, headers=await world.headers("admin")
    )
    assert requester.status_code == 422  # a transfer without a reason


async def test_comments_and_first_response(client: httpx.AsyncClient, world: World) -> None:
    order_id = await put_order(world, "new")
    requester = await world.headers("requester")
    own = await client.post(
        f"/api/work-orders/{order_id}/comments", json={"body": "Any news?"}, headers=requester
    )
    assert own.status_code == 201
    detail = (await client.get(f"/api/work-orders/{order_id}", headers=requester)).json()
    assert detail["first_response_at"] is None
    world.clock.advance(minutes=5)
    reply = await client.post(
        f"/api/work-orders/{order_id}/comments",
        json={"body": "On our way"},
        headers=await world.headers("north_manager"),
    )
    assert reply.json()["author_name"] == "North Manager"
    detail = (await client.get(f"/api/work-orders/{order_id}", headers=requester)).json()
    assert detail["first_response_at"] == "2026-11-02T08:05:00Z"
    assert detail["version"] == 3
    comments = (await client.get(f"/api/work-orders/{order_id}/comments", headers=requester)).json()
    assert [c["body"] for c in comments["items"]] == ["Any news?", "On our way"]
    empty = await client.post(
        f"/api/work-orders/{order_id}/comments", json={"body": ""}, headers=requester
    )
    assert_error(empty, 400, "validation_error")


async def test_templates_check_custom_fields(client: httpx.AsyncClient, world: World) -> None:
    admin = await world.headers("admin")
    bad_template = await client.post(
        "/api/templates",
        json={
            "name": "T",
            "kind": "service",
            "fields": [{"name": "colour", "label": "Colour", "type": "choice"}],
        },
        headers=admin,
    )
    assert_error(bad_template, 422, "invalid_template")
    template = await client.post(
        "/api/templates",
        json={
            "name": "Meter reading",
            "kind": "service",
            "department_id": str(world.departments["north"]),
            "fields": [
                {
                    "name": "reading",
                    "label": "Reading",
                    "type": "number",
                    "required": True,
                    "min": 0,
                    "max": 9999,
                },
                {"name": "seal", "label": "Seal intact", "type": "boolean"},
                {"name": "visit", "label": "Visit", "type": "date"},
                {"name": "grade", "label": "Grade", "type": "choice", "options": ["A", "B"]},
                {"name": "photo", "label": "Photo", "type": "photo"},
            ],
            "checklist": [{"text": "Check the seal"}],
        },
        headers=admin,
    )
    assert template.status_code == 201, template.text
    template_id = template.json()["id"]
    rejected = await client.post(
        "/api/work-orders",
        json={
            "title": "x",
            "kind": "service",
            "template_id": template_id,
            "custom_fields": {
                "reading": -1,
                "seal": "yes",
                "visit": "31/12",
                "grade": "C",
                "photo": "abc",
                "extra": 1,
            },
        },
        headers=admin,
    )
    body = assert_error(rejected, 422, "invalid_fields")
    assert set(body["details"]) == {"reading", "seal", "visit", "grade", "photo", "extra"}
    wrong_kind = await client.post(
        "/api/work-orders",
        json={
            "title": "x",
            "kind": "project",
            "template_id": template_id,
            "custom_fields": {"reading": 5},
        },
        headers=admin,
    )
    assert_error(wrong_kind, 422, "invalid")
    accepted = await client.post(
        "/api/work-orders",
        json={
            "title": "x",
            "kind": "service",
            "template_id": template_id,
            "custom_fields": {
                "reading": 42.5,
                "seal": True,
                "visit": "2026-12-01",
                "grade": "A",
                "photo": "a" * 64,
            },
        },
        headers=admin,
    )
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["department_id"] == str(world.departments["north"])
    assert accepted.json()["custom_fields"]["reading"] == 42.5
    missing = await client.patch(
        f"/api/work-orders/{accepted.json()['id']}",
        json={"custom_fields": {"seal": False}},
        headers=admin,
    )
    assert_error(missing, 422, "invalid_fields")
    assert await WorkOrder.count() == 1


async def test_project_tree_cannot_loop(client: httpx.AsyncClient, world: World) -> None:
    manager = await world.headers("north_manager")
    project = await put_order(world, "new", kind="project")
    child = await put_order(world, "new", parent=project)
    grandchild = await put_order(world, "new", parent=child)
    looped = await client.patch(
        f"/api/work-orders/{project}", json={"parent_id": str(grandchild)}, headers=manager
    )
    assert_error(looped, 422, "parent_cycle")
    itself = await client.patch(
        f"/api/work-orders/{child}", json={"parent_id": str(child)}, headers=manager
    )
    assert_error(itself, 422, "parent_cycle")
    children = (await client.get(f"/api/work-orders?parent_id={project}", headers=manager)).json()[
        "items"
    ]
    assert [item["id"] for item in children] == [str(child)]
    moved = await client.patch(
        f"/api/work-orders/{grandchild}", json={"parent_id": str(project)}, headers=manager
    )
    assert moved.json()["parent_id"] == str(project)
