"""Every report figure of the fixed data set (dataset.py), worked out by hand.

Hours: 1 h = 3,600 s. Means are sums over counts; percentages are rounded to one
decimal, seconds to one decimal, ratings to two.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from tests.server.reports.dataset import PERIOD, Dataset
from tests.server.workorders.orders import put_order
from tests.world import World

ZERO_TECH = {
    "orders_done": 0,
    "mean_response_seconds": None,
    "mean_resolution_seconds": None,
    "sla_orders": 0,
    "sla_met": 0,
    "sla_compliance_percent": None,
    "first_time_fixes": 0,
    "first_time_fix_percent": None,
    "ratings": 0,
    "mean_rating": None,
    "travel_seconds": 0.0,
    "on_site_seconds": 0.0,
    "labour_hours": 0.0,
    "labour_cost": "0.00",
}

# north_tech, this period: O1, O2, O3.
NORTH_TECH = {
    "orders_done": 3,
    # O1 30 min, O2 1 h, O3 20 min: (1,800 + 3,600 + 1,200) / 3
    "mean_response_seconds": 2200.0,
    # O1 4 h, O2 25 h, O3 27 h 30 min: (14,400 + 90,000 + 99,000) / 3
    "mean_resolution_seconds": 67800.0,
    # All three had targets; O1 met them, O2 was resolved after its due time
    # (unmarked), O3's were marked missed.
    "sla_orders": 3,
    "sla_met": 1,
    "sla_compliance_percent": 33.3,
    # O3 was reopened.
    "first_time_fixes": 2,
    "first_time_fix_percent": 66.7,
    # O1 5, O2 3; O3 unrated.
    "ratings": 2,
    "mean_rating": 4.0,
    # en route: O1 45 min, O2 1 h, O3 30 + 20 min = 2,700 + 3,600 + 3,000
    "travel_seconds": 9300.0,
    # on site and in progress: O1 2 h 15 min; O2 1 h 30 min + 2 h (not the night
    # suspended); O3 1 h + 1 h 10 min = 8,100 + 12,600 + 7,800
    "on_site_seconds": 28500.0,
    # 135 + 90 + 45 (no start: its creation time) minutes; O7's 40 min started
    # after the period
    "labour_hours": 4.5,
    # 270 min at 60.00 an hour
    "labour_cost": "270.00",
}
# north_tech, the period before: O4.
NORTH_TECH_BEFORE = {
    "orders_done": 1,
    "mean_response_seconds": 3600.0,
    "mean_resolution_seconds": 10800.0,
    # O4 had no SLA target.
    "sla_orders": 0,
    "sla_met": 0,
    "sla_compliance_percent": None,
    "first_time_fixes": 1,
    "first_time_fix_percent": 100.0,
    "ratings": 1,
    "mean_rating": 4.0,
    "travel_seconds": 1800.0,
    "on_site_seconds": 3600.0,
    "labour_hours": 1.0,
    "labour_cost": "60.00",
}
# north_tech2, this period: O5 (planned, no SLA, unrated).
NORTH_TECH2 = {
    **NORTH_TECH_BEFORE,
    "mean_resolution_seconds": 12600.0,
    "ratings": 0,
    "mean_rating": None,
    "labour_hours": 0.0,
    "labour_cost": "0.00",
}
# north_tech2, the period before: O12, its response marked missed.
NORTH_TECH2_BEFORE = {
    "orders_done": 1,
    "mean_response_seconds": 3600.0,
    "mean_resolution_seconds": 21600.0,
    "sla_orders": 1,
    "sla_met": 0,
    "sla_compliance_percent": 0.0,
    "first_time_fixes": 1,
    "first_time_fix_percent": 100.0,
    "ratings": 1,
    "mean_rating": 2.0,
    # 50 min en route, 4 h on site
    "travel_seconds": 3000.0,
    "on_site_seconds": 14400.0,
    # O9's 50 min, started 10-18 23:00 (logged 10-19 01:00, in this period): 0.833 h,
    # at 72.00 an hour 60.00
    "labour_hours": 0.83,
    "labour_cost": "60.00",
}
# south_tech, this period: O6 and O14.
SOUTH_TECH = {
    "orders_done": 2,
    # (600 + 1,800) / 2 and (7,200 + 9,000) / 2
    "mean_response_seconds": 1200.0,
    "mean_resolution_seconds": 8100.0,
    "sla_orders": 2,
    "sla_met": 2,
    "sla_compliance_percent": 100.0,
    "first_time_fixes": 2,
    "first_time_fix_percent": 100.0,
    "ratings": 1,
    "mean_rating": 1.0,
    # 30 + 30 min en route; 1 h 15 min + 1 h on site
    "travel_seconds": 3600.0,
    "on_site_seconds": 8100.0,
    # O6's 30 min; O10's 120 min were long before
    "labour_hours": 0.5,
    "labour_cost": "30.00",
}
TOTAL = {
    "orders_done": 6,
    # (6,600 + 3,600 + 2,400) / 6
    "mean_response_seconds": 2100.0,
    # (203,400 + 12,600 + 16,200) / 6
    "mean_resolution_seconds": 38700.0,
    "sla_orders": 5,
    "sla_met": 3,
    "sla_compliance_percent": 60.0,
    "first_time_fixes": 5,
    "first_time_fix_percent": 83.3,
    # 5, 3, 1
    "ratings": 3,
    "mean_rating": 3.0,
    "travel_seconds": 14700.0,
    "on_site_seconds": 40200.0,
    "labour_hours": 5.0,
    "labour_cost": "300.00",
}
TOTAL_BEFORE = {
    "orders_done": 2,
    "mean_response_seconds": 3600.0,
    # (10,800 + 21,600) / 2
    "mean_resolution_seconds": 16200.0,
    "sla_orders": 1,
    "sla_met": 0,
    "sla_compliance_percent": 0.0,
    "first_time_fixes": 2,
    "first_time_fix_percent": 100.0,
    "ratings": 2,
    "mean_rating": 3.0,
    "travel_seconds": 4800.0,
    "on_site_seconds": 18000.0,
    # 60 + 50 min
    "labour_hours": 1.83,
    "labour_cost": "120.00",
}


def backlog(
    ages: tuple[int, int, int, int, int], priorities: tuple[int, int, int, int, int]
) -> dict[str, Any]:
    names = ("up_to_1_day", "days_1_to_3", "days_3_to_7", "days_7_to_30", "over_30_days")
    return {
        "open": sum(ages),
        "by_age": dict(zip(names, ages, strict=True)),
        "by_priority": {f"P{n}": count for n, count in enumerate(priorities, start=1)},
    }


def costs(parts: str, labour: str, expenses: str, total: str) -> dict[str, str]:
    return {"parts": parts, "labour": labour, "expenses": expenses, "total": total}


NO_COSTS = costs("0.00", "0.00", "0.00", "0.00")


def activity(
    created: int, response: int = 0, resolution: int = 0, spent: dict[str, str] = NO_COSTS
) -> dict[str, Any]:
    return {
        "created": created,
        "response_breaches": response,
        "resolution_breaches": resolution,
        "costs": spent,
    }


# The costs of each order (dataset.py), this period and the one before; the lines
# outside both (O7's use and labour after the period, O10's use and labour before
# the period before) count in neither.
#
#   order  this period                                     the period before
#   O1     parts 2 x 12.50 - 1 x 12.50 = 12.50; labour 135.00
#   O2     parts 3 x 3.35 = 10.05; labour 90.00
#   O3     labour 45.00 (logged in the period); expense 45.80
#   O4     expense 7.00 (at the period's first instant)    labour 60.00
#   O6     parts 4 x 3.35 = 13.40; labour 30.00
#   O8     expense 15.50
#   O9                                                     labour 50 min at 72.00 = 60.00
#   O10                                                    expense 8.00 (at its first instant)
#   O11    expense 20.15
#   O12    parts -12.50 (the return of a use before)       parts 12.50; expense 12.00
#   O14    expense 30.00
#
# north (O1 O2 O3 O4 O8 O11 O12): parts 12.50 + 10.05 - 12.50 = 10.05; labour
# 135 + 90 + 45 = 270.00; expenses 45.80 + 7.00 + 15.50 + 20.15 = 88.45; total
# 368.50. Before (O4 O9 O12): parts 12.50, labour 120.00, expenses 12.00, 144.50.
NORTH_COSTS = costs("10.05", "270.00", "88.45", "368.50")
NORTH_COSTS_BEFORE = costs("12.50", "120.00", "12.00", "144.50")
# south (O6 O14; before O10): 13.40 + 30.00 + 30.00 = 73.40; before 8.00.
SOUTH_COSTS = costs("13.40", "30.00", "30.00", "73.40")
SOUTH_COSTS_BEFORE = costs("0.00", "0.00", "8.00", "8.00")
NO_BACKLOG = backlog((0, 0, 0, 0, 0), (0, 0, 0, 0, 0))
# Open now (2026-11-02 08:00): O7 (12 h, P1), O8 (3 d 2 h, P3), O9 (9 d, P2),
# O10 (48 d, P5), O11 (1 d 20 h, P4).
NORTH = {
    "name": "north ops",
    # O1 O2 O3 O5 O7 O8 O9 O11 O13; before: O4 O12
    # O3 both, O9 resolution
    "current": activity(9, response=1, resolution=2, spent=NORTH_COSTS),
    "previous": activity(2, response=1, spent=NORTH_COSTS_BEFORE),  # O12
    "backlog": backlog((1, 1, 1, 1, 0), (1, 1, 1, 1, 0)),  # O7 O11 O8 O9
}
SOUTH = {
    "name": "south ops",
    "current": activity(2, spent=SOUTH_COSTS),  # O6 O14 (O10 is older)
    "previous": activity(0, spent=SOUTH_COSTS_BEFORE),
    "backlog": backlog((0, 0, 0, 0, 1), (0, 0, 0, 0, 1)),  # O10
}


async def report(client: httpx.AsyncClient, world: World, path: str, user: str = "admin") -> Any:
    response = await client.get(
        f"/api/reports/{path}?{PERIOD}&tz=UTC", headers=await world.headers(user)
    )
    assert response.status_code == 200, response.text
    return response.json()


def _named(items: list[dict[str, Any]], key: str = "technician_name") -> dict[Any, Any]:
    return {item[key]: item for item in items}


async def test_technicians(client: httpx.AsyncClient, world: World, data: Dataset) -> None:
    body = await report(client, world, "technicians")
    assert body["period"] == {
        "first_day": "2026-10-19",
        "last_day": "2026-11-01",
        "timezone": "UTC",
        "starts_at": "2026-10-19T00:00:00Z",
        "ends_at": "2026-11-02T00:00:00Z",
    }
    assert body["previous_period"]["first_day"] == "2026-10-05"
    assert body["previous_period"]["last_day"] == "2026-10-18"
    rows = _named(body["items"])
    assert list(rows) == ["North Tech", "North Tech2", "South Tech"]
    assert rows["North Tech"]["technician_id"] == str(world.id("north_tech"))
    assert rows["North Tech"]["current"] == NORTH_TECH
    assert rows["North Tech"]["previous"] == NORTH_TECH_BEFORE
    assert rows["North Tech2"]["current"] == NORTH_TECH2
    assert rows["North Tech2"]["previous"] == NORTH_TECH2_BEFORE
    assert rows["South Tech"]["current"] == SOUTH_TECH
    assert rows["South Tech"]["previous"] == ZERO_TECH
    assert body["total"] == {"current": TOTAL, "previous": TOTAL_BEFORE}


async def test_departments(client: httpx.AsyncClient, world: World, data: Dataset) -> None:
    body = await report(client, world, "departments")
    ids = {str(world.departments["north"]): NORTH, str(world.departments["south"]): SOUTH}
    assert [{k: v for k, v in item.items() if k != "id"} for item in body["items"]] == [
        NORTH,
        SOUTH,
    ]
    assert [item["id"] for item in body["items"]] == list(ids)


async def test_sites(client: httpx.AsyncClient, world: World, data: Dataset) -> None:
    body = await report(client, world, "sites")
    assert body["items"] == [
        {
            "id": str(world.sites["central"]),
            "name": "Acme Central",
            # north without O8, which has no site: expenses 88.45 - 15.50 = 72.95
            "current": activity(
                8, response=1, resolution=2, spent=costs("10.05", "270.00", "72.95", "353.00")
            ),
            "previous": activity(2, response=1, spent=NORTH_COSTS_BEFORE),
            "backlog": backlog((1, 1, 0, 1, 0), (1, 1, 0, 1, 0)),  # O7 O11 O9
        },
        {
            "id": str(data.sites["dock"]),
            "name": "Dock Yard",
            **{k: v for k, v in SOUTH.items() if k != "name"},
        },
        {
            "id": None,
            "name": None,
            "current": activity(1, spent=costs("0.00", "0.00", "15.50", "15.50")),  # O8
            "previous": activity(0),
            "backlog": backlog((0, 0, 1, 0, 0), (0, 0, 1, 0, 0)),
        },
    ]


async def test_customer_groups(client: httpx.AsyncClient, world: World, data: Dataset) -> None:
    body = await report(client, world, "customer-groups")
    retail, nobody = body["items"]
    assert retail["name"] == "Retail"
    # acme's orders: north without O11 (expenses 88.45 - 20.15 = 68.30)
    assert retail["current"] == activity(
        8, response=1, resolution=2, spent=costs("10.05", "270.00", "68.30", "348.35")
    )
    assert retail["previous"] == activity(2, response=1, spent=NORTH_COSTS_BEFORE)
    assert retail["backlog"] == backlog((1, 0, 1, 1, 0), (1, 1, 1, 0, 0))  # O7 O8 O9
    # Orders without a customer: O6 O10 O11 O14.
    assert nobody == {
        "id": None,
        "name": None,
        # O6 O11 O14: parts 13.40, labour 30.00, expenses 20.15 + 30.00
        "current": activity(3, spent=costs("13.40", "30.00", "50.15", "93.55")),
        "previous": activity(0, spent=SOUTH_COSTS_BEFORE),  # O10's expense
        "backlog": backlog((0, 1, 0, 0, 1), (0, 0, 0, 1, 1)),  # O11 O10
    }


def asset_activity(
    created: int,
    failures: int,
    repairs: int,
    mtbf: float | None,
    mttr: float | None,
    response: int = 0,
    resolution: int = 0,
    spent: dict[str, str] = NO_COSTS,
) -> dict[str, Any]:
    return {
        **activity(created, response, resolution, spent),
        "failures": failures,
        "repairs": repairs,
        "mtbf_seconds": mtbf,
        "mttr_seconds": mttr,
    }


async def test_assets(client: httpx.AsyncClient, world: World, data: Dataset) -> None:
    body = await report(client, world, "assets")
    assert body["items"] == [
        {
            "id": str(data.assets["A1"]),
            "tag": "A-1",
            "name": "Boiler",
            "site_name": "Acme Central",
            # Created: O1 O2 O7 O13. Failures: O1 (10-20 08:00), O2, O7 (11-01 20:00),
            # not the cancelled O13: MTBF = 12 d 12 h / 2 gaps = 1,080,000 / 2 s.
            # Repairs: O1 (4 h) and O2 (25 h): MTTR = (14,400 + 90,000) / 2.
            # Costs: O1 12.50 + 135.00, O2 10.05 + 90.00, O12's return -12.50.
            "current": asset_activity(
                4, 3, 2, 540000.0, 52200.0, spent=costs("10.05", "225.00", "0.00", "235.05")
            ),
            # O12 alone: one failure has no MTBF; its repair took 6 h.
            "previous": asset_activity(
                1, 1, 1, None, 21600.0, response=1, spent=costs("12.50", "0.00", "12.00", "24.50")
            ),
            "backlog": backlog((1, 0, 0, 0, 0), (1, 0, 0, 0, 0)),  # O7
        },
        {
            "id": str(data.assets["A2"]),
            "tag": "A-2",
            "name": "Chiller",
            "site_name": "Acme Central",
            # O9 (10-24 08:00) and O3 (10-25 08:00): one day apart; O3 repaired in 27.5 h;
            # breaches: O3 response and resolution, O9 resolution. Costs: O3's labour
            # and expense; before, O9's labour.
            "current": asset_activity(
                2,
                2,
                1,
                86400.0,
                99000.0,
                response=1,
                resolution=2,
                spent=costs("0.00", "45.00", "45.80", "90.80"),
            ),
            "previous": asset_activity(
                0, 0, 0, None, None, spent=costs("0.00", "60.00", "0.00", "60.00")
            ),
            "backlog": backlog((0, 0, 0, 1, 0), (0, 1, 0, 0, 0)),  # O9
        },
        {
            "id": str(data.assets["A3"]),
            "tag": "A-3",
            "name": "Pump",
            "site_name": "Dock Yard",
            "current": asset_activity(  # O6
                1, 1, 1, None, 7200.0, spent=costs("13.40", "30.00", "0.00", "43.40")
            ),
            "previous": asset_activity(0, 0, 0, None, None),
            "backlog": NO_BACKLOG,
        },
    ]


async def test_dashboard(client: httpx.AsyncClient, world: World, data: Dataset) -> None:
    body = await report(client, world, "dashboard")
    assert body["open_orders"] == 5
    assert body["current"] == {
        # every order created from 10-19 to 11-01 (O1 O2 O3 O5 O6 O7 O8 O9 O11 O13 O14)
        "created": 11,
        "resolved": 6,
        "mean_response_seconds": 2100.0,
        "mean_resolution_seconds": 38700.0,
        "sla_compliance_percent": 60.0,
        "response_breaches": 1,
        "resolution_breaches": 2,
    }
    assert body["previous"] == {
        "created": 2,
        "resolved": 2,
        "mean_response_seconds": 3600.0,
        "mean_resolution_seconds": 16200.0,
        "sla_compliance_percent": 0.0,
        "response_breaches": 1,
        "resolution_breaches": 0,
    }
    charts = body["charts"]
    assert charts["backlog_by_status"] == {
        "title": "Open orders by status",
        "kind": "bar",
        "unit": "orders",
        "labels": [
            "new",
            "assigned",
            "accepted",
            "en_route",
            "on_site",
            "in_progress",
            "suspended",
        ],
        "series": [{"name": "orders", "values": [1.0, 2.0, 0.0, 0.0, 0.0, 1.0, 1.0]}],
    }
    weeks = ["2026-10-19", "2026-10-26"]
    # Week 1 resolved O5 (no SLA), O1 (met), O2 (missed); week 2 O3 (missed), O6, O14.
    assert charts["sla_compliance_by_week"]["labels"] == weeks
    assert charts["sla_compliance_by_week"]["series"][0]["values"] == [50.0, 66.7]
    # Week 1: (12,600 + 14,400 + 90,000) / 3 = 39,000 s; week 2: (99,000 + 7,200 +
    # 9,000) / 3 = 38,400 s; in hours.
    assert charts["resolution_time_by_week"]["labels"] == weeks
    assert charts["resolution_time_by_week"]["series"][0]["values"] == [10.83, 10.67]


async def test_backlog_ages_start_their_bucket(client: httpx.AsyncClient, world: World) -> None:
    # Exactly 1, 3, 7 and 30 days old: each starts the next bucket; a few seconds
    # short of a day is still the first.
    now = world.clock()
    for age in (
        timedelta(days=1) - timedelta(seconds=5),
        *(timedelta(days=d) for d in (1, 3, 7, 30)),
    ):
        await put_order(world, "new", created_at=now - age)
    body = await report(client, world, "departments")
    assert body["items"][0]["backlog"]["by_age"] == {
        "up_to_1_day": 1,
        "days_1_to_3": 1,
        "days_3_to_7": 1,
        "days_7_to_30": 1,
        "over_30_days": 1,
    }
