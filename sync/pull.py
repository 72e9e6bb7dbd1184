"""Pull: the changes in the caller's scope after a cursor, a page at a time.

Orders are read in (sync_seq, id) order, each scope branch walking its own
(column, sync_seq, id) index, so an incremental pull reads only what changed after
its cursor whatever the size of the table. Sequence values become visible in
order (see server/workorders/changes.py), so a cursor never skips a change that
commits later. Orders go out whole with their timelines, beside the master data
they name; orders that left the caller's scope go out as tombstones.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
from typing import Annotated, Any
from uuid import UUID

import msgspec
from msgspec import Meta

from server.accounts.actor import Actor
from server.clock import Clock
from server.database import fetch, is_sqlite, json_array_agg_sql, one_of_ids
from server.errors import Conflict, Forbidden, Invalid
from server.sql import Sql
from server.workorders.attachments import attachments_of
from server.workorders.listing import order_select
from server.workorders.scope import in_scope, scope_terms
from server.workorders.tables import Counter, WorkOrder
from sync import schemas
from sync.protocol import check_protocol
from sync.pull_catalogue import catalogue
from sync.tables import SyncClient


class Position(msgspec.Struct, array_like=True):
    seq: Annotated[int, Meta(ge=-1, le=2**63 - 1)]
    id: UUID | None
    scope: str
    # Still paging through a snapshot: tombstones do not matter to it (it drops
    # nothing), so their purge must not send it back to the start.
    snapshot: bool = False


def scope_fingerprint(actor: Actor) -> str:
    """What decides the caller's scope; when it changes, orders enter the scope
    without changing themselves, so the device must take a new snapshot."""
    parts = [actor.role, str(actor.team_id), str(actor.department_id)]
    parts += sorted(str(d) for d in actor.managed_departments)
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def encode_cursor(position: Position) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(position)).decode().rstrip("=")


def decode_cursor(token: str) -> Position:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        return msgspec.json.decode(raw, type=Position)
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise Invalid("the cursor is not valid", code="invalid_cursor") from None


def _after(alias: str, position: Position | None) -> Sql:
    if position is None:
        return Sql()
    if position.id is None:
        return Sql(f"{alias}.sync_seq > {{}}", position.seq)
    return Sql(
        f"({alias}.sync_seq > {{}} OR ({alias}.sync_seq = {{}} AND {alias}.id > {{}}))",
        position.seq,
        position.seq,
        position.id,
    )


def _page_sql(actor: Actor, position: Position | None, horizon: int, limit: int) -> Sql:
    """The ids and sequence values of the next ``limit`` orders."""
    branches = scope_terms(actor, "b") or [Sql()]
    subqueries = []
    args: list[Any] = []
    for index, branch in enumerate(branches):
        where = branch & _after("b", position) & Sql("b.sync_seq <= {}", horizon)
        subqueries.append(
            f"SELECT * FROM (SELECT b.id, b.sync_seq FROM work_order b WHERE {where.text} "
            f"ORDER BY b.sync_seq, b.id LIMIT {limit}) AS branch_{index}"
        )
        args += where.args
    merged = " UNION ".join(subqueries)
    return Sql(
        f"SELECT b.id AS order_id, b.sync_seq AS seq FROM ({merged}) b "
        f"ORDER BY b.sync_seq, b.id LIMIT {limit}",
        *args,
    )


def _orders_sql(actor: Actor, ids: list[Any]) -> Sql:
    """The documents of the page's orders, as one JSON array."""
    engine = WorkOrder._meta.db
    sqlite = is_sqlite(engine)
    condition, bound = one_of_ids(sqlite, "w.id", ids)
    # "+": sorting the page's few orders beats SQLite walking the (sync_seq, id) index
    # for each id, which costs a step per distinct sync_seq and took seconds once
    # its statistics were taken when most orders shared one value (the demo's).
    page = f"{order_select(engine)} WHERE {condition} ORDER BY +w.sync_seq, w.id"
    return Sql(
        f"SELECT {json_array_agg_sql(sqlite, 'page.doc')} AS docs FROM ({page}) page",
        actor.user_id,
        bound,
    )


def _timeline_sql(actor: Actor, ids: list[Any]) -> Sql:
    """The stored documents of the timelines of the page's orders, as one JSON array
    (a requester's without internal notes)."""
    sqlite = is_sqlite(WorkOrder._meta.db)
    condition, bound = one_of_ids(sqlite, 'e."order"', ids)
    docs = json_array_agg_sql(sqlite, "e.doc")
    return Sql(
        f"SELECT {docs} AS docs FROM timeline_event e WHERE {condition} "
        "AND e.internal IN ({}, {})",
        bound,
        False,
        not actor.is_requester,
    )


def _tombstones_sql(actor: Actor, position: Position | None, upto: int) -> Sql | None:
    if actor.is_admin or position is None or position.snapshot:
        # Nothing ever leaves an admin's scope, and a snapshot has nothing to drop.
        return None
    where = in_scope(actor, "t") & Sql("t.seq > {}", position.seq) & Sql("t.seq <= {}", upto)
    now_in_scope = in_scope(actor, "w")
    return Sql(
        'SELECT t."order" AS order_id, max(t.seq) AS seq FROM order_exit t '
        f"WHERE {where.text} AND NOT EXISTS (SELECT 1 FROM work_order w "
        f'WHERE w.id = t."order" AND ({now_in_scope.text})) GROUP BY t."order"',
        *where.args,
        *now_in_scope.args,
    )


async def _rows(sql: Sql) -> list[dict[str, Any]]:
    return await fetch(WorkOrder._meta.db, sql.text, sql.args)


async def _no_rows() -> list[dict[str, Any]]:
    return []


async def _array(sql: Sql | None) -> msgspec.Raw:
    """A JSON array the database built as one value, passed on as it came."""
    if sql is None:
        return msgspec.Raw(b"[]")
    docs = (await _rows(sql))[0]["docs"]
    return msgspec.Raw(docs if isinstance(docs, bytes) else docs.encode())


COUNTERS_SQL = "SELECT name, value FROM counter WHERE name IN ('sync', 'sync_purged')"


class PullService:
    def __init__(self, actor: Actor, clock: Clock) -> None:
        self.actor = actor
        self.clock = clock

    def _position(self, token: str | None, purged: int) -> Position | None:
        if token is None:
            return None
        position = decode_cursor(token)
        if position.scope != scope_fingerprint(self.actor):
            raise Conflict(
                "your access changed since this cursor: take a new snapshot",
                {"reason": "scope_changed"},
                code="resync_required",
            )
        if not position.snapshot and position.seq < purged:
            raise Conflict(
                "this device was away longer than deletions are kept: take a new snapshot",
                {"reason": "tombstones_purged", "purged_through": purged},
                code="resync_required",
            )
        return position

    async def _last_mutation_id(self, client_id: UUID) -> int:
        rows = await fetch(
            SyncClient._meta.db,
            'SELECT "user", last_mutation_id FROM sync_client WHERE id = {}',
            [client_id],
        )
        if not rows:
            return 0
        if str(rows[0]["user"]) != str(self.actor.user_id):
            raise Forbidden(
                "this client id belongs to another user: make a new one after each login",
                code="client_not_yours",
            )
        return int(rows[0]["last_mutation_id"])

    async def pull(self, request: schemas.PullRequest) -> bytes:
        """A PullResponse, written with the database's order documents passed through."""
        check_protocol(request.protocol)
        # Every sequence value up to the counter's committed value is visible (see
        # server/workorders/changes.py); reading no further keeps the orders and the
        # tombstones, read by separate statements, to one consistent prefix.
        counters, last_mutation_id = await asyncio.gather(
            fetch(Counter._meta.db, COUNTERS_SQL, []),
            self._last_mutation_id(request.client_id),
        )
        value = {row["name"]: int(row["value"]) for row in counters}
        horizon = value["sync"]
        position = self._position(request.cursor, value.get("sync_purged", 0))
        page = await _rows(_page_sql(self.actor, position, horizon, request.limit + 1))
        more = len(page) > request.limit
        page = page[: request.limit]
        ids = [row["order_id"] for row in page]
        scope = scope_fingerprint(self.actor)
        if more:
            upto = int(page[-1]["seq"])
            snapshot = position is None or position.snapshot
            next_position = Position(upto, UUID(str(page[-1]["order_id"])), scope, snapshot)
        else:
            upto = horizon
            next_position = Position(horizon, None, scope)
        tombstones_sql = _tombstones_sql(self.actor, position, upto)
        after = position.seq if position is not None else None
        # Everything else is read at once, spread over the readers, for the ids read
        # above: reading by the page's condition again could, after a commit in
        # between, send an order without its timeline.
        orders, timeline, attachments, tombstones, master = await asyncio.gather(
            _array(_orders_sql(self.actor, ids) if ids else None),
            _array(_timeline_sql(self.actor, ids) if ids else None),
            attachments_of(ids),
            _rows(tombstones_sql) if tombstones_sql else _no_rows(),
            catalogue(self.actor, after, upto, ids, self.clock()),
        )
        return msgspec.json.encode(
            {
                **master,
                "protocol": schemas.PROTOCOL_VERSION,
                "orders": orders,
                "timeline": timeline,
                "attachments": attachments,
                "tombstones": [
                    {"order_id": str(t["order_id"]), "seq": int(t["seq"])} for t in tombstones
                ],
                "cursor": encode_cursor(next_position),
                "more": more,
                "last_mutation_id": last_mutation_id,
            }
        )
