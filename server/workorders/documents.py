"""The JSON documents of orders and timeline events, made when they are written.

Reads send documents as they are stored (server/workorders/listing.py): building
them at each read was most of the work of a full sync pull.

- An event never changes, so its document is whole: it names the actor as they
  were called when they acted, as a record of what happened should.
- An order's document is rewritten with each change of the order. It leaves out
  what changes without the order changing, which a read adds: the current names
  of its site and assignee, and the reader's own star and important marks.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec

from server.workorders.schemas import OrderEvent

# (field of the API's WorkOrder, column of work_order), in the order they are written.
ORDER_DOC_FIELDS = (
    ("id", "id"),
    ("number", "number"),
    ("kind", "kind"),
    ("title", "title"),
    ("description", "description"),
    ("priority", "priority"),
    ("status", "status"),
    ("customer_id", "customer"),
    ("requester_id", "requester"),
    ("site_id", "site"),
    ("asset_id", "asset"),
    ("service_item_id", "service_item"),
    ("department_id", "department"),
    ("team_id", "team"),
    ("assignee_id", "assignee"),
    ("parent_id", "parent"),
    ("template_id", "template"),
    ("custom_fields", "custom_fields"),
    ("due_at", "due_at"),
    ("planned_start_at", "planned_start_at"),
    ("planned_end_at", "planned_end_at"),
    ("first_response_at", "first_response_at"),
    ("resolved_at", "resolved_at"),
    ("closed_at", "closed_at"),
    ("status_reason", "status_reason"),
    ("created_by_id", "created_by"),
    ("created_at", "created_at"),
    ("updated_at", "updated_at"),
    ("version", "version"),
    ("needs_review", "needs_review"),
    ("response_due_at", "response_due_at"),
    ("resolution_due_at", "resolution_due_at"),
    ("response_breached_at", "response_breached_at"),
    ("resolution_breached_at", "resolution_breached_at"),
    ("sla_paused_at", "sla_paused_at"),
    ("alarm_count", "alarm_count"),
    ("urge_count", "urge_count"),
    ("last_urged_at", "last_urged_at"),
    ("rating", "rating"),
    ("rating_comment", "rating_comment"),
    ("rated_at", "rated_at"),
    ("location", "location"),
)
TIME_FIELDS = (
    "due_at",
    "planned_start_at",
    "planned_end_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "created_at",
    "updated_at",
    "response_due_at",
    "resolution_due_at",
    "response_breached_at",
    "resolution_breached_at",
    "sla_paused_at",
    "last_urged_at",
    "rated_at",
)


def _utc(value: datetime | None) -> datetime | None:
    # The database keeps times in UTC; the document says what the column says.
    return value.astimezone(UTC) if value is not None else None


def order_number(number: int) -> str:
    """How people see an order's number: WO-000042."""
    return f"WO-{number:06d}"


def order_doc(row: dict[str, Any]) -> str:
    """The document of a whole ``work_order`` row (custom fields decoded)."""
    doc = {field: row[column] for field, column in ORDER_DOC_FIELDS}
    doc["number"] = order_number(row["number"])
    for field in TIME_FIELDS:
        doc[field] = _utc(doc[field])
    doc["needs_review"] = bool(row["needs_review"])
    return msgspec.json.encode(doc).decode()


def event_doc(row: dict[str, Any], changes: dict[str, Any], actor_name: str | None) -> str:
    """The document of a ``timeline_event`` row (its ``changes`` given decoded)."""
    event = OrderEvent(
        id=row["id"],
        version=row["version"],
        kind=row["kind"],
        actor_id=row["actor"],
        actor_name=actor_name,
        at=row["at"].astimezone(UTC),
        device_time=_utc(row["device_time"]),
        changes=changes,
        note=row["note"],
        internal=row["internal"],
        order_id=row["order"],
    )
    return msgspec.json.encode(event).decode()
