"""Which orders a caller may see, as SQL: authorization lives in the queries.

An order outside the caller's scope is simply not found (404) by every read and
write, and never listed.
"""

from __future__ import annotations

from server.accounts.actor import Actor
from server.sql import Sql, any_of


def scope_terms(actor: Actor, alias: str) -> list[Sql] | None:
    """The caller's scope as OR-ed terms, each served by an index; None: everything."""
    if actor.is_admin:
        return None
    # Everyone sees the orders they created: an order made offline must come back.
    created = Sql(f"{alias}.created_by = {{}}", actor.user_id, indexed="created_by")
    if actor.is_manager:
        return [
            *(
                Sql(f"{alias}.department = {{}}", d, indexed="department")
                for d in actor.managed_departments
            ),
            Sql(f"{alias}.department IS NULL", indexed="department"),
            created,
        ]
    if actor.is_field_worker:
        terms = [Sql(f"{alias}.assignee = {{}}", actor.user_id, indexed="assignee")]
        if actor.team_id is not None:
            terms.append(Sql(f"{alias}.team = {{}}", actor.team_id, indexed="team"))
        return [*terms, created]
    return [Sql(f"{alias}.requester = {{}}", actor.user_id), created]


def in_scope(actor: Actor, alias: str) -> Sql:
    terms = scope_terms(actor, alias)
    return Sql() if terms is None else any_of(terms)
