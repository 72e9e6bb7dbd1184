"""HTTP endpoints of inspections: labels, scans, checklists, results, rounds, reports."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import anyio
from litestar import Controller, Response, delete, get, post, put
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from inspection import labels, reports, schemas
from inspection.checklists import ChecklistService
from inspection.rounds import RoundService
from inspection.services import InspectionService
from server.dependencies import ActorDep, ClockDep
from server.openapi import SECURITY, errors

LimitQuery = Annotated[int, QueryParameter(ge=1, le=500, description="rows at most")]
SinceQuery = Annotated[datetime | None, QueryParameter(description="default: 30 days before")]
UntilQuery = Annotated[datetime | None, QueryParameter(description="default: now")]
# Litestar adds "; charset=utf-8" to text/* types itself; naming it here doubled it.
CSV = "text/csv"
SiteQuery = Annotated[UUID | None, QueryParameter(description="the site's assets")]
TypeQuery = Annotated[str | None, QueryParameter(max_length=64, description="of this type")]
AssetQuery = Annotated[UUID | None, QueryParameter(description="only this asset's")]
OpenQuery = Annotated[bool, QueryParameter(description="scheduled and in progress only")]


def provide_inspections(actor: ActorDep, clock: ClockDep) -> InspectionService:
    return InspectionService(actor, clock)


def provide_checklists(actor: ActorDep, clock: ClockDep) -> ChecklistService:
    return ChecklistService(actor, clock)


def provide_rounds(actor: ActorDep, clock: ClockDep) -> RoundService:
    return RoundService(actor, clock)


def provide_reports(actor: ActorDep, clock: ClockDep) -> reports.InspectionReports:
    return reports.InspectionReports(actor, clock)


Inspections = NamedDependency[InspectionService]
Report = NamedDependency[reports.InspectionReports]
INSPECTIONS = {"service": Provide(provide_inspections, sync_to_thread=False)}


class LabelController(Controller):
    path = "/api"
    tags = ["labels"]
    security = SECURITY
    dependencies = INSPECTIONS

    @get(
        "/assets/{asset_id:uuid}/label.svg",
        operation_id="AssetLabelSvg",
        responses=errors(400, 401, 404),
        media_type="image/svg+xml",
    )
    async def label_svg(self, asset_id: FromPath[UUID], service: Inspections) -> bytes:
        """The asset's Code 128 label (its tag) as SVG."""
        return labels.svg_label(await service.tag(asset_id))

    @get(
        "/assets/{asset_id:uuid}/label.png",
        operation_id="AssetLabelPng",
        responses=errors(400, 401, 404),
        media_type="image/png",
    )
    async def label_png(self, asset_id: FromPath[UUID], service: Inspections) -> bytes:
        """The asset's Code 128 label (its tag) as a 300 dpi PNG."""
        return labels.png_label(await service.tag(asset_id))

    @get(
        "/labels/sheet.pdf",
        operation_id="LabelSheetPdf",
        media_type="application/pdf",
        responses=errors(400, 401, 403, 404, 422),
    )
    async def sheet_pdf(
        self, service: Inspections, site_id: SiteQuery = None, asset_type: TypeQuery = None
    ) -> Response[bytes]:
        """Printable A4 sheets of labels (3 × 8: asset name, site, tag, barcode) of a
        site's assets or an asset type's, as PDF (admins and managers)."""
        found = await service.sheet_labels(site_id, asset_type)
        return _file(await anyio.to_thread.run_sync(labels.pdf_sheet, found), "pdf")

    @get(
        "/labels/sheet.svg",
        operation_id="LabelSheetSvg",
        media_type="image/svg+xml",
        responses=errors(400, 401, 403, 404, 422),
    )
    async def sheet_svg(
        self, service: Inspections, site_id: SiteQuery = None, asset_type: TypeQuery = None
    ) -> Response[bytes]:
        """The same sheets as one SVG, page under page (print at 100 %)."""
        found = await service.sheet_labels(site_id, asset_type)
        return _file(await anyio.to_thread.run_sync(labels.svg_sheet, found), "svg")


def _file(body: bytes, kind: str) -> Response[bytes]:
    media = "application/pdf" if kind == "pdf" else "image/svg+xml"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'inline; filename="labels.{kind}"'}
    )


class ScanController(Controller):
    path = "/api/scan"
    tags = ["inspections"]
    security = SECURITY
    dependencies = INSPECTIONS

    @get("/{code:str}", operation_id="Scan", responses=errors(400, 401, 404))
    async def scan(self, code: FromPath[str], service: Inspections) -> schemas.Scan:
        """What a scanned code names: the asset, its site, its open orders, the
        caller's round runs waiting for it, its last results and its checklist.
        Whitespace around the code and letter case do not matter; an unknown code,
        or an asset outside the caller's scope, is 404 ``unknown_code`` with the code."""
        return await service.scan(code)


class ChecklistController(Controller):
    path = "/api/checklists"
    tags = ["inspections"]
    security = SECURITY
    dependencies = {"service": Provide(provide_checklists, sync_to_thread=False)}

    @get("/", operation_id="ListChecklists", responses=errors(401))
    async def list_checklists(
        self, service: NamedDependency[ChecklistService]
    ) -> schemas.ChecklistPage:
        """Every asset type's checklist."""
        return schemas.ChecklistPage(items=await service.checklists())

    @get("/{asset_type:str}", operation_id="GetChecklist", responses=errors(400, 401, 404))
    async def get_checklist(
        self, asset_type: FromPath[str], service: NamedDependency[ChecklistService]
    ) -> schemas.Checklist:
        """The checklist of an asset type."""
        return await service.get(asset_type)

    @put("/", operation_id="PutChecklist", responses=errors(400, 401, 403, 422))
    async def put_checklist(
        self, data: JSONBody[schemas.ChecklistCreate], service: NamedDependency[ChecklistService]
    ) -> schemas.Checklist:
        """Create or replace an asset type's checklist: items of kind pass_fail,
        number (unit, min, max; ``meter`` for the asset's meter), choice (with failing
        choices), text, photo, signature; each with its severity (admins, managers)."""
        return await service.put(data)


class InspectionController(Controller):
    path = "/api/inspections"
    tags = ["inspections"]
    security = SECURITY
    dependencies = INSPECTIONS

    @post("/", operation_id="RecordInspection", responses=errors(400, 401, 403, 404, 422))
    async def record(
        self, data: JSONBody[schemas.InspectionCreate], service: Inspections
    ) -> schemas.InspectionResult:
        """Record an inspection of the asset whose label was scanned (``code``): the
        answers are judged against its asset type's checklist (422
        ``invalid_answers`` naming each wrong one). A failure opens a corrective order
        with the worst failure's priority, or adds to the asset's open one. A scan
        outside the site's geofence is kept and flagged. With ``run_id`` it ticks off
        that round run's checkpoint."""
        return await service.record(data)

    @get("/", operation_id="ListInspections", responses=errors(400, 401))
    async def list_results(
        self, service: Inspections, asset_id: AssetQuery = None, limit: LimitQuery = 50
    ) -> schemas.InspectionPage:
        """The latest results, the caller's own (everyone's for admins and managers)."""
        return schemas.InspectionPage(items=await service.results(asset_id, limit))

    @get("/{result_id:uuid}", operation_id="GetInspection", responses=errors(400, 401, 404))
    async def get_result(
        self, result_id: FromPath[UUID], service: Inspections
    ) -> schemas.InspectionResult:
        """One result."""
        return await service.get(result_id)


class RoundController(Controller):
    path = "/api/rounds"
    tags = ["rounds"]
    security = SECURITY
    dependencies = {"service": Provide(provide_rounds, sync_to_thread=False)}

    @get("/", operation_id="ListRounds", responses=errors(401))
    async def list_rounds(self, service: NamedDependency[RoundService]) -> schemas.RoundPage:
        """Active rounds: the caller's own or their team's (all for managers)."""
        return schemas.RoundPage(items=await service.rounds())

    @post("/", operation_id="CreateRound", responses=errors(400, 401, 403, 422))
    async def create_round(
        self, data: JSONBody[schemas.RoundCreate], service: NamedDependency[RoundService]
    ) -> schemas.Round:
        """A patrol round: checkpoints (assets) in walking order, an inspector or a
        team, once at ``starts_at`` or on an RRULE in ``timezone``, each walk to be
        done within ``window_minutes`` (admins and managers)."""
        return await service.create(data)

    @get("/{round_id:uuid}", operation_id="GetRound", responses=errors(400, 401, 404))
    async def get_round(
        self, round_id: FromPath[UUID], service: NamedDependency[RoundService]
    ) -> schemas.Round:
        """One round."""
        return await service.get(round_id)

    @delete("/{round_id:uuid}", operation_id="StopRound", responses=errors(400, 401, 403, 404))
    async def stop_round(
        self, round_id: FromPath[UUID], service: NamedDependency[RoundService]
    ) -> None:
        """Stop making runs of the round; the runs made stay."""
        await service.stop(round_id)


class RunController(Controller):
    path = "/api/round-runs"
    tags = ["rounds"]
    security = SECURITY

    @get(
        "/",
        operation_id="ListRoundRuns",
        responses=errors(400, 401),
        dependencies={"service": Provide(provide_rounds, sync_to_thread=False)},
    )
    async def list_runs(
        self,
        service: NamedDependency[RoundService],
        open_only: OpenQuery = True,
        limit: LimitQuery = 100,
    ) -> schemas.RunPage:
        """The caller's runs (their own and their team's; all for managers), soonest
        first, with progress and missed checkpoints."""
        return schemas.RunPage(items=await service.runs(open_only, limit))

    @get(
        "/{run_id:uuid}",
        operation_id="GetRoundRun",
        responses=errors(400, 401, 404),
        dependencies={"service": Provide(provide_rounds, sync_to_thread=False)},
    )
    async def get_run(
        self, run_id: FromPath[UUID], service: NamedDependency[RoundService]
    ) -> schemas.RoundRun:
        """One run."""
        return await service.run(run_id)

    @post(
        "/{run_id:uuid}/skips",
        operation_id="SkipCheckpoint",
        responses=errors(400, 401, 404, 409, 422),
        dependencies=INSPECTIONS,
    )
    async def skip(
        self,
        run_id: FromPath[UUID],
        data: JSONBody[schemas.SkipCheckpoint],
        service: Inspections,
    ) -> schemas.RoundRun:
        """Skip a pending checkpoint, with a reason (409 when it is done already)."""
        return await service.skip(run_id, data)


class InspectionReportController(Controller):
    path = "/api/inspection-reports"
    tags = ["rounds"]
    security = SECURITY
    dependencies = {"report": Provide(provide_reports, sync_to_thread=False)}

    @get("/completion", operation_id="RoundCompletion", responses=errors(400, 401, 403, 422))
    async def completion(
        self,
        report: Report,
        by: Annotated[reports.CompletionBy, QueryParameter()] = "round",
        since: SinceQuery = None,
        until: UntilQuery = None,
    ) -> reports.CompletionPage:
        """Checkpoints done, skipped and missed of the runs scheduled in the period,
        per round, site or inspector, lowest completion first (admins, managers)."""
        return reports.CompletionPage(items=await report.completion(by, since, until))

    @get(
        "/completion.csv",
        operation_id="RoundCompletionCsv",
        media_type=CSV,
        responses=errors(400, 401, 403, 422),
    )
    async def completion_csv(
        self,
        report: Report,
        by: Annotated[reports.CompletionBy, QueryParameter()] = "round",
        since: SinceQuery = None,
        until: UntilQuery = None,
    ) -> Response[str]:
        """The completion report as CSV."""
        rows = await report.completion(by, since, until)
        return _csv(reports.to_csv(rows, reports.CompletionRow), "completion")

    @get("/missed", operation_id="MissedCheckpoints", responses=errors(400, 401, 403, 422))
    async def missed(
        self, report: Report, since: SinceQuery = None, until: UntilQuery = None
    ) -> reports.MissedPage:
        """Each checkpoint missed in the period, with its round and asset."""
        return reports.MissedPage(items=await report.missed(since, until))

    @get(
        "/missed.csv",
        operation_id="MissedCheckpointsCsv",
        media_type=CSV,
        responses=errors(400, 401, 403, 422),
    )
    async def missed_csv(
        self, report: Report, since: SinceQuery = None, until: UntilQuery = None
    ) -> Response[str]:
        """The missed checkpoints as CSV."""
        rows = await report.missed(since, until)
        return _csv(reports.to_csv(rows, reports.MissedCheckpoint), "missed")

    @get("/failures", operation_id="FailureTrend", responses=errors(400, 401, 403, 422))
    async def failures(
        self,
        report: Report,
        by: Annotated[reports.FailuresBy, QueryParameter()] = "asset_type",
        since: SinceQuery = None,
        until: UntilQuery = None,
    ) -> reports.FailurePage:
        """Inspections and failures per asset or asset type and week (Monday)."""
        return reports.FailurePage(items=await report.failures(by, since, until))

    @get(
        "/failures.csv",
        operation_id="FailureTrendCsv",
        media_type=CSV,
        responses=errors(400, 401, 403, 422),
    )
    async def failures_csv(
        self,
        report: Report,
        by: Annotated[reports.FailuresBy, QueryParameter()] = "asset_type",
        since: SinceQuery = None,
        until: UntilQuery = None,
    ) -> Response[str]:
        """The failure trend as CSV."""
        rows = await report.failures(by, since, until)
        return _csv(reports.to_csv(rows, reports.FailureRow), "failures")


def _csv(text: str, name: str) -> Response[str]:
    return Response(
        text,
        media_type=CSV,
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


CONTROLLERS = [
    LabelController,
    ScanController,
    ChecklistController,
    InspectionController,
    RoundController,
    RunController,
    InspectionReportController,
]
