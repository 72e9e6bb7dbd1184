"""How SQLite reads a manager's dashboard under a long history's statistics."""

from __future__ import annotations

import httpx
import pytest

from server.reports import dashboard
from server.settings import Settings
from tests.server.reports.dataset import Dataset
from tests.server.reports.test_figures import report
from tests.sqlite_plans import DEMO_100K, plant_statistics, query_plan, record_statements
from tests.world import World


# SQLite's planner only: the engine fixture is given one value, not skipped on the other.
@pytest.mark.parametrize("engine_name", ["sqlite"])
async def test_a_managers_backlog_is_counted_in_their_departments_index(
    client: httpx.AsyncClient,
    world: World,
    data: Dataset,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Through the status index SQLite read every department's open orders (113 ms at
    1,000,000 demo orders), through the manager's departments' covering one 6 ms."""
    plant_statistics(settings.sqlite_path, DEMO_100K)
    statements = record_statements(monkeypatch, dashboard)
    body = await report(client, world, "dashboard", "north_manager")
    assert body["open_orders"] == 4
    [(text, args)] = [(text, args) for text, args in statements if "GROUP BY w.status" in text]
    plan = query_plan(settings.sqlite_path, text, args)
    assert any(
        "COVERING INDEX work_order_department_status_created (department=? AND status=?)" in step
        for step in plan
    ), plan
