"""Report and order-list files open back with the rows the JSON answers hold."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import msgspec
import openpyxl
import pytest

from server.reports.exports import ORDER_COLUMNS, csv_value, flatten
from server.reports.schemas import AssetRow, DimensionRow, TechnicianRow
from tests.server.reports.dataset import PERIOD, Dataset
from tests.server.workorders.orders import put_order
from tests.world import World

ROW_TYPES: dict[str, Any] = {
    "technicians": TechnicianRow,
    "departments": DimensionRow,
    "sites": DimensionRow,
    "customer-groups": DimensionRow,
    "assets": AssetRow,
}


def money_columns(name: str) -> list[str]:
    if name == "technicians":
        return ["current_labour_cost", "previous_labour_cost"]
    kinds = ("parts", "labour", "expenses", "total")
    return [f"{period}_costs_{kind}" for period in ("current", "previous") for kind in kinds]


def read_csv(response: httpx.Response) -> list[list[str]]:
    # Once: the type named its charset and Litestar added another (test_api_conformance).
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def read_xlsx(response: httpx.Response) -> list[list[Any]]:
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def flat_rows(kind: Any, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [flatten(msgspec.convert(item, kind)) for item in items]


@pytest.mark.parametrize("name", list(ROW_TYPES))
async def test_reports_as_csv_and_xlsx(
    client: httpx.AsyncClient, world: World, data: Dataset, name: str
) -> None:
    headers = await world.headers("admin")
    answer = await client.get(f"/api/reports/{name}?{PERIOD}", headers=headers)
    expected = flat_rows(ROW_TYPES[name], answer.json()["items"])
    assert len(expected) == {"departments": 2, "customer-groups": 2}.get(name, 3)
    columns = list(expected[0])
    assert [column for column in columns if "cost" in column] == money_columns(name)

    response = await client.get(f"/api/reports/{name}/export?format=csv&{PERIOD}", headers=headers)
    assert response.status_code == 200, response.text
    assert (
        'filename="' + name + '_2026-10-19_2026-11-01.csv"'
        in response.headers["content-disposition"]
    )
    header, *rows = read_csv(response)
    assert header == columns
    assert rows == [[csv_value(row[column]) for column in columns] for row in expected]
    if name == "departments":
        # Amounts keep their two decimals (north's total, test_figures.py).
        assert rows[0][columns.index("current_costs_total")] == "368.50"

    response = await client.get(f"/api/reports/{name}/export?format=xlsx&{PERIOD}", headers=headers)
    assert response.status_code == 200, response.text
    header, *cells = read_xlsx(response)
    assert header == columns
    # Amounts are number cells (a spreadsheet reads them back as floats).
    assert cells == [
        [float(row[c]) if isinstance(row[c], Decimal) else row[c] for c in columns]
        for row in expected
    ]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    for column in money_columns(name):
        cell = sheet.cell(row=2, column=columns.index(column) + 1)
        assert (cell.data_type, cell.number_format) == ("n", "0.00")


async def test_an_empty_report_still_names_its_columns(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.get(
        "/api/reports/assets/export?format=csv", headers=await world.headers("admin")
    )
    assert read_csv(response)[0][:4] == ["id", "tag", "name", "site_name"]


async def test_unknown_report_or_format(client: httpx.AsyncClient, world: World) -> None:
    headers = await world.headers("admin")
    assert (
        await client.get("/api/reports/people/export?format=csv", headers=headers)
    ).status_code == 400
    assert (
        await client.get("/api/reports/sites/export?format=pdf", headers=headers)
    ).status_code == 400


def _order_cells(order: dict[str, Any]) -> list[Any]:
    return [order[column] for column in ORDER_COLUMNS]


def _csv_text(value: Any) -> str:
    if isinstance(value, str) and value.endswith("Z") and "T" in value:
        value = datetime.fromisoformat(value).astimezone(UTC)
    return csv_value(value)


async def _listed(client: httpx.AsyncClient, headers: dict[str, str], query: str) -> list[Any]:
    """Every order of the list with these filters, page after page, as JSON."""
    found: list[Any] = []
    cursor = ""
    while True:
        page = (
            await client.get(f"/api/work-orders?{query}&limit=200{cursor}", headers=headers)
        ).json()
        found += page["items"]
        if page["next_cursor"] is None:
            return found
        cursor = f"&cursor={page['next_cursor']}"


async def test_order_list_as_csv_and_xlsx(
    client: httpx.AsyncClient, world: World, data: Dataset
) -> None:
    # More orders than one export page (200), one titled like a spreadsheet formula.
    start = datetime(2026, 10, 1, tzinfo=UTC)
    for n in range(450):
        await put_order(
            world,
            "new",
            title='=HYPERLINK("http://evil")' if n == 7 else f"Order {n} 水管",
            created_at=start + timedelta(minutes=n),
            priority="P2",
        )
    headers = await world.headers("north_manager")
    query = "status=new&status=resolved&priority=P2&sort=created_at"
    listed = await _listed(client, headers, query)
    assert len(listed) == 452  # and O3 and O12 of the data set

    response = await client.get(f"/api/work-orders/export?format=csv&{query}", headers=headers)
    assert response.status_code == 200, response.text
    header, *rows = read_csv(response)
    assert header == list(ORDER_COLUMNS)
    assert rows == [[_csv_text(value) for value in _order_cells(order)] for order in listed]
    formula = next(row for row in rows if "HYPERLINK" in row[1])
    assert formula[1] == '\'=HYPERLINK("http://evil")'

    response = await client.get(f"/api/work-orders/export?format=xlsx&{query}", headers=headers)
    assert response.status_code == 200, response.text
    header, *cells = read_xlsx(response)
    assert header == list(ORDER_COLUMNS)

    def spreadsheet(value: Any) -> Any:
        if isinstance(value, str) and value.endswith("Z") and "T" in value:
            return datetime.fromisoformat(value).replace(tzinfo=None)
        return value

    assert cells == [[spreadsheet(value) for value in _order_cells(order)] for order in listed]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    title = next(
        row[1] for row in book.active.iter_rows(min_row=2) if "HYPERLINK" in str(row[1].value)
    )
    assert title.value == '=HYPERLINK("http://evil")'
    assert title.data_type == "s"  # text, not a formula


async def test_order_export_keeps_the_callers_scope(
    client: httpx.AsyncClient, world: World, data: Dataset
) -> None:
    headers = await world.headers("south_tech")
    response = await client.get("/api/work-orders/export?format=csv", headers=headers)
    numbers = [row[0] for row in read_csv(response)[1:]]
    listed = await _listed(client, headers, "view=all")
    assert numbers == [order["number"] for order in listed]
    assert len(numbers) == 3  # O6 O10 O14


async def test_order_export_refuses_bad_filters_before_answering(
    client: httpx.AsyncClient, world: World
) -> None:
    headers = await world.headers("admin")
    response = await client.get(
        "/api/work-orders/export?format=csv&created_from=2026-10-01T00:00:00", headers=headers
    )
    assert response.status_code == 422
    assert response.json()["code"] == "timezone_required"
