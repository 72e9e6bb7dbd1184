"""Conflict rules: per-field merge against the base version, losing values kept,
late transitions kept for review, and managers resolving them."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import httpx

from server.workorders.tables import Template
from tests.probes import assert_error
from tests.server.workorders.orders import put_order
from tests.sync.device import Device
from tests.world import World


async def _order(client: httpx.AsyncClient, world: World, order_id: UUID) -> dict[str, Any]:
    answer = await client.get(
        f"/api/work-orders/{order_id}", headers=await world.headers("north_manager")
    )
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def _conflicts(client: httpx.AsyncClient, world: World, **params: Any) -> list[Any]:
    answer = await client.get(
        "/api/sync/conflicts", params=params, headers=await world.headers("north_manager")
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]  # type: ignore[no-any-return]


async def test_edits_merge_per_field_and_the_loser_is_kept(
    client: httpx.AsyncClient, world: World
) -> None:
    template = Template(
        id=uuid4(),
        name="Repair",
        kind="customer_request",
        fields=[
            {"name": "cause", "label": "Cause", "type": "text"},
            {"name": "hours", "label": "Hours", "type": "number"},
        ],
    )
    await template.save()
    order_id = await put_order(
        world,
        "in_progress",
        assignee="north_tech",
        team="north",
        template=template.id,
        custom_fields={"cause": "", "hours": 1},
        description="as reported",
    )
    manager = await world.headers("north_manager")
    # Offline, the technician saw version 1 and edits the description and both fields.
    phone = Device(client, world, "north_tech")
    phone.make(
        "edit_order",
        order_id=order_id,
        base_version=1,
        changes={"description": "pump seal worn", "custom_fields": {"hours": 3}},
    )
    # Meanwhile the dispatcher changes the title (another field) and the hours.
    edited = await client.patch(
        f"/api/work-orders/{order_id}",
        json={"title": "Pump room leak", "custom_fields": {"cause": "", "hours": 2}},
        headers=manager,
    )
    assert edited.status_code == 200, edited.text
    answer = await phone.push()
    assert answer["results"][0]["outcome"] == "conflict"
    order = await _order(client, world, order_id)
    assert order["title"] == "Pump room leak"  # the dispatcher's field, untouched
    # The department's dispatcher is told (and pushed) that it needs a look.
    notices = (await client.get("/api/notifications", headers=manager)).json()["items"]
    assert [(n["kind"], n["order_id"]) for n in notices] == [("sync_conflict", str(order_id))]
    assert order["description"] == "pump seal worn"  # only the phone changed it
    assert order["custom_fields"] == {"cause": "", "hours": 3}  # later in server order
    [conflict] = await _conflicts(client, world, order_id=str(order_id))
    assert conflict["kind"] == "field"
    assert conflict["field"] == "custom_fields.hours"
    assert (conflict["kept"], conflict["lost"]) == (3, 2)
    assert conflict["author_id"] == str(world.id("north_tech"))


async def test_an_edit_without_overlap_is_no_conflict(
    client: httpx.AsyncClient, world: World
) -> None:
    order_id = await put_order(world, "in_progress", assignee="north_tech", team="north")
    phone = Device(client, world, "north_tech")
    phone.make("edit_order", order_id=order_id, base_version=1, changes={"description": "a"})
    await client.patch(
        f"/api/work-orders/{order_id}",
        json={"title": "Renamed"},
        headers=await world.headers("north_manager"),
    )
    answer = await phone.push()
    assert answer["results"][0]["outcome"] == "applied"
    assert await _conflicts(client, world) == []
    newer = Device(client, world, "north_tech")
    newer.make("edit_order", order_id=order_id, base_version=9, changes={"description": "b"})
    rejected = (await newer.push())["results"][0]
    assert (rejected["outcome"], rejected["code"]) == ("rejected", "invalid_base_version")


async def test_work_finished_offline_on_a_cancelled_order_is_kept_for_review(
    client: httpx.AsyncClient, world: World
) -> None:
    order_id = await put_order(world, "in_progress", assignee="north_tech", team="north")
    phone = Device(client, world, "north_tech")
    note_id = uuid4()
    phone.make("add_comment", order_id=order_id, id=note_id, body="Replaced the valve")
    phone.make("transition_order", order_id=order_id, base_version=1, action="resolve")
    manager = await world.headers("north_manager")
    cancelled = await client.post(
        f"/api/work-orders/{order_id}/transitions",
        json={"action": "cancel", "reason": "customer withdrew"},
        headers=manager,
    )
    assert cancelled.status_code == 200, cancelled.text
    answer = await phone.push()
    assert [r["outcome"] for r in answer["results"]] == ["applied", "conflict"]
    order = await _order(client, world, order_id)
    assert order["status"] == "cancelled"
    assert order["needs_review"] is True
    assert order["timeline"][-1]["kind"] == "review_needed"
    comments = await client.get(f"/api/work-orders/{order_id}/comments", headers=manager)
    assert [c["id"] for c in comments.json()["items"]] == [str(note_id)]
    [conflict] = await _conflicts(client, world)
    assert conflict["kind"] == "transition"
    assert conflict["kept"] == {"status": "cancelled"}
    assert conflict["lost"] == {"action": "resolve", "reason": "", "refused": "illegal_transition"}
    # Technicians do not review conflicts; the manager resolves it.
    listed = await client.get("/api/sync/conflicts", headers=await world.headers("north_tech"))
    assert_error(listed, 403, "forbidden")
    resolved = await client.post(
        f"/api/sync/conflicts/{conflict['id']}/resolve",
        json={"resolution": "billed the visit; order stays cancelled"},
        headers=manager,
    )
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["resolved_by_id"] == str(world.id("north_manager"))
    assert await _conflicts(client, world) == []
    assert len(await _conflicts(client, world, open_only="false")) == 1
    order = await _order(client, world, order_id)
    assert order["needs_review"] is False
    assert order["timeline"][-1]["kind"] == "reviewed"
    again = await client.post(
        f"/api/sync/conflicts/{conflict['id']}/resolve", json={"resolution": "x"}, headers=manager
    )
    assert_error(again, 409, "already_resolved")
    other = await client.post(
        f"/api/sync/conflicts/{conflict['id']}/resolve",
        json={"resolution": "x"},
        headers=await world.headers("south_manager"),
    )
    assert_error(other, 404, "not_found")


async def test_a_devices_own_earlier_changes_are_no_conflict(
    client: httpx.AsyncClient, world: World
) -> None:
    """Offline, a device cannot know the versions its own mutations will make: they
    count as the device's, not as changes it missed."""
    order_id = await put_order(world, "assigned", assignee="north_tech", team="north")
    phone = Device(client, world, "north_tech")
    phone.make("edit_order", order_id=order_id, base_version=1, changes={"description": "a"})
    phone.make("edit_order", order_id=order_id, base_version=1, changes={"description": "b"})
    phone.make("add_comment", order_id=order_id, id=uuid4(), body="on my way")
    # Illegal from "assigned", and nobody else touched the order: its own mistake.
    phone.make("transition_order", order_id=order_id, base_version=1, action="resolve")
    answer = await phone.push()
    assert [(r["outcome"], r["code"]) for r in answer["results"]] == [
        ("applied", ""),
        ("applied", ""),
        ("applied", ""),
        ("rejected", "illegal_transition"),
    ]
    assert await _conflicts(client, world) == []
    assert (await _order(client, world, order_id))["needs_review"] is False


async def test_work_refused_because_the_order_moved_on_is_kept(
    client: httpx.AsyncClient, world: World
) -> None:
    """Reassigned and restarted by someone else while the technician worked offline:
    the technician may no longer resolve it, and that is a conflict, not a drop."""
    order_id = await put_order(world, "in_progress", assignee="north_tech", team="north")
    admin = await world.headers("admin")
    answer = await client.post(
        f"/api/work-orders/{order_id}/assignment",
        json={"assignee_id": str(world.id("north_tech2")), "reason": "swap"},
        headers=admin,
    )
    assert answer.status_code == 200, answer.text
    for action in ("accept", "start_travel", "arrive", "start_work"):
        answer = await client.post(
            f"/api/work-orders/{order_id}/transitions", json={"action": action}, headers=admin
        )
        assert answer.status_code == 200, answer.text
    phone = Device(client, world, "north_tech")
    phone.make("transition_order", order_id=order_id, base_version=1, action="resolve")
    result = (await phone.push())["results"][0]
    assert result["outcome"] == "conflict"
    [conflict] = await _conflicts(client, world)
    assert conflict["lost"] == {
        "action": "resolve",
        "reason": "",
        "refused": "transition_forbidden",
    }
    assert (await _order(client, world, order_id))["needs_review"] is True


async def test_notes_made_offline_survive_the_order_being_handed_away(
    client: httpx.AsyncClient, world: World
) -> None:
    """Append-only work never conflicts: the technician's notes and photo from the
    basement are taken even though the order went to another team meanwhile."""
    order_id = await put_order(world, "in_progress", assignee="north_tech", team="north")
    phone = Device(client, world, "north_tech")
    phone.make("add_comment", order_id=order_id, id=uuid4(), body="valve replaced")
    phone.make("attach_file", order_id=order_id, id=uuid4(), sha256="ab" * 32)
    phone.make("set_flags", order_id=order_id, starred=True)
    handed = await client.post(
        f"/api/work-orders/{order_id}/assignment",
        json={"assignee_id": str(world.id("south_tech")), "reason": "south takes over"},
        headers=await world.headers("admin"),
    )
    assert handed.status_code == 200, handed.text
    answer = await phone.push()
    assert [(r["outcome"], r["code"]) for r in answer["results"]] == [
        ("applied", ""),
        ("applied", ""),
        ("rejected", "not_found"),  # a mark on an order no longer theirs is no work lost
    ]
    south = await world.headers("south_tech")
    comments = await client.get(f"/api/work-orders/{order_id}/comments", headers=south)
    assert [c["body"] for c in comments.json()["items"]] == ["valve replaced"]
    # Someone who never had the order still cannot write to it.
    stranger = Device(client, world, "other_requester")
    stranger.make("add_comment", order_id=order_id, id=uuid4(), body="not mine")
    result = (await stranger.push())["results"][0]
    assert (result["outcome"], result["code"]) == ("rejected", "not_found")
