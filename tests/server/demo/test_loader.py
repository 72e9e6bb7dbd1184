"""The demo data set: complete, consistent with the lifecycle, deterministic, usable."""

from __future__ import annotations

import itertools
from collections import Counter as Tally
from datetime import UTC, datetime
from typing import Any

import httpx
import msgspec
import pytest

from server.accounts.tables import ManagedDepartment, User
from server.demo import writer as demo_writer
from server.demo.loader import (
    DEMO_PASSWORD,
    DatabaseNotEmpty,
    demo_logins,
    load_demo,
    plan_demo,
)
from server.masterdata.tables import Asset, Site
from server.workorders import lifecycle, schemas
from server.workorders.custom_fields import check_definitions, validate
from server.workorders.tables import (
    Comment,
    Counter,
    OrderFlag,
    Template,
    TimelineEvent,
    WorkOrder,
)
from tests.clock import FakeClock

SCALE = 60
ASSIGNED = {
    "assigned",
    "accepted",
    "en_route",
    "on_site",
    "in_progress",
    "suspended",
    "resolved",
    "closed",
}
RESPONDED = ASSIGNED - {"assigned"}


def legal(kind: str, old: str, new: str) -> bool:
    """Whether the work-order service itself could have written this step."""
    if kind == "assigned":
        return old in lifecycle.OPEN and new == "assigned"
    return any(old in rule.sources and rule.target == new for rule in lifecycle.RULES.values())


@pytest.fixture
async def demo(client: httpx.AsyncClient, clock: FakeClock) -> Any:
    return await load_demo(scale=SCALE, seed=7, now=clock())


async def test_counts_match(demo: Any) -> None:
    assert demo.rows["work_order"] == SCALE
    for table in (WorkOrder, TimelineEvent, Comment, OrderFlag, User, Site, Asset, Template):
        assert await table.count() == demo.rows[table._meta.tablename], table
    assert await User.count() == len(demo_logins()) == 36
    roles = Tally(row["role"] for row in await User.select(User.role))
    assert roles == {"admin": 1, "manager": 3, "technician": 20, "inspector": 2, "requester": 10}
    assert await Site.count() == 50
    assert await Asset.count() == 500
    assert await ManagedDepartment.count() >= 3
    tags = [row["tag"] for row in await Asset.select(Asset.tag)]
    assert all(tag.startswith("AST-") and len(tag) == 10 for tag in tags)
    sites = await Site.select(Site.latitude, Site.longitude)
    assert all(30.9 < s["latitude"] < 31.5 and 121.2 < s["longitude"] < 121.8 for s in sites)


async def test_numbers_continue_after_the_demo(
    client: httpx.AsyncClient, demo: Any, settings: Any
) -> None:
    numbers = sorted(row["number"] for row in await WorkOrder.select(WorkOrder.number))
    assert numbers == list(range(1, SCALE + 1))
    counter = await Counter.select(Counter.value).where(Counter.name == "work_order").first()
    assert counter == {"value": SCALE}

    login = await client.post(
        "/api/auth/login", json={"username": "manager1", "password": DEMO_PASSWORD}
    )
    assert login.status_code == 200, login.text
    auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
    site = await Site.select(Site.id).first()
    created = await client.post(
        "/api/work-orders",
        json={
            "kind": "customer_request",
            "title": "After the demo",
            "priority": "P3",
            "site_id": str(site["id"]),
        },
        headers=auth,
    )
    assert created.status_code == 201, created.text
    assert created.json()["number"] == f"WO-{SCALE + 1:06d}"


async def test_timelines_match_the_orders(demo: Any) -> None:
    orders = await WorkOrder.select().output(load_json=True)
    events = await TimelineEvent.select().order_by(TimelineEvent.version).output(load_json=True)
    by_order: dict[Any, list[dict[str, Any]]] = {}
    for event in events:
        by_order.setdefault(event["order"], []).append(event)
    kinds = Tally(order["kind"] for order in orders)
    assert len(kinds) >= 4
    statuses = Tally(order["status"] for order in orders)
    assert statuses["closed"] > 0, statuses
    assert len(statuses) >= 4, statuses
    for order in orders:
        timeline = by_order[order["id"]]
        assert timeline[0]["kind"] == "created"
        assert timeline[0]["changes"] == {"status": [None, "new"]}
        assert [e["version"] for e in timeline] == list(range(1, len(timeline) + 1))
        assert order["version"] == len(timeline)
        assert order["updated_at"] == timeline[-1]["at"]
        assert order["created_at"] == timeline[0]["at"]
        status = "new"
        for before, event in itertools.pairwise(timeline):
            assert event["at"] >= before["at"]
            old, new = event["changes"]["status"]
            assert old == status
            assert legal(event["kind"], old, new), (event["kind"], old, new)
            status = new
            if event["kind"] == "assigned":
                assert event["changes"]["assignee"] == [None, str(order["assignee"])]
                assert event["changes"]["team"] == [None, str(order["team"])]
        assert status == order["status"]

        assigned = order["status"] in ASSIGNED
        assert (order["assignee"] is not None) == (
            assigned or any(e["kind"] == "assigned" for e in timeline)
        )
        if assigned:
            assert order["team"] is not None
        assert (order["first_response_at"] is not None) == (order["status"] in RESPONDED)
        assert (order["resolved_at"] is not None) == (order["status"] in ("resolved", "closed"))
        assert (order["closed_at"] is not None) == (order["status"] == "closed")
        if order["status"] in ("suspended", "cancelled"):
            assert order["status_reason"]
        else:
            assert order["status_reason"] == ""


async def test_custom_fields_fit_their_templates(demo: Any) -> None:
    templates = {
        row["id"]: msgspec.convert(row["fields"], list[schemas.TemplateField])
        for row in await Template.select().output(load_json=True)
    }
    for fields in templates.values():
        check_definitions(fields)
    orders = await WorkOrder.select(
        WorkOrder.template, WorkOrder.custom_fields, WorkOrder.resolved_at
    ).output(load_json=True)
    filled = [order for order in orders if order["custom_fields"]]
    assert filled
    for order in filled:
        assert order["resolved_at"] is not None
        validate(templates[order["template"]], order["custom_fields"])


async def test_batches_split_at_the_parameter_limit(
    client: httpx.AsyncClient, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo_writer, "MAX_PARAMETERS", 100)
    summary = await load_demo(scale=15, seed=3, now=clock())
    assert await WorkOrder.count() == summary.rows["work_order"] == 15
    assert await TimelineEvent.count() == summary.rows["timeline_event"] > 15
    assert await Asset.count() == 500


async def test_refuses_a_database_with_users(demo: Any, clock: FakeClock) -> None:
    with pytest.raises(DatabaseNotEmpty):
        await load_demo(scale=5, now=clock())


async def test_demo_users_log_in(client: httpx.AsyncClient, demo: Any) -> None:
    for username in ("admin", "tech01", "requester10"):
        response = await client.post(
            "/api/auth/login", json={"username": username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 200, (username, response.text)
    auth = {"Authorization": f"Bearer {response.json()['access_token']}"}
    mine = await client.get("/api/work-orders?view=mine&limit=50", headers=auth)
    assert mine.status_code == 200, mine.text
    assert mine.json()["items"], "requester10 has orders"
    detail = await client.get(f"/api/work-orders/{mine.json()['items'][0]['id']}", headers=auth)
    assert detail.status_code == 200, detail.text
    assert detail.json()["timeline"][0]["kind"] == "created"


def snapshot(seed: int) -> list[Any]:
    now = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    batches = plan_demo(scale=SCALE, seed=seed, now=now, password_hash="x", orders_per_batch=25)
    return [(table._meta.tablename, rows) for batch in batches for table, rows in batch]


def test_a_seed_fixes_every_row() -> None:
    first = snapshot(7)
    assert first == snapshot(7)
    assert first != snapshot(8)
    orders = [row for name, rows in first if name == "work_order" for row in rows]
    assert [order["number"] for order in orders] == list(range(1, SCALE + 1))
