"""Comments addressed to someone: ``@username`` in a comment notifies that person,
when they may see the order (everyone else's mention is ignored, never a leak)."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from server.accounts.actors import active_actors
from server.accounts.tables import User
from server.workorders.scope import row_in_scope, terms

MENTION = re.compile(r"(?<![\w.@])@([a-z0-9._-]{3,64})", re.IGNORECASE)
MAX_MENTIONS = 10


def mentioned(body: str) -> list[str]:
    names = dict.fromkeys(m.group(1).lower().rstrip(".") for m in MENTION.finditer(body))
    return list(names)[:MAX_MENTIONS]


async def readers(
    order: dict[str, Any], body: str, author: UUID, internal: bool = False
) -> list[UUID]:
    """The people a comment mentions who may see the order (and, for an internal
    note, are not requesters), the author aside."""
    names = mentioned(body)
    if not names:
        return []
    return [
        actor.user_id
        for actor in await active_actors(User.username.is_in(names))
        if actor.user_id != author
        and row_in_scope(terms(actor), order)
        and not (internal and actor.is_requester)
    ]
