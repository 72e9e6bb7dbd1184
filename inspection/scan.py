"""What a scanned label resolves to: the asset, its site, its open orders, the
caller's runs waiting for it, its last results and its checklist. One code is one
asset; ``  pump-0042 `` and ``PUMP-0042`` are the same code."""

from __future__ import annotations

import msgspec

from inspection import schemas
from inspection.checklists import of_type
from inspection.results import asset_of, to_result
from inspection.runs import read_runs, to_run
from inspection.scope import round_terms
from inspection.tables import InspectionResult
from server.accounts.actor import Actor
from server.clock import Clock
from server.database import fetch
from server.masterdata import schemas as masterdata
from server.masterdata.services import SITE_COLUMNS, normalise_tag
from server.masterdata.tables import Site
from server.sql import Sql, one_of
from server.workorders.lifecycle import OPEN
from server.workorders.scope import in_scope
from server.workorders.tables import WorkOrder

LAST_RESULTS = 5
OPEN_ORDERS = 20


async def scan(actor: Actor, clock: Clock, code: str) -> schemas.Scan:
    found = await asset_of(actor, code)
    site = await Site.select(*SITE_COLUMNS).where(Site.id == found["site"]).first()
    where = Sql("t.asset = {}", found["id"]) & one_of("t.status", sorted(OPEN))
    where = where & in_scope(actor, "t")
    orders = await fetch(
        WorkOrder._meta.db,
        "SELECT t.id, t.number, t.title, t.status, t.priority FROM work_order t "
        f"WHERE {where.text} ORDER BY t.priority, t.created_at LIMIT {OPEN_ORDERS}",
        where.args,
    )
    mine = round_terms(actor, "rr") & Sql("rr.status IN ('scheduled', 'in_progress')")
    now = clock()
    due = [
        schemas.DueCheckpoint(run_id=run.id, round_name=run.round_name, due_at=run.due_at)
        for run in (to_run(row, now) for row in await read_runs(mine, " ORDER BY rr.due_at"))
        if any(c.asset_id == found["id"] and c.state == "pending" for c in run.checkpoints)
    ]
    results = (
        await InspectionResult.select()
        .where(InspectionResult.asset == found["id"])
        .order_by(InspectionResult.at, ascending=False)
        .limit(LAST_RESULTS)
    )
    return schemas.Scan(
        code=normalise_tag(code),
        asset=msgspec.convert({**found, "site_id": found["site"]}, masterdata.Asset, strict=False),
        site=msgspec.convert(site, masterdata.Site, strict=False),
        open_orders=msgspec.convert(orders, list[schemas.OrderBrief], strict=False),
        due=due,
        last_results=[to_result(row) for row in results],
        checklist=await of_type(found["asset_type"]),
    )
