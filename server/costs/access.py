"""Who may do what with parts, stock and the costs of orders.

- Admins and managers keep the catalogue and record costs on any order in their
  scope. Admins keep every store and every labour rate; a manager keeps the stores
  of the departments they manage (receipts, transfers, adjustments, thresholds) and
  the rates of those departments' people, and sees only those stores.
- Field staff read the catalogue and the stock of their own van and their
  department's warehouses, use parts from those, and log their own labour and
  expenses, on orders assigned to them that are not closed or cancelled.
- Requesters see none of it.
"""

from __future__ import annotations

from typing import Any

from server.accounts.actor import Actor
from server.errors import Conflict, Forbidden

# A closed or cancelled order takes no more costs from field staff; managers may
# still correct one.
FINISHED = frozenset(["closed", "cancelled"])


def require_manager(actor: Actor, what: str) -> None:
    if not actor.can_manage:
        raise Forbidden(f"only admins and managers {what}")


def require_staff(actor: Actor) -> None:
    """Anyone who works orders: not requesters."""
    if actor.is_requester:
        raise Forbidden("requesters do not see parts, stock or costs")


def check_worker(actor: Actor, order: dict[str, Any]) -> None:
    """The caller may record costs on this order (already found in their scope)."""
    require_staff(actor)
    if actor.can_manage:
        return
    if order["assignee"] != actor.user_id:
        raise Forbidden(
            "field staff record costs on orders assigned to them",
            {"order_id": str(order["id"])},
            code="not_assignee",
        )
    if order["status"] in FINISHED:
        raise Conflict(
            f"the order is {order['status']}: ask a manager to correct its costs",
            {"order_id": str(order["id"]), "status": order["status"]},
            code="order_finished",
        )


def keeps_store(actor: Actor, store: dict[str, Any]) -> bool:
    """Whether the caller may change the store and its stock."""
    if actor.is_admin:
        return True
    return actor.is_manager and store["department"] in actor.managed_departments


def require_keeper(actor: Actor, store: dict[str, Any]) -> None:
    if not keeps_store(actor, store):
        raise Forbidden(
            "managers keep the stores of the departments they manage",
            {"store_id": str(store["id"])},
            code="not_your_store",
        )


def may_draw(actor: Actor, store: dict[str, Any]) -> bool:
    """Whether the caller may take parts from the store for an order (and see it)."""
    if actor.can_manage:
        return keeps_store(actor, store)
    if not actor.is_field_worker:
        return False
    if store["owner"] == actor.user_id:
        return True
    return (
        store["kind"] == "warehouse"
        and store["department"] is not None
        and store["department"] == actor.department_id
    )
