"""One registry of the domain operations a device may queue offline.

A feature that phones use offline declares its operations as ``MutationType``s
(a name, the Struct its arguments decode into, and the function that applies
them) and lists them in ``sync/catalogue.py``. Applying runs inside the push's
transaction, on the push's unit of work (server/workorders/unit.py): raising a
DomainError rejects the mutation (the unit forgets its writes), returning
``CONFLICT`` applies it with a conflict record.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from server.accounts.actor import Actor
from server.clock import Clock
from server.workorders.unit import OrderUnit
from server.workorders.urging import UrgeRules

DEFAULT_URGING = UrgeRules()


@dataclass(frozen=True)
class MutationContext:
    actor: Actor
    clock: Clock
    unit: OrderUnit
    client_id: UUID
    mutation_id: int
    device_time: datetime | None
    urging: UrgeRules = DEFAULT_URGING


Applied = Literal["applied", "conflict"]
APPLIED: Applied = "applied"
CONFLICT: Applied = "conflict"


def named_order(args: Any) -> list[UUID]:
    order_id = getattr(args, "order_id", None)
    return [order_id] if isinstance(order_id, UUID) else []


@dataclass(frozen=True)
class MutationType:
    name: str
    args: type[Any]
    apply: Callable[[MutationContext, Any], Awaitable[Applied]]
    # The orders applying will read: a push reads those of its whole batch at once.
    orders: Callable[[Any], list[UUID]] = named_order
    # Other reads of a whole batch of this type's arguments, done at once before any
    # of them applies (the unit keeps what they read).
    prefetch: Callable[[OrderUnit, list[Any]], Awaitable[None]] | None = None


class Registry:
    def __init__(self, types: Iterable[MutationType]) -> None:
        self._types: dict[str, MutationType] = {}
        for mutation_type in types:
            if mutation_type.name in self._types:
                raise ValueError(f"mutation {mutation_type.name!r} is registered twice")
            self._types[mutation_type.name] = mutation_type

    def get(self, name: str) -> MutationType | None:
        return self._types.get(name)

    def names(self) -> list[str]:
        return sorted(self._types)
