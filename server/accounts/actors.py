"""Acting as users who are not the caller (people named in a comment, the sender of
a text): their Actors, read from the users table."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from server.accounts.actor import Actor
from server.accounts.tables import ManagedDepartment, User

COLUMNS = (
    User.id,
    User.username,
    User.role,
    User.department,
    User.team,
    User.display_name,
    User.language,
)


async def active_actors(*where: Any) -> list[Actor]:
    """The active users matching ``where``, as Actors (sessions are their user ids)."""
    people = await User.select(*COLUMNS).where(User.active == True, *where)  # noqa: E712
    managers = [p["id"] for p in people if p["role"] == "manager"]
    managed: dict[UUID, list[UUID]] = {}
    if managers:
        for row in await ManagedDepartment.select(
            ManagedDepartment.manager, ManagedDepartment.department
        ).where(ManagedDepartment.manager.is_in(managers)):
            managed.setdefault(row["manager"], []).append(row["department"])
    return [
        Actor(
            user_id=person["id"],
            session_id=person["id"],
            username=person["username"],
            display_name=person["display_name"],
            role=person["role"],
            department_id=person["department"],
            team_id=person["team"],
            language=person["language"],
            managed_departments=tuple(managed.get(person["id"], ())),
        )
        for person in people
    ]
