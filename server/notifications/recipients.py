"""Who is told: an order's dispatchers, and the control centre."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from server.accounts.tables import ManagedDepartment, User


class Recipients:
    """Looks people up once per department (and once for the control centre), for
    the many notices of one batch of changes."""

    def __init__(self, control_centre_team: UUID | None = None) -> None:
        self.control_centre_team = control_centre_team
        self._dispatchers: dict[UUID, list[UUID]] = {}
        self._centre: list[UUID] | None = None

    async def dispatchers(self, order: dict[str, Any]) -> list[UUID]:
        """The managers who route the order's department; the control centre for an
        order of no department."""
        department = order["department"]
        if department is None:
            return await self.control_centre()
        if department not in self._dispatchers:
            rows = await ManagedDepartment.select(ManagedDepartment.manager).where(
                ManagedDepartment.department == department
            )
            self._dispatchers[department] = [UUID(str(row["manager"])) for row in rows]
        return self._dispatchers[department]

    async def control_centre(self) -> list[UUID]:
        """The chosen control-centre team's active members; without one, every
        active manager."""
        if self._centre is None:
            query = User.select(User.id).where(User.active == True)  # noqa: E712
            if self.control_centre_team is not None:
                query = query.where(User.team == self.control_centre_team)
            else:
                query = query.where(User.role == "manager")
            self._centre = [UUID(str(row["id"])) for row in await query]
        return self._centre
