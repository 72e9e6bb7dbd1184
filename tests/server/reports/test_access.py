"""Who may read reports and over which orders, the periods they cover, and the
fixed number of statements each report costs."""

from __future__ import annotations

import httpx
import pytest

from tests.probes import assert_error, counting_queries
from tests.server.reports.dataset import PERIOD, Dataset
from tests.server.reports.test_figures import (
    NORTH,
    NORTH_TECH,
    NORTH_TECH2,
    activity,
    backlog,
    costs,
    report,
)
from tests.world import World

REPORTS = ["technicians", "departments", "sites", "customer-groups", "assets", "dashboard"]


async def test_managers_see_their_departments_orders(
    client: httpx.AsyncClient, world: World, data: Dataset
) -> None:
    body = await report(client, world, "technicians", "north_manager")
    # south_tech's orders are south's: he is not in the north manager's report.
    assert [row["technician_name"] for row in body["items"]] == ["North Tech", "North Tech2"]
    assert body["items"][0]["current"] == NORTH_TECH
    assert body["items"][1]["current"] == NORTH_TECH2
    # The total without O6 and O14: O1 O2 O3 O5, (1,800 + 3,600 + 1,200 + 3,600) / 4 s
    # of response, and no labour of south_tech's.
    assert body["total"]["current"]["orders_done"] == 4
    assert body["total"]["current"]["mean_response_seconds"] == 2550.0
    assert body["total"]["current"]["labour_hours"] == 4.5
    assert body["total"]["current"]["labour_cost"] == "270.00"

    departments = await report(client, world, "departments", "north_manager")
    assert [{k: v for k, v in row.items() if k != "id"} for row in departments["items"]] == [NORTH]
    # The orders without a customer that are north's: O11 alone, not south's O6, O10
    # and O14 with their parts, labour and expenses.
    groups = await report(client, world, "customer-groups", "north_manager")
    assert groups["items"][1] == {
        "id": None,
        "name": None,
        "current": activity(1, spent=costs("0.00", "0.00", "20.15", "20.15")),
        "previous": activity(0),
        "backlog": backlog((0, 1, 0, 0, 0), (0, 0, 0, 1, 0)),
    }
    # A3 is south's (O6: 13.40 of parts, 30.00 of labour); A1 and A2 hold north's
    # orders alone, costs and all.
    assets = await report(client, world, "assets", "north_manager")
    assert [row["tag"] for row in assets["items"]] == ["A-1", "A-2"]
    assert assets["items"] == (await report(client, world, "assets"))["items"][:2]
    dashboard = await report(client, world, "dashboard", "north_manager")
    assert dashboard["current"]["created"] == 9
    assert dashboard["open_orders"] == 4  # O10 is south's
    # Every breach is north's (O3 both clocks, O9 resolution; O12 the period before).
    assert dashboard["current"]["response_breaches"] == 1
    assert dashboard["current"]["resolution_breaches"] == 2
    assert dashboard["previous"]["response_breaches"] == 1
    south = await report(client, world, "dashboard", "south_manager")
    assert south["open_orders"] == 1
    for period in ("current", "previous"):
        assert south[period]["response_breaches"] == 0
        assert south[period]["resolution_breaches"] == 0


async def test_a_manager_without_departments_sees_nothing(
    client: httpx.AsyncClient, world: World, data: Dataset
) -> None:
    await world.add_user("idle_manager", "manager")
    for name in REPORTS:
        body = await report(client, world, name, "idle_manager")
        if name == "dashboard":
            assert body["open_orders"] == 0
            assert body["current"]["created"] == 0
        else:
            assert body["items"] == []


@pytest.mark.parametrize("user", ["north_tech", "north_inspector", "requester"])
async def test_others_may_not_read_reports(
    client: httpx.AsyncClient, world: World, user: str
) -> None:
    headers = await world.headers(user)
    paths = [
        *(f"/api/reports/{name}" for name in REPORTS),
        "/api/reports/charts/backlog-by-status.svg",
        "/api/reports/sites/export?format=csv",
    ]
    for path in paths:
        assert_error(await client.get(path, headers=headers), 403, "reports_forbidden")
        # Refused before the period is checked: a bad one tells them nothing more.
        backwards = f"{path}{'&' if '?' in path else '?'}from=2026-02-01&to=2026-01-01"
        assert_error(await client.get(backwards, headers=headers), 403, "reports_forbidden")
    assert (await client.get("/api/reports/technicians")).status_code == 401


async def test_the_period_is_counted_in_the_time_zone_asked_for(
    client: httpx.AsyncClient, world: World, data: Dataset
) -> None:
    headers = await world.headers("admin")
    response = await client.get(
        f"/api/reports/dashboard?{PERIOD}&tz=Asia/Shanghai", headers=headers
    )
    body = response.json()
    # Shanghai days run from 16:00 UTC the day before.
    assert body["period"]["starts_at"] == "2026-10-18T16:00:00Z"
    assert body["period"]["ends_at"] == "2026-11-01T16:00:00Z"
    assert body["previous_period"]["starts_at"] == "2026-10-04T16:00:00Z"
    # O7, created 11-01 20:00 UTC, is on 11-02 in Shanghai: after the period.
    assert body["current"]["created"] == 10
    assert body["current"]["resolved"] == 6
    assert body["previous"]["created"] == 2


async def test_default_period_and_comparison(
    client: httpx.AsyncClient, world: World, data: Dataset
) -> None:
    headers = await world.headers("admin")
    body = (await client.get("/api/reports/departments", headers=headers)).json()
    # 30 days up to today (the clock says 2026-11-02), and the 30 days before.
    assert (body["period"]["first_day"], body["period"]["last_day"]) == ("2026-10-04", "2026-11-02")
    assert (body["previous_period"]["first_day"], body["previous_period"]["last_day"]) == (
        "2026-09-04",
        "2026-10-03",
    )
    north = body["items"][0]
    # Every north order but O10 (south) is from this period; none from the one before.
    assert north["current"]["created"] == 11
    assert north["previous"]["created"] == 0
    # One day: 2026-10-20 against 2026-10-19.
    body = (
        await client.get("/api/reports/technicians?from=2026-10-20&to=2026-10-20", headers=headers)
    ).json()
    assert body["previous_period"]["first_day"] == "2026-10-19"
    row = body["items"][0]
    assert row["technician_name"] == "North Tech"
    assert row["current"]["orders_done"] == 1  # O1
    assert body["total"]["previous"]["orders_done"] == 1  # O5, north_tech2's
    # A period given by its first day alone runs to today.
    body = (await client.get("/api/reports/sites?from=2026-10-30", headers=headers)).json()
    assert body["period"]["last_day"] == "2026-11-02"
    assert body["previous_period"]["first_day"] == "2026-10-26"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("from=2026-11-02&to=2026-11-01", "invalid_period"),
        ("from=2025-01-01&to=2026-11-01", "period_too_long"),
        ("from=1969-12-31&to=1970-01-02", "invalid_period"),
        ("tz=Mars/Olympus_Mons", "unknown_timezone"),
        ("tz=../../etc/passwd", "unknown_timezone"),
    ],
)
async def test_bad_periods(client: httpx.AsyncClient, world: World, query: str, code: str) -> None:
    response = await client.get(
        f"/api/reports/technicians?{query}", headers=await world.headers("admin")
    )
    assert_error(response, 422, code)


async def test_bad_dates_are_malformed_requests(client: httpx.AsyncClient, world: World) -> None:
    response = await client.get(
        "/api/reports/sites?from=yesterday", headers=await world.headers("admin")
    )
    assert_error(response, 400, "validation_error")


@pytest.mark.parametrize(
    ("path", "statements"),
    [
        # the session lookup, then: the orders with their timelines, the labour entries
        ("technicians", 3),
        # the session lookup and one statement
        ("departments", 2),
        ("sites", 2),
        ("customer-groups", 2),
        ("assets", 2),
        # backlog by status, weeks, created and breaches
        ("dashboard", 4),
        ("charts/backlog-by-status.svg", 2),
        ("charts/sla-compliance-by-week.svg", 2),
        ("technicians/export?format=xlsx", 3),
        ("assets/export?format=csv", 2),
    ],
)
async def test_statements_per_report(
    client: httpx.AsyncClient, world: World, data: Dataset, path: str, statements: int
) -> None:
    headers = await world.headers("admin")
    separator = "&" if "?" in path else "?"
    with counting_queries() as seen:
        response = await client.get(f"/api/reports/{path}{separator}{PERIOD}", headers=headers)
    assert response.status_code == 200, response.text
    assert len(seen) == statements, seen
