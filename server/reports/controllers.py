"""HTTP endpoints of reports, their charts and files, and order lists as files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, get
from litestar.di import NamedDependency, Provide
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Schema,
)
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Stream

from server.dependencies import ActorDep, ClockDep
from server.integrations.scopes import needs
from server.openapi import SECURITY, errors
from server.reports import schemas
from server.reports.exports import CSV_TYPE, XLSX_TYPE
from server.reports.period import Period, period_of
from server.reports.services import File, OrderExport, ReportService
from server.types import Language, Priority
from server.workorders import schemas as order_schemas
from server.workorders.lifecycle import Status


def provide_report_service(actor: ActorDep, clock: ClockDep) -> ReportService:
    return ReportService(actor, clock)


def provide_order_export(actor: ActorDep, clock: ClockDep) -> OrderExport:
    return OrderExport(actor, clock)


ReportServiceDep = NamedDependency[ReportService]
OrderExportDep = NamedDependency[OrderExport]
FromDay = Annotated[
    date | None,
    QueryParameter(name="from", description="the period's first day (default: 29 days before to)"),
]
ToDay = Annotated[
    date | None, QueryParameter(name="to", description="the period's last day (default: today)")
]
TimeZone = Annotated[
    str,
    QueryParameter(
        max_length=64, description="the IANA time zone the days are in, e.g. Asia/Shanghai"
    ),
]
PeriodDep = NamedDependency[Period]


def provide_period(
    reports: ReportServiceDep,
    clock: ClockDep,
    first: FromDay = None,
    last: ToDay = None,
    tz: TimeZone = "UTC",
) -> Period:
    """The period a report request asks for (the same three parameters on each). It
    takes the report service so that a caller who may not read reports is refused
    (403) before their period is checked."""
    return period_of(first, last, tz, clock())


Format = Annotated[schemas.ExportFormat, QueryParameter(description="csv or xlsx")]
REPORT_ERRORS = errors(400, 401, 403, 422)


@dataclass
class FileDownload(Operation):
    """An operation answering CSV or XLSX as asked: a ResponseSpec names one media type."""

    def __post_init__(self) -> None:
        answer = (self.responses or {})["200"]
        assert isinstance(answer, OpenAPIResponse)
        binary = OpenAPIMediaType(
            schema=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
        )
        answer.content = {CSV_TYPE: binary, XLSX_TYPE: binary}


FILE_ANSWER = ResponseSpec(
    data_container=bytes,
    generate_examples=False,
    media_type="application/octet-stream",
    description=f"CSV ({CSV_TYPE}) or XLSX ({XLSX_TYPE}), as format says",
)


def _file(file: File) -> Response[bytes]:
    return Response(
        file.body,
        media_type=file.media_type,
        headers={"Content-Disposition": f'attachment; filename="{file.name}"'},
    )


class ReportController(Controller):
    path = "/api/reports"
    tags = ["reports"]
    security = SECURITY
    opt = needs("reports:read")
    dependencies = {
        "reports": Provide(provide_report_service, sync_to_thread=False),
        "period": Provide(provide_period, sync_to_thread=False),
    }

    @get("/technicians", operation_id="TechnicianReport", responses=REPORT_ERRORS)
    async def technicians(
        self,
        reports: ReportServiceDep,
        period: PeriodDep,
    ) -> schemas.TechnicianReport:
        """Per technician, over the orders assigned to them that were resolved in the
        period: how many, mean response and resolution time, SLA compliance,
        first-time-fix rate (never reopened), mean rating, time en route and on site;
        and their labour hours. Beside the same figures for the period before, of
        equal length (admins; managers for their departments' orders)."""
        return await reports.technicians(period)

    @get("/departments", operation_id="DepartmentReport", responses=REPORT_ERRORS)
    async def departments(
        self,
        reports: ReportServiceDep,
        period: PeriodDep,
    ) -> schemas.DimensionReport:
        """Per department: orders created and SLA targets missed in the period and the
        one before, and the orders open now by age and priority."""
        return await reports.dimension("departments", period)

    @get("/sites", operation_id="SiteReport", responses=REPORT_ERRORS)
    async def sites(
        self,
        reports: ReportServiceDep,
        period: PeriodDep,
    ) -> schemas.DimensionReport:
        """Per site: the department report's figures."""
        return await reports.dimension("sites", period)

    @get("/customer-groups", operation_id="CustomerGroupReport", responses=REPORT_ERRORS)
    async def customer_groups(
        self,
        reports: ReportServiceDep,
        period: PeriodDep,
    ) -> schemas.DimensionReport:
        """Per customer group (of the order's customer): the department report's figures."""
        return await reports.dimension("customer-groups", period)

    @get("/assets", operation_id="AssetReport", responses=REPORT_ERRORS)
    async def assets(
        self,
        reports: ReportServiceDep,
        period: PeriodDep,
    ) -> schemas.AssetReport:
        """Per asset: the department report's figures, and its failures (corrective
        orders created), mean time between failures and mean time to repair."""
        return await reports.assets(period)

    @get("/dashboard", operation_id="ReportDashboard", responses=REPORT_ERRORS)
    async def dashboard(
        self,
        reports: ReportServiceDep,
        period: PeriodDep,
    ) -> schemas.Dashboard:
        """Headline figures of the period and the one before, and chart series ready
        to plot: open orders by status, SLA compliance and mean time to resolve per
        week (weeks start on Monday in ``tz``; the first and last may be partial)."""
        return await reports.dashboard(period)

    @get(
        "/charts/{file:str}",
        operation_id="ReportChart",
        media_type="image/svg+xml",
        responses=errors(400, 401, 403, 422),
    )
    async def chart(
        self,
        reports: ReportServiceDep,
        file: FromPath[schemas.ChartFile],
        period: PeriodDep,
        lang: Annotated[
            Language | None,
            QueryParameter(description="the chart's language (default: the caller's)"),
        ] = None,
    ) -> Response[str]:
        """A dashboard chart as an SVG image, for e-mailed reports and the app:
        backlog-by-status.svg, sla-compliance-by-week.svg, resolution-time-by-week.svg."""
        image = await reports.chart(file, period, lang)
        return Response(image, media_type="image/svg+xml")

    @get(
        "/{report:str}/export",
        operation_id="ExportReport",
        responses={200: FILE_ANSWER, **REPORT_ERRORS},
        operation_class=FileDownload,
    )
    async def export(
        self,
        reports: ReportServiceDep,
        report: FromPath[schemas.ReportName],
        format: Format,
        period: PeriodDep,
    ) -> Response[bytes]:
        """A report's rows as a CSV or XLSX file (nested figures become columns such as
        current_orders_done; XLSX times are UTC)."""
        return _file(await reports.export(report, format, period))


class OrderExportController(Controller):
    path = "/api/work-orders/export"
    tags = ["work orders"]
    security = SECURITY
    opt = needs("orders:read")
    dependencies = {"exporter": Provide(provide_order_export, sync_to_thread=False)}

    @get(
        "/",
        operation_id="ExportWorkOrders",
        # A streamed CSV or an XLSX file (the handler answers either).
        responses={200: FILE_ANSWER, **errors(400, 401, 422)},
        operation_class=FileDownload,
    )
    async def export(
        self,
        exporter: OrderExportDep,
        format: Format,
        view: FromQuery[order_schemas.View] = "all",
        status: FromQuery[list[Status] | None] = None,
        priority: FromQuery[list[Priority] | None] = None,
        kind: FromQuery[list[order_schemas.Kind] | None] = None,
        site_id: FromQuery[UUID | None] = None,
        asset_id: FromQuery[UUID | None] = None,
        assignee_id: FromQuery[UUID | None] = None,
        customer_id: FromQuery[UUID | None] = None,
        department_id: FromQuery[UUID | None] = None,
        parent_id: FromQuery[UUID | None] = None,
        q: Annotated[str | None, QueryParameter(max_length=200)] = None,
        created_from: FromQuery[datetime | None] = None,
        created_to: FromQuery[datetime | None] = None,
        due_from: FromQuery[datetime | None] = None,
        due_to: FromQuery[datetime | None] = None,
        sort: FromQuery[order_schemas.Sort] = "-created_at",
    ) -> Response[bytes] | Stream:
        """Every order of the caller's list with these filters (those of
        ListWorkOrders), as CSV (streamed) or XLSX (at most 1,048,575 orders)."""
        query = order_schemas.ListQuery(
            view=view,
            status=status,
            priority=priority,
            kind=kind,
            site_id=site_id,
            asset_id=asset_id,
            assignee_id=assignee_id,
            customer_id=customer_id,
            department_id=department_id,
            parent_id=parent_id,
            q=q,
            created_from=created_from,
            created_to=created_to,
            due_from=due_from,
            due_to=due_to,
            sort=sort,
        )
        if format == "csv":
            return Stream(
                await exporter.csv(query),
                media_type=CSV_TYPE,
                headers={"Content-Disposition": 'attachment; filename="work-orders.csv"'},
            )
        return _file(File(await exporter.xlsx(query), XLSX_TYPE, "work-orders.xlsx"))


CONTROLLERS = [ReportController, OrderExportController]
