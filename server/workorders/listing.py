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
)
from server.sql import Sql, one_of
from server.workorders import lifecycle, schemas
from server.workorders.scope import in_scope, scope_terms


def _doc_sql(sqlite: bool) -> str:
    """The stored document of order ``w`` (server/workorders/documents.py) completed
    by what a read adds, as text: the fields are spliced onto its end, which costs
    a fraction of parsing it."""
    if sqlite:
        head = "substr(w.doc, 1, length(w.doc) - 1)"

        def name(column: str) -> str:
            return f"json_quote({column})"
    else:
        head = "left(w.doc, -1)"

        def name(column: str) -> str:
            return f"coalesce(to_json({column})::text, 'null')"

    def mark(column: str) -> str:
        return f"CASE WHEN {column} THEN 'true' ELSE 'false' END"

    added = [
        ("site_name", name("s.name")),
        ("assignee_name", name("u.display_name")),
        ("starred", mark("f.starred")),
        ("important", mark("f.important")),
    ]
    spliced = " || ".join(f"',\"{key}\":' || {value}" for key, value in added)
    # A brace cannot be written in a statement with piccolo's {} placeholders.
    closing = "char(125)" if sqlite else "chr(125)"
    return f"{head} || {spliced} || {closing}"


@functools.cache
def _order_select(sqlite: bool) -> str:
    return f"""
SELECT {_doc_sql(sqlite)} AS doc
FROM work_order w
LEFT JOIN site s ON s.id = w.site
LEFT JOIN app_user u ON u.id = w.assignee
LEFT JOIN order_flag f ON f."order" = w.id AND f."user" = {{}}
"""


def order_select(engine: Engine) -> str:
    """Each order ``w`` as one JSON document in the API's own form: msgspec decodes it
    straight into the answer's Struct, and a list page passes it through untouched."""
    return _order_select(is_sqlite(engine))


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


@functools.cache
def _timeline_sql(sqlite: bool) -> str:
    return f"""
SELECT {json_array_agg_sql(sqlite, "timeline.doc")} AS docs FROM (
  SELECT e.doc FROM timeline_event e WHERE e."order" = {{}} AND e.internal IN ({{}}, {{}})
  ORDER BY e.version
) timeline
"""


def timeline_query(engine: Engine, actor: Actor, order_id: UUID) -> Sql:
    """An order's timeline as one JSON array (see ``page_query`` for why one row),
    without internal notes for a requester."""
    return Sql(_timeline_sql(is_sqlite(engine)), order_id, False, not actor.is_requester)
