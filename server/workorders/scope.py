"""Which orders a caller may see: authorization lives in the queries.

An order outside the caller's scope is simply not found (404) by every read and
write, and never listed. The scope is a list of (column, value) terms, rendered
as SQL for reads and checked in Python against the rows a write already holds
(server/workorders/unit.py), so the two can never disagree.
"""

from __future__ import annotations

from typing import Any, NamedTuple
from uuid import UUID

from server.accounts.actor import Actor
from server.sql import Sql, any_of

# Every column a scope term may name: what a copy of an order needs to be checked
# against anyone's scope later (row_in_scope).
TERM_COLUMNS = ("assignee", "team", "department", "created_by", "requester")
# Columns with a (column, status, created_at, id) index (see server/workorders/listing.py).
STATUS_INDEXED = frozenset(["assignee", "team", "department", "created_by"])


class Term(NamedTuple):
    """``column = value``, or ``column IS NULL`` when value is None."""

    column: str
    value: UUID | None

    def sql(self, alias: str) -> Sql:
        indexed = self.column if self.column in STATUS_INDEXED else None
        if self.value is None:
            return Sql(f"{alias}.{self.column} IS NULL", indexed=indexed)
        return Sql(f"{alias}.{self.column} = {{}}", self.value, indexed=indexed)


def terms(actor: Actor) -> list[Term] | None:
    """The caller's scope as OR-ed terms; None: everything."""
    if actor.is_admin:
        return None
    # Everyone sees the orders they created: an order made offline must come back.
    created = Term("created_by", actor.user_id)
    if actor.is_manager:
        return [
            *(Term("department", d) for d in actor.managed_departments),
            Term("department", None),
            created,
        ]
    if actor.is_field_worker:
        mine = [Term("assignee", actor.user_id)]
        if actor.team_id is not None:
            mine.append(Term("team", actor.team_id))
        return [*mine, created]
    return [Term("requester", actor.user_id), created]


def scope_terms(actor: Actor, alias: str) -> list[Sql] | None:
    """The caller's scope as OR-ed SQL terms, each served by an index; None: everything."""
    found = terms(actor)
    return None if found is None else [term.sql(alias) for term in found]


def in_scope(actor: Actor, alias: str) -> Sql:
    found = scope_terms(actor, alias)
    return Sql() if found is None else any_of(found)


def row_in_scope(scope: list[Term] | None, row: dict[str, Any]) -> bool:
    """Whether an order row (columns by name, UUIDs as UUIDs) is in a scope
    (``terms(actor)``, worked out once by the caller)."""
    return scope is None or any(row[term.column] == term.value for term in scope)
