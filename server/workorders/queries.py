"""Reading orders: the columns an answer needs, scoped selects and keyset cursors."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from piccolo.columns import Column
from piccolo.query.methods.select import Select

from server.accounts.actor import Actor
from server.errors import Invalid, NotFound
from server.workorders import schemas
from server.workorders.scope import visible
from server.workorders.tables import OrderFlag, TimelineEvent, WorkOrder

ORDER_COLUMNS: tuple[Any, ...] = (
    WorkOrder.id,
    WorkOrder.number,
    WorkOrder.kind,
    WorkOrder.title,
    WorkOrder.description,
    WorkOrder.priority,
    WorkOrder.status,
    WorkOrder.customer.as_alias("customer_id"),
    WorkOrder.requester.as_alias("requester_id"),
    WorkOrder.site.as_alias("site_id"),
    WorkOrder.site.name.as_alias("site_name"),
    WorkOrder.asset.as_alias("asset_id"),
    WorkOrder.service_item.as_alias("service_item_id"),
    WorkOrder.department.as_alias("department_id"),
    WorkOrder.team.as_alias("team_id"),
    WorkOrder.assignee.as_alias("assignee_id"),
    WorkOrder.assignee.display_name.as_alias("assignee_name"),
    WorkOrder.parent.as_alias("parent_id"),
    WorkOrder.template.as_alias("template_id"),
    WorkOrder.custom_fields,
    WorkOrder.due_at,
    WorkOrder.first_response_at,
    WorkOrder.resolved_at,
    WorkOrder.closed_at,
    WorkOrder.status_reason,
    WorkOrder.created_by.as_alias("created_by_id"),
    WorkOrder.created_at,
    WorkOrder.updated_at,
    WorkOrder.version,
)

# The columns a write reads under a row lock: no outer joins (PostgreSQL cannot
# lock the nullable side of one).
LOCK_COLUMNS: tuple[Any, ...] = (
    WorkOrder.id,
    WorkOrder.status,
    WorkOrder.version,
    WorkOrder.title,
    WorkOrder.description,
    WorkOrder.priority,
    WorkOrder.customer,
    WorkOrder.requester,
    WorkOrder.site,
    WorkOrder.asset,
    WorkOrder.service_item,
    WorkOrder.department,
    WorkOrder.team,
    WorkOrder.assignee,
    WorkOrder.parent,
    WorkOrder.template,
    WorkOrder.custom_fields,
    WorkOrder.due_at,
    WorkOrder.first_response_at,
    WorkOrder.created_by,
)

TIMELINE_COLUMNS: tuple[Any, ...] = (
    TimelineEvent.id,
    TimelineEvent.version,
    TimelineEvent.kind,
    TimelineEvent.actor.as_alias("actor_id"),
    TimelineEvent.actor.display_name.as_alias("actor_name"),
    TimelineEvent.at,
    TimelineEvent.device_time,
    TimelineEvent.changes,
    TimelineEvent.note,
)

SORT_COLUMNS: dict[str, Column] = {
    "created_at": WorkOrder.created_at,
    "updated_at": WorkOrder.updated_at,
    "priority": WorkOrder.priority,
    "number": WorkOrder.number,
}


def order_number(number: int) -> str:
    return f"WO-{number:06d}"


def scoped(query: Select, actor: Actor) -> Select:
    condition = visible(actor)
    return query if condition is None else query.where(condition)


def to_order(row: dict[str, Any], flags: dict[str, Any] | None = None) -> schemas.WorkOrder:
    row = {**row, "number": order_number(row["number"]), **(flags or {})}
    return msgspec.convert(row, schemas.WorkOrder)


async def fetch_order(actor: Actor, order_id: UUID) -> dict[str, Any]:
    row = (
        await scoped(WorkOrder.select(*ORDER_COLUMNS).where(WorkOrder.id == order_id), actor)
        .output(load_json=True)
        .first()
    )
    if row is None:
        raise NotFound("no such work order", {"id": str(order_id)})
    return row


async def fetch_timeline(order_id: UUID) -> list[schemas.TimelineEvent]:
    rows = (
        await TimelineEvent.select(*TIMELINE_COLUMNS)
        .where(TimelineEvent.order == order_id)
        .order_by(TimelineEvent.version)
        .output(load_json=True)
    )
    return msgspec.convert(rows, list[schemas.TimelineEvent])


async def fetch_flags(actor: Actor, order_ids: Iterable[UUID]) -> dict[UUID, dict[str, bool]]:
    ids = list(order_ids)
    if not ids:
        return {}
    rows = await OrderFlag.select(OrderFlag.order, OrderFlag.starred, OrderFlag.important).where(
        OrderFlag.user == actor.user_id, OrderFlag.order.is_in(ids)
    )
    return {
        row["order"]: {"starred": row["starred"], "important": row["important"]} for row in rows
    }


class Cursor(msgspec.Struct):
    sort: str
    value: Any
    id: UUID


def encode_cursor(sort: str, row: dict[str, Any]) -> str:
    value = row[sort.lstrip("-")]
    raw = msgspec.json.encode(Cursor(sort, value, row["id"]))
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(sort: str, token: str) -> Cursor:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        cursor = msgspec.json.decode(raw, type=Cursor)
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise Invalid("the cursor is not valid", code="invalid_cursor") from None
    if cursor.sort != sort:
        raise Invalid("the cursor belongs to another sort order", code="invalid_cursor")
    expected = {"created_at": datetime, "updated_at": datetime, "priority": str, "number": int}
    try:
        cursor.value = msgspec.convert(cursor.value, expected[sort.lstrip("-")])
    except msgspec.ValidationError:
        raise Invalid("the cursor is not valid", code="invalid_cursor") from None
    return cursor
