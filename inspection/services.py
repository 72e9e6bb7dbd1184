"""Recording and reading inspections, skipping checkpoints, and labels."""

from __future__ import annotations

from uuid import UUID

from inspection import labels, runs, schemas
from inspection.results import record, to_result
from inspection.scan import scan
from inspection.tables import InspectionResult
from server.accounts.actor import Actor
from server.clock import Clock
from server.errors import Forbidden, Invalid, NotFound
from server.masterdata.tables import Asset
from server.sql import Sql
from server.workorders.unit import unit_of_work

MAX_SHEET = 5000


class InspectionService:
    def __init__(self, actor: Actor, clock: Clock) -> None:
        self.actor = actor
        self.clock = clock

    async def record(self, data: schemas.InspectionCreate) -> schemas.InspectionResult:
        """Record an inspection (field staff and managers): judged, kept for good."""
        async with unit_of_work(self.actor, self.clock) as unit:
            result_id = await record(unit, data)
        return await self.get(result_id)

    async def get(self, result_id: UUID) -> schemas.InspectionResult:
        row = await InspectionResult.select().where(InspectionResult.id == result_id).first()
        if row is None or not (self.actor.can_manage or row["inspector"] == self.actor.user_id):
            raise NotFound("no such inspection among yours", {"id": str(result_id)})
        return to_result(row)

    async def results(self, asset_id: UUID | None, limit: int) -> list[schemas.InspectionResult]:
        """The latest results (the caller's own; everyone's for managers)."""
        query = InspectionResult.select().order_by(InspectionResult.at, ascending=False)
        if asset_id is not None:
            query = query.where(InspectionResult.asset == asset_id)
        if not self.actor.can_manage:
            query = query.where(InspectionResult.inspector == self.actor.user_id)
        return [to_result(row) for row in await query.limit(limit)]

    async def skip(self, run_id: UUID, data: schemas.SkipCheckpoint) -> schemas.RoundRun:
        """Skip a checkpoint of one of the caller's runs, with a reason."""
        async with unit_of_work(self.actor, self.clock) as unit:
            await runs.skip(unit, run_id, data, self.clock())
        found = await runs.read_runs(Sql("rr.id = {}", run_id))
        return runs.to_run(found[0], self.clock())

    async def scan(self, code: str) -> schemas.Scan:
        return await scan(self.actor, self.clock, code)

    async def tag(self, asset_id: UUID) -> str:
        """The asset's tag, for its label (anyone logged in may print one)."""
        row = await Asset.select(Asset.tag).where(Asset.id == asset_id).first()
        if row is None:
            raise NotFound("no such asset", {"id": str(asset_id)})
        return str(row["tag"])

    async def sheet_labels(
        self, site_id: UUID | None, asset_type: str | None
    ) -> list[labels.Label]:
        """The labels of a site's assets or an asset type's, by tag (admins, managers)."""
        if not self.actor.can_manage:
            raise Forbidden("only admins and managers print label sheets")
        return await sheet_labels(site_id, asset_type)


async def sheet_labels(site_id: UUID | None, asset_type: str | None) -> list[labels.Label]:
    query = Asset.select(Asset.tag, Asset.name, Asset.site.name).order_by(Asset.tag)
    if site_id is not None:
        query = query.where(Asset.site == site_id)
    if asset_type is not None:
        query = query.where(Asset.asset_type == asset_type)
    rows = await query.limit(MAX_SHEET + 1)
    if not rows:
        raise NotFound(
            "no asset matches",
            {"site_id": str(site_id), "asset_type": asset_type},
            code="no_assets",
        )
    if len(rows) > MAX_SHEET:
        raise Invalid(
            f"more than {MAX_SHEET} assets match: narrow the selection", code="too_many_assets"
        )
    return [labels.Label(row["tag"], row["name"], row["site.name"]) for row in rows]
