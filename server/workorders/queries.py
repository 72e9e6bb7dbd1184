"""Reading orders for answers, and the list's keyset cursors."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from msgspec import Meta

from server.accounts.actor import Actor
from server.database import fetch, is_sqlite, like_any
from server.errors import Invalid, NotFound
from server.sql import Sql
from server.types import Priority
from server.workorders import schemas
from server.workorders.listing import order_query, page_query, statuses, timeline_query
from server.workorders.tables import TimelineEvent, WorkOrder


class PageKey(msgspec.Struct):
    """The fields of an order that a page is sorted and continued by."""

    id: UUID
    number: str
    priority: Priority
    created_at: datetime
    updated_at: datetime


SORT_KEYS: dict[str, Callable[[PageKey], Any]] = {
    "created_at": lambda key: (key.created_at, key.id),
    "updated_at": lambda key: (key.updated_at, key.id),
    "priority": lambda key: (key.priority, key.id),
    "number": lambda key: (number_of(key), key.id),
}


def number_of(key: PageKey) -> int:
    return int(key.number.removeprefix("WO-"))


def to_orders(rows: list[dict[str, Any]]) -> list[schemas.WorkOrder]:
    """Decode the JSON documents the database built for each order."""
    return msgspec.json.decode(
        "[" + ",".join(row["doc"] for row in rows) + "]", type=list[schemas.WorkOrder]
    )


async def _rows(sql: Sql) -> list[dict[str, Any]]:
    return await fetch(WorkOrder._meta.db, sql.text, sql.args)


async def fetch_order(actor: Actor, order_id: UUID, scoped: bool = True) -> schemas.WorkOrder:
    """One order; ``scoped=False`` only to answer a write the caller was allowed to make
    (routing an order elsewhere may take it out of the caller's scope)."""
    rows = await _rows(order_query(WorkOrder._meta.db, actor, order_id, scoped))
    if not rows:
        raise NotFound("no such work order", {"id": str(order_id)})
    return to_orders(rows)[0]


async def fetch_timeline(actor: Actor, order_id: UUID) -> list[schemas.TimelineEvent]:
    rows = await _rows(timeline_query(TimelineEvent._meta.db, actor, order_id))
    docs = rows[0]["docs"] if rows else None
    events = msgspec.json.decode(docs, type=list[schemas.TimelineEvent]) if docs else []
    return sorted(events, key=lambda event: event.version)


def _text_match(alias: str, text: str) -> Sql:
    sqlite = is_sqlite(WorkOrder._meta.db)
    condition, args = like_any(sqlite, [f"{alias}.title", f"{alias}.description"], text)
    digits = text.upper().removeprefix("WO-")
    if digits.isascii() and digits.isdigit() and len(digits) < 10:
        return Sql(f"({condition} OR {alias}.number = {{}})", *args, int(digits))
    return Sql(condition, *args)


class Page(msgspec.Struct):
    """A page as the database wrote it: each order's JSON document, untouched, beside
    the keys it is sorted and continued by."""

    docs: list[msgspec.Raw]
    keys: list[PageKey]


async def fetch_page(actor: Actor, query: schemas.ListQuery) -> Page:
    """Up to ``limit + 1`` orders in page order (one more tells that more follow)."""
    after = None
    if query.cursor:
        cursor = decode_cursor(query.sort, query.cursor)
        after = (cursor.value, cursor.id)
    if statuses(query) == []:
        return Page([], [])  # the view and the status filter exclude each other
    rows = await _rows(page_query(WorkOrder._meta.db, actor, query, _text_match, after))
    text = rows[0]["docs"] if rows else None
    if not text:
        return Page([], [])
    # Decoding fifty orders into Structs only to encode them again was a quarter of
    # a list request's time: the documents pass through, only their keys are read.
    docs = msgspec.json.decode(text, type=list[msgspec.Raw])
    keys = msgspec.json.decode(text, type=list[PageKey])
    # Aggregates keep the order rows arrive in, which SQL does not promise: sort here.
    by_key = SORT_KEYS[query.sort.lstrip("-")]
    pairs = sorted(
        zip(keys, docs, strict=True),
        key=lambda pair: by_key(pair[0]),
        reverse=query.sort.startswith("-"),
    )
    return Page([doc for _, doc in pairs], [key for key, _ in pairs])


class Cursor(msgspec.Struct):
    sort: str
    value: Any
    id: UUID


def encode_cursor(sort: str, key: PageKey) -> str:
    column = sort.lstrip("-")
    value = number_of(key) if column == "number" else getattr(key, column)
    raw = msgspec.json.encode(Cursor(sort, value, key.id))
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(sort: str, token: str) -> Cursor:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        cursor = msgspec.json.decode(raw, type=Cursor)
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise Invalid("the cursor is not valid", code="invalid_cursor") from None
    if cursor.sort != sort:
        raise Invalid("the cursor belongs to another sort order", code="invalid_cursor")
    expected = {
        "created_at": datetime,
        "updated_at": datetime,
        "priority": Priority,
        "number": Annotated[int, Meta(ge=0, lt=2**31)],
    }
    try:
        cursor.value = msgspec.convert(cursor.value, expected[sort.lstrip("-")])
    except msgspec.ValidationError:
        raise Invalid("the cursor is not valid", code="invalid_cursor") from None
    return cursor
