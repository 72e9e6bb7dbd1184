"""SQLite's plan for a statement the server built, under statistics a test plants: the
planner's choices follow ``sqlite_stat1``, and a fresh test database has none."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from types import ModuleType
from typing import Any
from uuid import UUID

import pytest

# The work_order indexes' statistics of the demo at 100,000 orders (ANALYZE).
DEMO_100K = [
    ("work_order_status_created", "100000 10000 1 1 1 1"),
    ("work_order_department_status_created", "100000 25000 2500 1 1 1 1"),
    ("work_order_created_by_status_created", "100000 7143 715 1 1 1 1"),
    ("work_order_department_created", "100000 25000 1 1"),
    ("work_order_created_by_created", "100000 7143 1 1"),
    ("work_order_department_sync", "100000 25000 25000 1"),
    ("work_order_created_by_sync", "100000 7143 7143 1"),
    ("work_order_priority", "100000 20000"),
    ("work_order_site", "100000 2000"),
    ("work_order_site_status_priority", "100000 2000 203 52 1"),
    ("sqlite_autoindex_work_order_1", "100000 1"),
]


def plant_statistics(path: str, work_order: list[tuple[str, str]]) -> None:
    """Replace the work_order rows of ``sqlite_stat1`` with ``work_order`` (index, stat)."""
    with closing(sqlite3.connect(path)) as db:
        db.execute("ANALYZE")
        db.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'work_order'")
        db.executemany("INSERT INTO sqlite_stat1 VALUES ('work_order', ?, ?)", work_order)
        db.commit()


def query_plan(path: str, text: str, args: list[Any]) -> list[str]:
    """The steps of ``EXPLAIN QUERY PLAN`` for a ``{}``-placeholder statement, on a new
    connection (one opened before the statistics changed keeps the old ones)."""
    with closing(sqlite3.connect(path)) as db:
        rows = db.execute(
            "EXPLAIN QUERY PLAN " + text.replace("{}", "?"),
            [str(arg) if isinstance(arg, UUID) else arg for arg in args],
        ).fetchall()
    return [row[3] for row in rows]


def record_statements(
    monkeypatch: pytest.MonkeyPatch, module: ModuleType
) -> list[tuple[str, list[Any]]]:
    """The statements ``module`` sends through its ``fetch`` from now on, with their
    arguments, in order."""
    statements: list[tuple[str, list[Any]]] = []
    fetch = module.fetch

    async def recorded(engine: Any, text: str, args: list[Any]) -> list[dict[str, Any]]:
        statements.append((text, args))
        return await fetch(engine, text, args)

    monkeypatch.setattr(module, "fetch", recorded)
    return statements
