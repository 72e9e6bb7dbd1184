"""Which assets a caller may scan or inspect.

Admins and managers: every asset. Everyone else: the checkpoints of the active
rounds assigned to them or their team, and the assets at the sites of the orders
in their scope (a technician at a site may inspect what stands there). An asset
outside that is not found (404), exactly like an unknown code.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from inspection.tables import Round
from server.accounts.actor import Actor
from server.database import fetch, json_column
from server.sql import Sql, any_of
from server.workorders.scope import scope_terms
from server.workorders.tables import WorkOrder


def round_terms(actor: Actor, alias: str = "r") -> Sql:
    """Rounds (or runs) under ``alias`` that are the caller's to walk."""
    mine = Sql(f"{alias}.assignee = {{}}", actor.user_id)
    if actor.team_id is None:
        return mine
    return Sql(f"({mine.text} OR {alias}.team = {{}})", *mine.args, actor.team_id)


async def round_assets(actor: Actor) -> set[UUID]:
    """The checkpoints of the caller's active rounds."""
    where = Sql("r.active = {}", True) & round_terms(actor)
    rows = await fetch(
        Round._meta.db, f'SELECT r.checkpoints FROM "round" r WHERE {where.text}', where.args
    )
    return {UUID(str(asset)) for row in rows for asset in json_column(row["checkpoints"])}


async def may_see(actor: Actor, asset: dict[str, Any]) -> bool:
    if actor.can_manage:
        return True
    if asset["id"] in await round_assets(actor):
        return True
    # One probe of a (scope column, site) index per term. As one query with OR-ed terms,
    # PostgreSQL's generic plan for it walked every order ever made at the site.
    terms = scope_terms(actor, "t")
    assert terms, "only admins see every order, and they returned above"
    found = any_of(
        [
            Sql(
                f"EXISTS (SELECT 1 FROM work_order t WHERE {term.text} AND t.site = {{}})",
                *term.args,
                asset["site"],
            )
            for term in terms
        ]
    )
    rows = await fetch(WorkOrder._meta.db, f"SELECT {found.text} AS found", found.args)
    return bool(rows[0]["found"])
