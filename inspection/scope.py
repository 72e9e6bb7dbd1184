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
from server.sql import Sql
from server.workorders.scope import in_scope
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
    where = Sql("t.site = {}", asset["site"]) & in_scope(actor, "t")
    rows = await fetch(
        WorkOrder._meta.db,
        f"SELECT 1 AS found FROM work_order t WHERE {where.text} LIMIT 1",
        where.args,
    )
    return bool(rows)
