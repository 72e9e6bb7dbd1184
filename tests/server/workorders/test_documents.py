"""Timeline events keep the document written with them (server/workorders/documents.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid4

import httpx
import msgspec

from server.workorders.piccolo_migrations.workorders_2026_11_28t06_46_10_000000 import (
    event_backfill_sql,
    order_backfill_sql,
)
from server.workorders.schemas import OrderEvent
from server.workorders.tables import TimelineEvent, WorkOrder
from tests.sync.device import Device
from tests.world import World

SHANGHAI = timezone(timedelta(hours=8))


async def _order_with_history(client: httpx.AsyncClient, world: World) -> UUID:
    """Created and assigned over REST, then accepted and commented offline."""
    manager = await world.headers("north_manager")
    created = await client.post(
        "/api/work-orders",
        json={"title": "Chiller alarm", "department_id": str(world.departments["north"])},
        headers=manager,
    )
    assert created.status_code == 201, created.text
    order = created.json()
    assigned = await client.post(
        f"/api/work-orders/{order['id']}/assignment",
        json={"assignee_id": str(world.id("north_tech"))},
        headers=manager,
    )
    assert assigned.status_code == 200, assigned.text
    phone = Device(client, world, "north_tech")
    offline = datetime(2026, 11, 2, 16, 30, 0, 250_000, tzinfo=SHANGHAI)
    phone.make(
        "transition_order",
        device_time=offline,
        order_id=order["id"],
        base_version=assigned.json()["version"],
        action="accept",
    )
    phone.make("add_comment", order_id=order["id"], id=str(uuid4()), body="on it")
    answer = await phone.push()
    assert [r["outcome"] for r in answer["results"]] == ["applied", "applied"]
    return UUID(order["id"])


async def _rows(order_id: UUID) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = (
        await TimelineEvent.select()
        .where(TimelineEvent.order == order_id)
        .order_by(TimelineEvent.version)
        .output(load_json=True)
    )
    return rows


def _decoded(rows: list[dict[str, Any]]) -> list[OrderEvent]:
    return [msgspec.json.decode(row["doc"], type=OrderEvent) for row in rows]


async def test_each_event_stores_the_document_of_its_row(
    client: httpx.AsyncClient, world: World
) -> None:
    order_id = await _order_with_history(client, world)
    rows = await _rows(order_id)
    assert [row["kind"] for row in rows] == ["created", "assigned", "status", "comment"]
    names = {world.id("north_manager"): "North Manager", world.id("north_tech"): "North Tech"}
    for row, event in zip(rows, _decoded(rows), strict=True):
        assert event.id == row["id"]
        assert event.order_id == order_id
        assert (event.version, event.kind, event.note) == (row["version"], row["kind"], row["note"])
        assert event.actor_id == row["actor"]
        assert event.actor_name == names[row["actor"]]
        assert event.at == row["at"]
        assert event.device_time == row["device_time"]
        assert event.changes == row["changes"]
    accepted = msgspec.json.decode(rows[2]["doc"])
    # Kept in UTC like the column, whatever offset the phone sent.
    assert accepted["device_time"] == "2026-11-02T08:30:00.250000Z"
    assert accepted["changes"] == {"status": ["assigned", "accepted"]}
    detail = (
        await client.get(f"/api/work-orders/{order_id}", headers=await world.headers("admin"))
    ).json()
    assert detail["timeline"] == [
        {k: v for k, v in msgspec.json.decode(row["doc"]).items() if k != "order_id"}
        for row in rows
    ]


async def test_history_names_the_actor_as_they_were_called_then(
    client: httpx.AsyncClient, world: World
) -> None:
    order_id = await _order_with_history(client, world)
    renamed = await client.patch(
        f"/api/users/{world.id('north_manager')}",
        json={"display_name": "North Lead"},
        headers=await world.headers("admin"),
    )
    assert renamed.status_code == 200, renamed.text
    commented = await client.post(
        f"/api/work-orders/{order_id}/comments",
        json={"body": "thanks"},
        headers=await world.headers("north_manager"),
    )
    assert commented.status_code == 201, commented.text
    detail = (
        await client.get(f"/api/work-orders/{order_id}", headers=await world.headers("admin"))
    ).json()
    names = [(e["kind"], e["actor_name"]) for e in detail["timeline"]]
    assert names == [
        ("created", "North Manager"),
        ("assigned", "North Manager"),
        ("status", "North Tech"),
        ("comment", "North Tech"),
        ("comment", "North Lead"),
    ]


async def _detail(client: httpx.AsyncClient, world: World, order_id: UUID, user: str) -> Any:
    answer = await client.get(f"/api/work-orders/{order_id}", headers=await world.headers(user))
    assert answer.status_code == 200, answer.text
    return answer.json()


async def _stored_order(order_id: UUID) -> dict[str, Any]:
    row = await WorkOrder.select(WorkOrder.doc).where(WorkOrder.id == order_id).first()
    assert row is not None
    doc: dict[str, Any] = msgspec.json.decode(row["doc"])
    return doc


READ_ADDS = ("site_name", "assignee_name", "starred", "important")


async def test_each_change_rewrites_the_order_document(
    client: httpx.AsyncClient, world: World
) -> None:
    order_id = await _order_with_history(client, world)
    edited = await client.patch(
        f"/api/work-orders/{order_id}",
        json={"description": "Alarm E4", "priority": "P1"},
        headers=await world.headers("north_manager"),
    )
    assert edited.status_code == 200, edited.text
    stored = await _stored_order(order_id)
    detail = await _detail(client, world, order_id, "north_manager")
    order = {k: v for k, v in detail.items() if k not in ("timeline", "allowed_actions")}
    assert stored == {k: v for k, v in order.items() if k not in READ_ADDS}
    assert stored["version"] == 5
    assert stored["description"] == "Alarm E4"
    assert stored["priority"] == "P1"
    assert stored["status"] == "accepted"
    assert stored["number"].startswith("WO-")


async def test_reads_add_the_current_names_and_the_readers_own_marks(
    client: httpx.AsyncClient, world: World
) -> None:
    order_id = await _order_with_history(client, world)
    before = await _stored_order(order_id)
    marked = await client.put(
        f"/api/work-orders/{order_id}/flags",
        json={"starred": True},
        headers=await world.headers("north_tech"),
    )
    assert marked.status_code == 200, marked.text
    renamed = await client.patch(
        f"/api/users/{world.id('north_tech')}",
        json={"display_name": "Li Wei 李伟"},
        headers=await world.headers("admin"),
    )
    assert renamed.status_code == 200, renamed.text
    mine = await _detail(client, world, order_id, "north_tech")
    theirs = await _detail(client, world, order_id, "north_manager")
    assert (mine["assignee_name"], mine["starred"], mine["important"]) == (
        "Li Wei 李伟",
        True,
        False,
    )
    assert (theirs["assignee_name"], theirs["starred"]) == ("Li Wei 李伟", False)
    assert await _stored_order(order_id) == before


async def test_the_migration_fills_the_documents_of_older_rows(
    client: httpx.AsyncClient, world: World, engine_name: str
) -> None:
    order_id = await _order_with_history(client, world)
    await client.put(
        f"/api/work-orders/{order_id}/flags",
        json={"important": True},
        headers=await world.headers("north_manager"),
    )
    detail = await _detail(client, world, order_id, "north_manager")
    written = _decoded(await _rows(order_id))
    await WorkOrder.update({WorkOrder.doc: ""}, force=True)
    await TimelineEvent.update({TimelineEvent.doc: ""}, force=True)
    engine = TimelineEvent._meta.db
    sqlite = engine_name == "sqlite"
    await engine.run_ddl(order_backfill_sql(sqlite))
    await engine.run_ddl(event_backfill_sql(sqlite))
    assert await _detail(client, world, order_id, "north_manager") == detail
    filled = await _rows(order_id)
    assert _decoded(filled) == written
    for row in filled:
        doc = msgspec.json.decode(row["doc"])
        assert doc["at"].endswith("Z"), doc
        assert datetime.fromisoformat(doc["at"]).astimezone(UTC) == row["at"]
