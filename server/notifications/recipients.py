"""Who is told: an order's dispatchers, and the control centre."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from server.accounts.tables import ManagedDepartment, User


async def dispatchers(order: dict[str, Any]) -> list[UUID]:
    """The managers who route the order's department."""
    if order["department"] is None:
        return await control_centre(None)
    rows = await ManagedDepartment.select(ManagedDepartment.manager).where(
        ManagedDepartment.department == order["department"]
    )
    return [UUID(str(row["manager"])) for row in rows]


async def control_centre(team: UUID | None) -> list[UUID]:
    """The chosen control-centre team's active members; without one, every active
    manager."""
    query = User.select(User.id).where(User.active == True)  # noqa: E712
    if team is not None:
        query = query.where(User.team == team)
    else:
        query = query.where(User.role == "manager")
    return [UUID(str(row["id"])) for row in await query]
