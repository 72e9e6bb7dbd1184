"""Reports and order lists as CSV and XLSX files.

A report row's nested figures become columns named by their path
(``current_orders_done``, ``backlog_by_age_days_1_to_3``). CSV is UTF-8 with a byte
order mark, which spreadsheet programs need to read Chinese text. A text that a
spreadsheet would run as a formula (starting with = + - @, a tab or a carriage
return) is written with a leading apostrophe in CSV, and as a plain string cell in
XLSX. XLSX times are UTC (spreadsheet times have no zone); amounts of money are
number cells shown with two decimals, so that a spreadsheet adds them up.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec
import msgspec.inspect
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from server.workorders.schemas import WorkOrder

# Litestar adds "; charset=utf-8" to text/* types itself; naming it here doubled it.
CSV_TYPE = "text/csv"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# An XLSX sheet holds 1,048,576 rows, the header among them.
XLSX_MAX_ROWS = 1_048_575
ORDER_COLUMNS = (
    "number",
    "title",
    "kind",
    "status",
    "priority",
    "site_name",
    "assignee_name",
    "created_at",
    "due_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "response_breached_at",
    "resolution_breached_at",
    "rating",
    "id",
    "department_id",
    "customer_id",
    "site_id",
    "asset_id",
    "assignee_id",
)


def columns(kind: type[msgspec.Struct]) -> list[str]:
    """The columns of a report row type, in field order (see ``flatten``)."""

    def walk(prefix: str, info: Any) -> Iterator[str]:
        while isinstance(info, msgspec.inspect.Metadata):
            info = info.type
        if isinstance(info, msgspec.inspect.StructType):
            for field in info.fields:
                yield from walk(f"{prefix}{field.encode_name}_", field.type)
        else:
            yield prefix[:-1]

    return list(walk("", msgspec.inspect.type_info(kind)))


def flatten(row: msgspec.Struct) -> dict[str, Any]:
    """A report row as one level of columns (UUIDs, dates as text; numbers, amounts of
    money among them, as numbers)."""
    flat: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for name, inner in value.items():
                walk(f"{prefix}{name}_", inner)
        else:
            flat[prefix[:-1]] = value

    walk("", msgspec.to_builtins(row, builtin_types=(Decimal,)))
    return flat


def csv_value(value: Any) -> str:
    """A value as CSV text (what tests read back compares with)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    if isinstance(value, str) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_lines(rows: Iterable[Iterable[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([csv_value(value) for value in row] for row in rows)
    return out.getvalue()


def report_csv(kind: type[msgspec.Struct], rows: list[Any]) -> bytes:
    header = columns(kind)
    flat = [flatten(row) for row in rows]
    return (BOM + csv_lines([header, *([row[name] for name in header] for row in flat)])).encode()


def _cell(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value.astimezone(UTC).replace(tzinfo=None))
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
        return cell
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = "0.00"
        return cell
    if isinstance(value, str | UUID):
        cell = WriteOnlyCell(sheet, str(value))
        cell.data_type = "s"  # never a formula
        return cell
    return value


class Sheet:
    """An XLSX workbook of one sheet, written row by row (openpyxl's write-only mode
    keeps the rows in a temporary file, not in memory)."""

    def __init__(self, title: str, header: Iterable[str]) -> None:
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet(title[:31])
        self.rows = 0
        self.sheet.append(list(header))

    def add(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.sheet.append([_cell(self.sheet, value) for value in row])
            self.rows += 1

    def save(self) -> bytes:
        out = io.BytesIO()
        self.book.save(out)
        return out.getvalue()


def report_xlsx(title: str, kind: type[msgspec.Struct], rows: list[Any]) -> bytes:
    header = columns(kind)
    flat = [flatten(row) for row in rows]
    sheet = Sheet(title, header)
    sheet.add([row[name] for name in header] for row in flat)
    return sheet.save()


def order_values(orders: list[WorkOrder]) -> Iterator[list[Any]]:
    for order in orders:
        yield [getattr(order, name) for name in ORDER_COLUMNS]
