"""The report API's services: the reports of a period in the caller's scope, their
charts and files, and order lists as files."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import msgspec

from server.accounts.actor import Actor
from server.clock import Clock
from server.database import is_sqlite
from server.errors import Invalid
from server.reports import dashboard, exports, schemas, svg
from server.reports.dimensions import asset_items, dimension_items, dimension_rows
from server.reports.period import Period
from server.reports.scope import report_scope
from server.reports.technicians import technician_report
from server.workorders import schemas as order_schemas
from server.workorders.services import WorkOrderService
from server.workorders.tables import WorkOrder

ROW_TYPES: dict[str, type[msgspec.Struct]] = {
    "technicians": schemas.TechnicianRow,
    "departments": schemas.DimensionRow,
    "sites": schemas.DimensionRow,
    "customer-groups": schemas.DimensionRow,
    "assets": schemas.AssetRow,
}
# Orders fetched per statement when writing a list to a file.
EXPORT_PAGE = 200


@dataclass(frozen=True)
class File:
    body: bytes
    media_type: str
    name: str


def _info(period: Period) -> schemas.PeriodInfo:
    return schemas.PeriodInfo(
        first_day=period.first,
        last_day=period.last,
        timezone=period.zone.key,
        starts_at=period.start,
        ends_at=period.end,
    )


class ReportService:
    """Reports for admins (every order) and managers (their departments' orders)."""

    def __init__(self, actor: Actor, clock: Clock) -> None:
        self.actor = actor
        self.clock = clock
        # Refused here, when the service is made: before the request's period is checked.
        self.scope = report_scope(actor, is_sqlite(WorkOrder._meta.db))

    async def technicians(self, period: Period) -> schemas.TechnicianReport:
        """Per technician: the orders they finished in the period and how those went."""
        scope = self.scope
        items, total = await technician_report(scope, period, period.before())
        return schemas.TechnicianReport(
            period=_info(period), previous_period=_info(period.before()), items=items, total=total
        )

    async def dimension(self, name: str, period: Period) -> schemas.DimensionReport:
        """Per department, site or customer group (``name``): volume, breaches, backlog."""
        scope = self.scope
        rows = await dimension_rows(name, scope, period, period.before(), self.clock())
        return schemas.DimensionReport(
            period=_info(period),
            previous_period=_info(period.before()),
            items=dimension_items(rows),
        )

    async def assets(self, period: Period) -> schemas.AssetReport:
        """Per asset: volume, breaches, backlog, failures, MTBF and MTTR."""
        scope = self.scope
        rows = await dimension_rows("assets", scope, period, period.before(), self.clock())
        return schemas.AssetReport(
            period=_info(period), previous_period=_info(period.before()), items=asset_items(rows)
        )

    async def dashboard(self, period: Period) -> schemas.Dashboard:
        scope = self.scope
        open_orders, current, previous, charts = await dashboard.dashboard(
            scope, period, period.before()
        )
        return schemas.Dashboard(
            period=_info(period),
            previous_period=_info(period.before()),
            open_orders=open_orders,
            current=current,
            previous=previous,
            charts=charts,
        )

    async def chart(self, file: str, period: Period, language: str | None) -> str:
        """One dashboard chart as an SVG document, in ``language`` (default: the
        caller's)."""
        scope = self.scope
        backlog = file == "backlog-by-status.svg"
        if backlog:
            chart = dashboard.backlog_chart(await dashboard.backlog_by_status(scope))
        else:
            weeks = await dashboard.period_weeks(scope, period)
            if file == "sla-compliance-by-week.svg":
                chart = dashboard.compliance_chart(period, weeks)
            else:
                chart = dashboard.resolution_chart(period, weeks)
        words = language or self.actor.language
        return svg.render(dashboard.localised(chart, words, statuses=backlog))

    async def export(self, report: str, form: str, period: Period) -> File:
        """A report's rows as a CSV or XLSX file."""
        found: Any
        if report == "technicians":
            found = await self.technicians(period)
        elif report == "assets":
            found = await self.assets(period)
        else:
            found = await self.dimension(report, period)
        kind = ROW_TYPES[report]
        name = f"{report}_{found.period.first_day}_{found.period.last_day}"
        if form == "csv":
            return File(exports.report_csv(kind, found.items), exports.CSV_TYPE, f"{name}.csv")
        body = await asyncio.to_thread(exports.report_xlsx, report, kind, found.items)
        return File(body, exports.XLSX_TYPE, f"{name}.xlsx")


class _Page(msgspec.Struct):
    items: list[order_schemas.WorkOrder]
    next_cursor: str | None


class OrderExport:
    """The order list a caller sees with given filters (GET /api/work-orders), page by
    page through the list's own query, as a file."""

    def __init__(self, actor: Actor, clock: Clock) -> None:
        self.orders = WorkOrderService(actor, clock)

    async def _pages(self, query: order_schemas.ListQuery) -> AsyncIterator[list[Any]]:
        query = msgspec.structs.replace(query, limit=EXPORT_PAGE, cursor=None)
        while True:
            page = msgspec.json.decode(await self.orders.list_orders(query), type=_Page)
            yield list(exports.order_values(page.items))
            if page.next_cursor is None:
                return
            query = msgspec.structs.replace(query, cursor=page.next_cursor)

    async def csv(self, query: order_schemas.ListQuery) -> AsyncIterator[bytes]:
        """The list as CSV, streamed a page at a time. The first page is read before
        this returns, so that a request with bad filters fails before the answer starts."""
        pages = self._pages(query)
        first = await anext(pages)

        async def stream() -> AsyncIterator[bytes]:
            yield (exports.BOM + exports.csv_lines([exports.ORDER_COLUMNS, *first])).encode()
            async for rows in pages:
                yield exports.csv_lines(rows).encode()

        return stream()

    async def xlsx(self, query: order_schemas.ListQuery) -> bytes:
        sheet = exports.Sheet("orders", exports.ORDER_COLUMNS)
        async for rows in self._pages(query):
            if sheet.rows + len(rows) > exports.XLSX_MAX_ROWS:
                raise Invalid(
                    "too many orders for one sheet: narrow the filters, or export CSV",
                    {"max_rows": exports.XLSX_MAX_ROWS},
                    code="too_many_rows",
                )
            await asyncio.to_thread(sheet.add, rows)
        return await asyncio.to_thread(sheet.save)
