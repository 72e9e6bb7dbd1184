"""Orders written straight into the database in any status, for table-driven tests."""

from __future__ import annotations

import itertools
from typing import Any
from uuid import UUID, uuid4

from server.workorders.tables import WorkOrder
from tests.world import World

_numbers = itertools.count(900_000)


async def put_order(
    world: World,
    status: str = "new",
    *,
    assignee: str | None = None,
    requester: str | None = "requester",
    department: str | None = "north",
    team: str | None = None,
    **fields: Any,
) -> UUID:
    order = WorkOrder(
        id=uuid4(),
        number=next(_numbers),
        kind=fields.pop("kind", "customer_request"),
        title=fields.pop("title", f"Order in {status}"),
        priority=fields.pop("priority", "P3"),
        status=status,
        assignee=world.id(assignee) if assignee else None,
        requester=world.id(requester) if requester else None,
        department=world.departments[department] if department else None,
        team=world.teams[team] if team else None,
        created_at=world.clock(),
        updated_at=world.clock(),
        **fields,
    )
    await order.save()
    return order.id
