"""Which orders a caller may see, as a WHERE clause: authorization lives in the query."""

from __future__ import annotations

from piccolo.columns.combination import Combinable

from server.accounts.actor import Actor
from server.accounts.tables import ManagedDepartment
from server.workorders.tables import WorkOrder


def visible(actor: Actor) -> Combinable | None:
    """None means everything (admins); anything out of scope answers 404 upstream."""
    if actor.is_admin:
        return None
    if actor.is_manager:
        managed = ManagedDepartment.select(ManagedDepartment.department).where(
            ManagedDepartment.manager == actor.user_id
        )
        # Unrouted orders have no department yet; dispatchers must see them to route them.
        return WorkOrder.department.is_in(managed) | WorkOrder.department.is_null()
    if actor.is_field_worker:
        mine = WorkOrder.assignee == actor.user_id
        return mine | (WorkOrder.team == actor.team_id) if actor.team_id else mine
    return (WorkOrder.requester == actor.user_id) | (WorkOrder.created_by == actor.user_id)
