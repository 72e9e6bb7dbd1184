"""Whose orders a report counts: admins every order, managers those of the
departments they manage; everyone else may not read reports."""

from __future__ import annotations

from server.accounts.actor import Actor
from server.database import one_of_ids
from server.errors import Forbidden
from server.sql import Sql


def report_scope(actor: Actor, sqlite: bool, alias: str = "w") -> Sql:
    """A condition on the orders (``alias``) the caller's reports count; empty: all."""
    if actor.is_admin:
        return Sql()
    if actor.is_manager:
        if not actor.managed_departments:
            return Sql("1 = 0")
        text, ids = one_of_ids(sqlite, f"{alias}.department", list(actor.managed_departments))
        return Sql(text, ids, indexed="department")
    raise Forbidden("reports are for admins and managers", code="reports_forbidden")
