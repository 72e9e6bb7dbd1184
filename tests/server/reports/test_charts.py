"""SVG charts: well-formed XML with every value written on them, and escaped text."""

from __future__ import annotations

from xml.etree import ElementTree

import httpx

from server.reports import schemas, svg
from tests.server.reports.dataset import PERIOD, Dataset
from tests.world import World

SVG = "{http://www.w3.org/2000/svg}"


def texts(document: bytes | str) -> list[str]:
    root = ElementTree.fromstring(document)
    assert root.tag == f"{SVG}svg"
    return [element.text or "" for element in root.iter(f"{SVG}text")]


async def chart(
    client: httpx.AsyncClient, world: World, name: str, language: str = "en"
) -> list[str]:
    response = await client.get(
        f"/api/reports/charts/{name}?{PERIOD}&lang={language}",
        headers=await world.headers("admin"),
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("image/svg+xml")
    return texts(response.content)


async def test_backlog_by_status(client: httpx.AsyncClient, world: World, data: Dataset) -> None:
    written = await chart(client, world, "backlog-by-status.svg")
    assert "Open orders by status" in written
    for status in (
        "New",
        "Assigned",
        "Accepted",
        "En route",
        "On site",
        "In progress",
        "Suspended",
    ):
        assert status in written
    # The bars' values (new 1, assigned 2, in progress 1, suspended 1, the rest 0) are
    # written after the axis and the labels.
    bars = written[-7:]
    assert bars == ["1", "2", "0", "0", "0", "1", "1"]


async def test_weekly_lines(client: httpx.AsyncClient, world: World, data: Dataset) -> None:
    written = await chart(client, world, "sla-compliance-by-week.svg")
    assert written[-2:] == ["50", "66.7"]
    assert {"2026-10-19", "2026-10-26", "100"} <= set(written)  # labels, axis top
    written = await chart(client, world, "resolution-time-by-week.svg")
    assert written[-2:] == ["10.83", "10.67"]
    assert "mean time to resolve (hours)" in written


async def test_charts_in_chinese(client: httpx.AsyncClient, world: World, data: Dataset) -> None:
    written = await chart(client, world, "backlog-by-status.svg", "zh-CN")
    assert "按状态统计的未完成工单" in written
    assert {"新建", "已派单", "处理中", "已挂起"} <= set(written)
    assert written[-7:] == ["1", "2", "0", "0", "0", "1", "1"]
    written = await chart(client, world, "resolution-time-by-week.svg", "zh-CN")
    assert "每周平均解决时长" in written
    assert "平均解决时长 (小时)" in written
    assert written[-2:] == ["10.83", "10.67"]
    refused = await client.get(
        f"/api/reports/charts/backlog-by-status.svg?{PERIOD}&lang=fr",
        headers=await world.headers("admin"),
    )
    assert refused.status_code == 400


async def test_unknown_chart(client: httpx.AsyncClient, world: World) -> None:
    response = await client.get("/api/reports/charts/pie.svg", headers=await world.headers("admin"))
    assert response.status_code == 400


def test_text_is_escaped_and_gaps_break_lines() -> None:
    title = 'Orders of "Tom & Jerry" <script>alert(1)</script>'
    document = svg.render(
        schemas.Chart(
            title=title,
            kind="line",
            unit="%",
            labels=["<a>", "b & c", "d"],
            series=[schemas.Series(name="x'y", values=[10.0, None, 30.5])],
        )
    )
    written = texts(document)
    assert written[0] == title
    assert {"<a>", "b & c", "x'y (%)", "10", "30.5"} <= set(written)
    root = ElementTree.fromstring(document)
    assert root.find(f"{SVG}title").text == title  # type: ignore[union-attr]
    assert root.attrib["aria-label"] == title
    # A gap: two single points, so no line is drawn between them.
    assert root.findall(f"{SVG}polyline") == []
    assert len(root.findall(f"{SVG}circle")) == 2


def test_bar_scale_is_round() -> None:
    document = svg.render(
        schemas.Chart(
            title="t",
            kind="bar",
            unit="orders",
            labels=[str(n) for n in range(12)],
            series=[schemas.Series(name="orders", values=[float(n * 37) for n in range(12)])],
        )
    )
    written = texts(document)
    # The largest value, 407, under a top of 500 in five steps of 100.
    assert written[2:8] == ["0", "100", "200", "300", "400", "500"]
    assert "407" in written
