"""The hot read path of work orders, as hand-written SQL.

piccolo spends about a millisecond building each joined select, more than the
database spends answering it, so list pages and order details are written out
here once. Scope is still part of every query.

A list page is one statement. The caller's scope (and the ``mine`` view) are ORs
of conditions; a database cannot walk several index ranges in one order, so
each OR branch becomes its own subquery that walks its (column, created_at, id)
index and stops after one page, and the outer query merges the branches. The
cost of a page therefore depends on the page size, not on the table size.
"""

from __future__ import annotations

import functools
from typing import Any
from uuid import UUID

from piccolo.engine.base import Engine

from server.accounts.actor import Actor
from server.database import (
    is_sqlite,
    json_array_agg_sql,
    json_bool_sql,
    json_object_sql,
    json_text_sql,
    json_time_sql,
    padded_sql,
)
from server.sql import Sql, one_of
from server.workorders import lifecycle, schemas
from server.workorders.scope import in_scope, scope_terms

ORDER_FIELDS = [
    ("id", "w.id"),
    ("number", "NUMBER"),
    ("kind", "w.kind"),
    ("title", "w.title"),
    ("description", "w.description"),
    ("priority", "w.priority"),
    ("status", "w.status"),
    ("customer_id", "w.customer"),
    ("requester_id", "w.requester"),
    ("site_id", "w.site"),
    ("site_name", "s.name"),
    ("asset_id", "w.asset"),
    ("service_item_id", "w.service_item"),
    ("department_id", "w.department"),
    ("team_id", "w.team"),
    ("assignee_id", "w.assignee"),
    ("assignee_name", "u.display_name"),
    ("parent_id", "w.parent"),
    ("template_id", "w.template"),
    ("custom_fields", "CUSTOM_FIELDS"),
    ("due_at", "w.due_at"),
    ("first_response_at", "w.first_response_at"),
    ("resolved_at", "w.resolved_at"),
    ("closed_at", "w.closed_at"),
    ("status_reason", "w.status_reason"),
    ("created_by_id", "w.created_by"),
    ("created_at", "w.created_at"),
    ("updated_at", "w.updated_at"),
    ("version", "w.version"),
    ("needs_review", "NEEDS_REVIEW"),
    ("starred", "STARRED"),
    ("important", "IMPORTANT"),
]

TIME_FIELDS = {
    "due_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "created_at",
    "updated_at",
}


@functools.cache
def _order_select(sqlite: bool, columns: str) -> str:
    """Each order as one JSON document built by the database, in the API's own form
    (times as msgspec writes them): msgspec decodes it straight into the answer's
    Struct, and a list page passes it through untouched."""
    special = {
        "NUMBER": "'WO-' || " + padded_sql(sqlite, "w.number", 6),
        "CUSTOM_FIELDS": json_text_sql(sqlite, "w.custom_fields"),
        "STARRED": json_bool_sql(sqlite, "f.starred"),
        "IMPORTANT": json_bool_sql(sqlite, "f.important"),
        "NEEDS_REVIEW": json_bool_sql(sqlite, "w.needs_review"),
    }
    fields = [
        (
            key,
            json_time_sql(sqlite, expression)
            if key in TIME_FIELDS
            else special.get(expression, expression),
        )
        for key, expression in ORDER_FIELDS
    ]
    return f"""
SELECT {columns}{json_object_sql(sqlite, fields)} AS doc
FROM work_order w
LEFT JOIN site s ON s.id = w.site
LEFT JOIN app_user u ON u.id = w.assignee
LEFT JOIN order_flag f ON f."order" = w.id AND f."user" = {{}}
"""


def order_select(engine: Engine, columns: str = "") -> str:
    """The documents of orders ``w``, after ``columns`` (each followed by a comma)."""
    return _order_select(is_sqlite(engine), columns)


SORT_SQL = {
    "created_at": "created_at",
    "updated_at": "updated_at",
    "priority": "priority",
    "number": "number",
}


def _view_terms(actor: Actor, view: str, alias: str) -> list[Sql] | None:
    me = actor.user_id
    if view == "mine":
        return [
            Sql(f"{alias}.assignee = {{}}", me, indexed="assignee"),
            Sql(f"{alias}.requester = {{}}", me),
            Sql(f"{alias}.created_by = {{}}", me, indexed="created_by"),
        ]
    if view in ("starred", "important"):
        return [
            Sql(
                f'{alias}.id IN (SELECT "order" FROM order_flag WHERE "user" = {{}} '
                f"AND {view} = {{}})",
                me,
                True,
            )
        ]
    return None


def _filters(query: schemas.ListQuery, alias: str, text_match: Any) -> Sql:
    condition = Sql()
    if query.view == "unresolved":
        condition &= one_of(f"{alias}.status", sorted(lifecycle.UNRESOLVED))
    elif query.view == "awaiting_response":
        condition &= Sql(f"{alias}.first_response_at IS NULL")
        condition &= one_of(f"{alias}.status", sorted(lifecycle.OPEN))
    for field, values in (
        ("status", query.status),
        ("priority", query.priority),
        ("kind", query.kind),
    ):
        if values:
            condition &= one_of(f"{alias}.{field}", list(dict.fromkeys(values)))
    for field in ("site", "asset", "assignee", "customer", "department", "parent"):
        value = getattr(query, f"{field}_id")
        if value is not None:
            condition &= Sql(f"{alias}.{field} = {{}}", value)
    if query.q and query.q.strip():
        condition &= text_match(alias, query.q.strip())
    for field, bound, operator in (
        ("created_at", query.created_from, ">="),
        ("created_at", query.created_to, "<"),
        ("due_at", query.due_from, ">="),
        ("due_at", query.due_to, "<"),
    ):
        if bound is not None:
            condition &= Sql(f"{alias}.{field} {operator} {{}}", bound)
    return condition


def _after(sort: str, alias: str, value: Any, last_id: UUID) -> Sql:
    column = f"{alias}.{SORT_SQL[sort.lstrip('-')]}"
    operator = "<" if sort.startswith("-") else ">"
    return Sql(
        f"{column} {operator} {{}} OR ({column} = {{}} AND {alias}.id {operator} {{}})",
        value,
        value,
        last_id,
    )


def _order_by(sort: str, alias: str) -> str:
    direction = "DESC" if sort.startswith("-") else "ASC"
    return f"{alias}.{SORT_SQL[sort.lstrip('-')]} {direction}, {alias}.id {direction}"


def statuses(query: schemas.ListQuery) -> list[str] | None:
    """The statuses a page is limited to, if any."""
    wanted: set[str] | None = set(query.status) if query.status else None
    if query.view in ("unresolved", "awaiting_response"):
        wanted = (wanted & lifecycle.OPEN) if wanted is not None else set(lifecycle.OPEN)
    return sorted(wanted) if wanted is not None else None


def _split_by_status(branches: list[Sql], statuses: list[str]) -> list[Sql]:
    """Open orders are a small share of all: walking (column, created_at) and
    filtering by status reads most of the column's history, while one branch per
    status walks (column, status, created_at) and reads only what it returns."""
    split = []
    for branch in branches:
        if branch.indexed is None:
            split.append(branch)
            continue
        for status in statuses:
            term = branch & Sql("b.status = {}", status)
            split.append(Sql(term.text, *term.args, indexed=f"{branch.indexed}:status"))
    return split


def _index_hint(sqlite: bool, branch: Sql, sort: str) -> str:
    """Name the index a branch must walk (SQLite only).

    Without fresh statistics SQLite may prefer the covering (column, status, ...)
    index for an unfiltered branch and sort the column's whole history; naming the
    index keeps the walk in created_at order. PostgreSQL plans from its statistics.
    """
    if not sqlite or branch.indexed is None or sort.lstrip("-") != "created_at":
        return ""
    column, _, by_status = branch.indexed.partition(":")
    if not column:
        name = "work_order_status_created" if by_status else "work_order_created_id"
    else:
        name = (
            f"work_order_{column}_status_created" if by_status else f"work_order_{column}_created"
        )
    return f" INDEXED BY {name}"


def page_query(
    engine: Engine,
    actor: Actor,
    query: schemas.ListQuery,
    text_match: Any,
    after: tuple[Any, UUID] | None,
) -> Sql:
    """One statement for one page (``limit + 1`` rows, to tell whether more follow)."""
    limit = query.limit + 1
    common = _filters(query, "b", text_match)
    if after is not None:
        common &= _after(query.sort, "b", *after)
    view = _view_terms(actor, query.view, "b")
    branches = view or scope_terms(actor, "b") or [Sql(indexed="")]
    if view is not None:
        common &= in_scope(actor, "b")
    wanted = statuses(query)
    if wanted is not None and query.sort.lstrip("-") == "created_at":
        branches = _split_by_status(branches, wanted)
    subqueries: list[str] = []
    args: list[Any] = []
    sqlite = is_sqlite(engine)
    column = SORT_SQL[query.sort.lstrip("-")]
    for branch in branches:
        where = branch & common
        where_sql = f"WHERE {where.text}" if where.text else ""
        hint = _index_hint(sqlite, branch, query.sort)
        subqueries.append(
            f"SELECT * FROM (SELECT b.id, b.{column} FROM work_order b{hint} {where_sql} "
            f"ORDER BY {_order_by(query.sort, 'b')} LIMIT {limit}) AS branch_{len(subqueries)}"
        )
        args += where.args
    # The branches are merged on the index values alone, so that only the page's own
    # orders are fetched and turned into JSON. UNION, not UNION ALL: an order in two
    # branches (my department's order that I created) must take one place on the page.
    merged = f"SELECT b.id FROM ({' UNION '.join(subqueries)}) b ORDER BY {_order_by(query.sort, 'b')} LIMIT {limit}"
    page = order_select(engine) + f"WHERE w.id IN ({merged}) ORDER BY {_order_by(query.sort, 'w')}"
    # The page comes back as one JSON array in one row: each row that a SQLite read
    # hands to Python costs a trip through the GIL, which the event loop holds.
    text = f"SELECT {json_array_agg_sql(is_sqlite(engine), 'page.doc')} AS docs FROM ({page}) page"
    return Sql(text, actor.user_id, *args)


def order_query(engine: Engine, actor: Actor, order_id: UUID, scoped: bool = True) -> Sql:
    where = Sql("w.id = {}", order_id)
    if scoped:
        where &= in_scope(actor, "w")
    return Sql(order_select(engine) + "WHERE " + where.text, actor.user_id, *where.args)


def event_doc_sql(sqlite: bool, extra: tuple[tuple[str, str], ...] = ()) -> str:
    """A timeline event ``e`` (its actor joined as ``a``) as the API's JSON document."""
    return json_object_sql(
        sqlite,
        [
            *extra,
            ("id", "e.id"),
            ("version", "e.version"),
            ("kind", "e.kind"),
            ("actor_id", "e.actor"),
            ("actor_name", "a.display_name"),
            ("at", json_time_sql(sqlite, "e.at")),
            ("device_time", json_time_sql(sqlite, "e.device_time")),
            ("changes", json_text_sql(sqlite, "e.changes")),
            ("note", "e.note"),
        ],
    )


@functools.cache
def _timeline_sql(sqlite: bool) -> str:
    return f"""
SELECT {json_array_agg_sql(sqlite, "timeline.doc")} AS docs FROM (
  SELECT {event_doc_sql(sqlite)} AS doc FROM timeline_event e
  LEFT JOIN app_user a ON a.id = e.actor
  WHERE e."order" = {{}} ORDER BY e.version
) timeline
"""


def timeline_query(engine: Engine, order_id: UUID) -> Sql:
    """An order's timeline as one JSON array (see ``page_query`` for why one row)."""
    return Sql(_timeline_sql(is_sqlite(engine)), order_id)
