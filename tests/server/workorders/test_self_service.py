"""Customer self-service: requesters follow their orders without ever seeing internal
notes (API, timeline, sync pull, mentions), and rate finished work once; a low rating
flags the order for the dispatchers."""

from __future__ import annotations

from uuid import UUID

import httpx

from server.notifications.tables import Notification
from server.workorders.tables import WorkOrder
from tests.probes import assert_error
from tests.server.workorders.orders import put_order
from tests.sync.device import Device
from tests.sync.test_blobs import image, sha
from tests.world import World

SECRET = "customer is difficult, bill the call-out @requester"


async def comment(
    client: httpx.AsyncClient, world: World, order_id: UUID, who: str, body: str, internal: bool
) -> httpx.Response:
    return await client.post(
        f"/api/work-orders/{order_id}/comments",
        json={"body": body, "internal": internal},
        headers=await world.headers(who),
    )


async def test_requesters_never_see_internal_notes(client: httpx.AsyncClient, world: World) -> None:
    order_id = await put_order(world, "in_progress", assignee="north_tech", team="north")
    assert (await comment(client, world, order_id, "north_tech", SECRET, True)).status_code == 201
    public = "Replaced the pump seal"
    assert (await comment(client, world, order_id, "north_tech", public, False)).status_code == 201
    refused = await comment(client, world, order_id, "requester", "me too", True)
    assert_error(refused, 403, "internal_not_allowed")

    def notes(events: list[dict[str, object]]) -> list[object]:
        return [event["note"] for event in events if event["kind"] == "comment"]

    for who, expected in (("requester", [public]), ("north_tech", [SECRET, public])):
        headers = await world.headers(who)
        detail = (await client.get(f"/api/work-orders/{order_id}", headers=headers)).json()
        assert notes(detail["timeline"]) == expected, who
        timeline = await client.get(f"/api/work-orders/{order_id}/timeline", headers=headers)
        assert notes(timeline.json()["items"]) == expected, who
        comments = await client.get(f"/api/work-orders/{order_id}/comments", headers=headers)
        assert sorted(c["body"] for c in comments.json()["items"]) == sorted(expected), who
        phone = Device(client, world, who)
        await phone.pull()
        pulled = phone.timeline[str(order_id)]
        assert notes([pulled[version] for version in sorted(pulled)]) == expected, who
        if who == "requester":
            assert SECRET[:20] not in (await phone.pull_raw(None)).text
    # Mentioned in an internal note, the requester is not told.
    told = await Notification.count().where(
        Notification.user == world.id("requester"), Notification.kind == "mentioned"
    )
    assert told == 0


async def test_a_requester_rates_finished_work_once(
    client: httpx.AsyncClient, world: World
) -> None:
    headers = await world.headers("requester")
    open_order = await put_order(world, "in_progress", assignee="north_tech")
    early = await client.post(
        f"/api/work-orders/{open_order}/rating", json={"score": 5}, headers=headers
    )
    assert_error(early, 409, "not_finished")

    done = await put_order(world, "resolved", assignee="north_tech")
    url = f"/api/work-orders/{done}/rating"
    for body in ({"score": 0}, {"score": 6}, {"score": 4.5}, {"score": 5, "stars": 5}):
        assert (await client.post(url, json=body, headers=headers)).status_code == 400, body
    other = await client.post(
        url, json={"score": 1}, headers=await world.headers("other_requester")
    )
    assert other.status_code == 404  # not theirs to see
    staff = await client.post(url, json={"score": 1}, headers=await world.headers("north_manager"))
    assert_error(staff, 403, "rating_forbidden")

    rated = await client.post(url, json={"score": 5, "comment": "quick, tidy"}, headers=headers)
    assert rated.status_code == 200, rated.text
    assert (rated.json()["rating"], rated.json()["rating_comment"]) == (5, "quick, tidy")
    assert rated.json()["needs_review"] is False
    again = await client.post(url, json={"score": 1}, headers=headers)
    assert_error(again, 409, "already_rated")
    row = await WorkOrder.select(WorkOrder.rating).where(WorkOrder.id == done).first()
    assert row == {"rating": 5}


async def test_a_low_rating_flags_the_order_for_its_dispatchers(
    client: httpx.AsyncClient, world: World
) -> None:
    done = await put_order(world, "closed", assignee="north_tech")
    phone = Device(client, world, "requester")
    phone.make("rate_order", order_id=done, score=2, comment="came twice, still broken")
    phone.make("rate_order", order_id=done, score=5)
    answer = await phone.push()
    assert [(r["outcome"], r.get("code")) for r in answer["results"]] == [
        ("applied", ""),
        ("rejected", "already_rated"),
    ]
    row = (
        await WorkOrder.select(WorkOrder.rating, WorkOrder.needs_review)
        .where(WorkOrder.id == done)
        .first()
    )
    assert row == {"rating": 2, "needs_review": True}
    told = await Notification.select(Notification.user).where(Notification.kind == "rated_low")
    assert [n["user"] for n in told] == [world.id("north_manager")]
    headers = await world.headers("north_manager")
    detail = (await client.get(f"/api/work-orders/{done}", headers=headers)).json()
    [event] = [e for e in detail["timeline"] if e["kind"] == "rated"]
    assert event["note"] == "came twice, still broken"
    assert event["changes"] == {"rating": [None, 2], "needs_review": [False, True]}


async def test_an_internal_note_is_no_first_response(
    client: httpx.AsyncClient, world: World
) -> None:
    order_id = await put_order(world, "assigned", assignee="north_tech", team="north")
    assert (
        await comment(client, world, order_id, "north_tech", "ring first", True)
    ).status_code == 201
    row = (
        await WorkOrder.select(WorkOrder.first_response_at).where(WorkOrder.id == order_id).first()
    )
    assert row == {"first_response_at": None}
    assert (
        await comment(client, world, order_id, "north_tech", "on my way", False)
    ).status_code == 201
    row = (
        await WorkOrder.select(WorkOrder.first_response_at).where(WorkOrder.id == order_id).first()
    )
    assert row is not None
    assert row["first_response_at"] is not None


async def test_a_requester_places_the_work_online_and_offline(
    client: httpx.AsyncClient, world: World
) -> None:
    headers = await world.headers("requester")
    spot = {"latitude": 31.2304, "longitude": 121.4737, "accuracy_m": 12.5, "address": "B3 lift"}
    for bad in (
        {**spot, "latitude": 91},
        {**spot, "longitude": -181},
        {**spot, "accuracy_m": -1},
        {**spot, "address": "x" * 301},
        {**spot, "floor": 3},
        {"latitude": 31.2},
    ):
        refused = await client.post(
            "/api/work-orders", json={"title": "Leak", "location": bad}, headers=headers
        )
        assert refused.status_code == 400, bad
    assert await WorkOrder.count() == 0

    made = await client.post(
        "/api/work-orders", json={"title": "Leak", "location": spot}, headers=headers
    )
    assert made.status_code == 201, made.text
    order_id = made.json()["id"]
    assert made.json()["location"] == spot
    moved = {"latitude": 31.2310, "longitude": 121.4740, "accuracy_m": None, "address": ""}
    edited = await client.patch(
        f"/api/work-orders/{order_id}", json={"location": moved}, headers=headers
    )
    assert edited.status_code == 200, edited.text
    detail = (await client.get(f"/api/work-orders/{order_id}", headers=headers)).json()
    assert detail["location"] == moved
    assert detail["timeline"][-1]["changes"] == {"location": [spot, moved]}
    unplaced = await client.post("/api/work-orders", json={"title": "Noise"}, headers=headers)
    assert unplaced.json()["location"] is None
    photo = image("JPEG", 200)
    uploaded = await client.put(f"/api/blobs/{sha(photo)}", content=photo, headers=headers)
    assert uploaded.status_code == 201, uploaded.text
    attached = await client.post(
        f"/api/work-orders/{order_id}/attachments",
        json={"sha256": sha(photo), "kind": "photo", "caption": "the leak"},
        headers=headers,
    )
    assert attached.status_code == 201, attached.text
    listed = await client.get(f"/api/work-orders/{order_id}/attachments", headers=headers)
    assert [(a["sha256"], a["present"]) for a in listed.json()["items"]] == [(sha(photo), True)]

    phone = Device(client, world, "requester")
    offline_id = "7d0c4f3e-2a55-4d7e-9f8e-0c1a2b3c4d5e"
    phone.make("create_order", id=offline_id, title="No heating", location=spot)
    answer = await phone.push()
    assert [r["outcome"] for r in answer["results"]] == ["applied"], answer
    await phone.pull()
    assert phone.orders[offline_id]["location"] == spot
    staff = (
        await client.get(f"/api/work-orders/{offline_id}", headers=await world.headers("admin"))
    ).json()
    assert staff["location"] == spot
