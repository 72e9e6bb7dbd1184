"""Which recurring and maintenance plans a caller may keep: those whose orders would be
in their scope, or that they made.

A plan's order names its department, or takes it at creation from its template, or
else from its service item (``OrderOperations.create``): the check follows the same
steps, or another department's manager would keep the plans of orders they cannot see.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from server.accounts.actor import Actor
from server.database import json_column
from server.masterdata.tables import ServiceItem
from server.workorders.scope import row_in_scope, terms
from server.workorders.tables import Template


def _uuid(value: Any) -> UUID | None:
    return None if value is None else UUID(str(value))


async def _departments(table: Any, ids: set[UUID]) -> dict[UUID, UUID | None]:
    if not ids:
        return {}
    rows = await table.select(table.id, table.department).where(table.id.is_in(list(ids)))
    return {row["id"]: row["department"] for row in rows}


async def plans_in_scope(actor: Actor, plans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The plans of ``plans`` (rows with ``order`` and ``created_by``) the caller keeps."""
    scope = terms(actor)
    if scope is None:
        return plans
    orders = [json_column(plan["order"]) for plan in plans]
    unrouted = [order for order in orders if order.get("department_id") is None]
    templates = await _departments(
        Template, {UUID(str(o["template_id"])) for o in unrouted if o.get("template_id")}
    )
    items = await _departments(
        ServiceItem,
        {UUID(str(o["service_item_id"])) for o in unrouted if o.get("service_item_id")},
    )

    def department(order: dict[str, Any]) -> UUID | None:
        if order.get("department_id") is not None:
            return _uuid(order["department_id"])
        if order.get("template_id"):
            return templates.get(UUID(str(order["template_id"])))
        if order.get("service_item_id"):
            return items.get(UUID(str(order["service_item_id"])))
        return None

    return [
        plan
        for plan, order in zip(plans, orders, strict=True)
        if row_in_scope(
            scope,
            {
                "department": department(order),
                "team": _uuid(order.get("team_id")),
                "assignee": _uuid(order.get("assignee_id")),
                "created_by": plan["created_by"],
                "requester": None,
            },
        )
    ]


async def plan_in_scope(actor: Actor, plan: dict[str, Any]) -> bool:
    return bool(await plans_in_scope(actor, [plan]))
