"""Photos and signatures on orders: append-only, named by the SHA-256 of a blob that
may arrive after them (a phone pushes its mutations before its uploads finish)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from server.accounts.actor import Actor
from server.clock import Clock
from server.database import fetch, is_sqlite, one_of_ids
from server.errors import Conflict
from server.ids import new_id
from server.workorders import schemas
from server.workorders.queries import fetch_order
from server.workorders.tables import OrderAttachment
from server.workorders.unit import OrderUnit, unit_of_work

ATTACHMENTS_SQL = """
SELECT a.id, a."order" AS order_id, a.sha256, a.kind, a.caption, a.created_by AS created_by_id,
  a.created_at, a.device_time, EXISTS (SELECT 1 FROM blob b WHERE b.sha256 = a.sha256) AS present
FROM order_attachment a WHERE
"""


async def attachments_of(order_ids: list[Any]) -> list[schemas.Attachment]:
    """The attachments of orders the caller was already found to see."""
    if not order_ids:
        return []
    condition, ids = one_of_ids(is_sqlite(OrderAttachment._meta.db), 'a."order"', order_ids)
    return await _read(f"{condition} ORDER BY a.created_at, a.id", ids)


async def _read(where: str, *args: Any) -> list[schemas.Attachment]:
    rows = await fetch(OrderAttachment._meta.db, ATTACHMENTS_SQL + where, list(args))
    return msgspec.convert(rows, list[schemas.Attachment], strict=False)


class AttachmentService:
    def __init__(self, actor: Actor, clock: Clock) -> None:
        self.actor = actor
        self.clock = clock

    async def list_attachments(self, order_id: UUID) -> list[schemas.Attachment]:
        await fetch_order(self.actor, order_id)
        return await _read('a."order" = {} ORDER BY a.created_at, a.id', order_id)

    async def add(self, order_id: UUID, data: schemas.AttachmentCreate) -> schemas.Attachment:
        async with unit_of_work(self.actor, self.clock) as unit:
            attachment_id = await add_attachment(unit, order_id, data)
        [attachment] = await _read("a.id = {}", attachment_id)
        return attachment


async def add_attachment(
    unit: OrderUnit, order_id: UUID, data: schemas.AttachmentCreate, scoped: bool = True
) -> UUID:
    await unit.order(order_id, scoped)
    attachment_id = data.id or new_id()
    if await unit.taken(OrderAttachment, attachment_id):
        raise Conflict(
            "an attachment with this id exists", {"id": str(attachment_id)}, code="already_exists"
        )
    unit.insert(
        OrderAttachment,
        {
            "id": attachment_id,
            "order": order_id,
            "sha256": data.sha256,
            "kind": data.kind,
            "caption": data.caption,
            "created_by": unit.actor.user_id,
            "created_at": unit.clock(),
            "device_time": data.device_time,
        },
    )
    unit.change(
        order_id,
        {},
        "attachment",
        {"attachment_id": str(attachment_id), "sha256": data.sha256, "kind": data.kind},
        data.device_time,
        data.caption[:200],
    )
    return attachment_id
