"""Comments addressed to someone: ``@username`` in a comment notifies that person,
when they may see the order (everyone else's mention is ignored, never a leak)."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from server.accounts.actor import Actor
from server.accounts.tables import ManagedDepartment, User
from server.workorders.scope import row_in_scope, terms

MENTION = re.compile(r"(?<![\w.@])@([a-z0-9._-]{3,64})", re.IGNORECASE)
MAX_MENTIONS = 10


def mentioned(body: str) -> list[str]:
    names = dict.fromkeys(m.group(1).lower().rstrip(".") for m in MENTION.finditer(body))
    return list(names)[:MAX_MENTIONS]


async def readers(order: dict[str, Any], body: str, author: UUID) -> list[UUID]:
    """The people a comment mentions who may see the order, the author aside."""
    names = mentioned(body)
    if not names:
        return []
    people = await User.select(
        User.id,
        User.username,
        User.role,
        User.department,
        User.team,
        User.display_name,
        User.language,
    ).where(User.username.is_in(names), User.active == True)  # noqa: E712
    managers = [p["id"] for p in people if p["role"] == "manager"]
    managed: dict[UUID, list[UUID]] = {}
    if managers:
        for row in await ManagedDepartment.select(
            ManagedDepartment.manager, ManagedDepartment.department
        ).where(ManagedDepartment.manager.is_in(managers)):
            managed.setdefault(row["manager"], []).append(row["department"])
    found = []
    for person in people:
        actor = Actor(
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
        if person["id"] != author and row_in_scope(terms(actor), order):
            found.append(person["id"])
    return found
