"""A unit of work over work orders: read each row once, decide in memory, write together.

Every change to orders runs through a unit inside one write transaction: a REST
request, or a whole sync push of up to a few hundred mutations. The unit reads the
orders it is asked for (many at once when the caller knows them) under their row
locks and keeps them as the current state, so a later operation sees the earlier
ones; writes are collected and ``flush`` sends them as one statement per kind of
row (executemany) and one UPDATE per changed order, however many changes it had.

Operations do all their checks before their first write, so one that raises leaves
the unit as it was; ``checkpoint``/``restore`` serve callers that go on after a
failed operation (a sync push rejects that mutation and applies the next).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

import msgspec
from piccolo.table import Table

from geo import auto_assign
from server import live
from server.accounts.actor import Actor
from server.accounts.system import SYSTEM_ID
from server.clock import Clock
from server.database import (
    execute_many,
    fetch,
    insert_sql,
    is_sqlite,
    one_of_ids,
    row_lock_sql,
    write_transaction,
)
from server.errors import NotFound
from server.ids import new_id
from server.integrations.events import publish
from server.notifications.fanout import fan_out
from server.sla.tracking import track
from server.sql import Sql
from server.workorders.changes import SCOPE_COLUMNS, next_sync_seq
from server.workorders.documents import event_doc, order_doc
from server.workorders.scope import in_scope, row_in_scope, terms
from server.workorders.tables import Counter, OrderExit, TimelineEvent, WorkOrder


class OrderRow(msgspec.Struct):
    """An order's columns as the unit holds them: all but sync_seq and doc, which
    each flush writes."""

    id: UUID
    number: int
    kind: str
    title: str
    description: str
    priority: str
    status: str
    status_reason: str
    customer: UUID | None
    requester: UUID | None
    site: UUID | None
    asset: UUID | None
    service_item: UUID | None
    department: UUID | None
    team: UUID | None
    assignee: UUID | None
    parent: UUID | None
    template: UUID | None
    custom_fields: Any
    due_at: datetime | None
    planned_start_at: datetime | None
    planned_end_at: datetime | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    created_by: UUID | None
    created_at: datetime
    updated_at: datetime
    version: int
    needs_review: bool
    response_due_at: datetime | None
    resolution_due_at: datetime | None
    response_breached_at: datetime | None
    resolution_breached_at: datetime | None
    sla_paused_at: datetime | None
    sla_paused_seconds: int
    alarm_count: int
    resumes_to: str
    urge_count: int
    last_urged_at: datetime | None
    rating: int | None
    rating_comment: str
    rated_at: datetime | None
    location: Any


# What a new order starts with in the columns its creator does not decide.
NEW_ORDER_DEFAULTS: dict[str, Any] = {
    "response_due_at": None,
    "resolution_due_at": None,
    "response_breached_at": None,
    "resolution_breached_at": None,
    "sla_paused_at": None,
    "sla_paused_seconds": 0,
    "alarm_count": 0,
    "resumes_to": "",
    "urge_count": 0,
    "last_urged_at": None,
    "rating": None,
    "rating_comment": "",
    "rated_at": None,
    "location": None,
}
ORDER_COLUMNS = OrderRow.__struct_fields__
JSON_COLUMNS = frozenset(["custom_fields", "location"])
EXIT_COLUMNS = ("seq", "order", *SCOPE_COLUMNS, "requester", "created_by", "at")
# Stands for the transaction's sync sequence value, known only when it flushes.
SEQ: Any = object()


def _plain(sqlite: bool, columns: Iterable[str]) -> str:
    """Columns to select with msgspec turning the values into Python ones.

    On SQLite, ``+column`` is the column's value without its declared type, which
    spares it piccolo's per-value converters: in a sync push they cost more than
    the reads themselves."""
    prefix = "+" if sqlite else ""
    return ", ".join(f'{prefix}"{column}" AS "{column}"' for column in columns)


def _order_update_sql(columns: tuple[str, ...]) -> str:
    assignments = ", ".join(f'"{column}" = {{}}' for column in (*columns, "sync_seq"))
    return f"UPDATE work_order SET {assignments} WHERE id = {{}}"


def _stored(column: str, value: Any) -> Any:
    if column in JSON_COLUMNS and value is not None:
        return msgspec.json.encode(value).decode()
    return value


def _decoded(value: Any) -> Any:
    return msgspec.json.decode(value) if isinstance(value, str | bytes) else value


class Checkpoint(NamedTuple):
    orders: dict[UUID, dict[str, Any]]
    changed: dict[UUID, dict[str, Any]]
    created: int
    stamped: set[UUID]
    rows: int
    keys: set[tuple[str, Any]]
    memo: dict[Any, Any]


class OrderUnit:
    def __init__(self, actor: Actor, clock: Clock) -> None:
        self.actor = actor
        self.clock = clock
        self._scope = terms(actor)
        self.engine = WorkOrder._meta.db
        self._orders: dict[UUID, dict[str, Any]] = {}
        self._absent: set[UUID] = set()
        self._changed: dict[UUID, dict[str, Any]] = {}
        # Changed orders as they were read, for what follows from a change (SLA clocks).
        self._before: dict[UUID, dict[str, Any]] = {}
        self._created: list[UUID] = []
        self._stamped: set[UUID] = set()
        self._rows: list[tuple[str, str, tuple[Any, ...]]] = []  # table, statement, values
        self._statements: dict[str, str] = {}
        self._columns: dict[str, tuple[str, ...]] = {}
        self._keys: set[tuple[str, Any]] = set()
        self._found: dict[tuple[str, Any], dict[str, Any] | None] = {}
        # Read caches of what others wrote; flush forgets those its own writes change.
        self._checked: set[tuple[str, Any]] = set()
        self._existing: set[tuple[str, Any]] = set()
        self._others: dict[UUID, list[tuple[int, Any]]] = {}
        self._others_after: dict[UUID, int] = {}
        # What a feature keeps for the rest of the unit about rows it wrote but has not
        # flushed (the corrective order it opened for an asset, a round run's state).
        self.memo: dict[Any, Any] = {}

    # Reading -------------------------------------------------------------------

    async def load(self, order_ids: Iterable[UUID]) -> None:
        """Read and lock the orders not read yet, all in one query."""
        wanted = {i for i in order_ids if i not in self._orders and i not in self._absent}
        if not wanted:
            return
        sqlite = is_sqlite(self.engine)
        condition, ids = one_of_ids(sqlite, "id", list(wanted))
        text = f"SELECT {_plain(sqlite, ORDER_COLUMNS)} FROM work_order WHERE {condition}"
        rows = await fetch(self.engine, text + row_lock_sql(sqlite), [ids])
        for order in msgspec.convert(rows, list[OrderRow], strict=False):
            row = msgspec.structs.asdict(order)
            row["custom_fields"] = _decoded(row["custom_fields"]) or {}
            row["location"] = _decoded(row["location"])
            self._orders[row["id"]] = row
        self._absent |= wanted - self._orders.keys()

    async def order(self, order_id: UUID, scoped: bool = True) -> dict[str, Any]:
        """An order as this unit's changes left it: 404 if it does not exist or, when
        ``scoped``, is not the caller's to see."""
        await self.load([order_id])
        row = self._orders.get(order_id)
        if row is None or (scoped and not row_in_scope(self._scope, row)):
            raise NotFound("no such work order", {"id": str(order_id)})
        return row

    async def visible(self, order_id: UUID) -> bool:
        await self.load([order_id])
        row = self._orders.get(order_id)
        return row is not None and row_in_scope(self._scope, row)

    async def exists(self, order_id: UUID) -> bool:
        await self.load([order_id])
        return order_id in self._orders

    async def row(self, table: type[Table], key: Any) -> dict[str, Any] | None:
        """A row of another table by primary key, read once per unit."""
        found_key = (table._meta.tablename, key)
        if found_key not in self._found:
            primary = table._meta.primary_key
            self._found[found_key] = await table.select().where(primary == key).first()
        return self._found[found_key]

    async def load_keys(self, table: type[Table], keys: Iterable[UUID]) -> None:
        """Find out at once which of these primary keys of ``table`` exist."""
        name = table._meta.tablename
        wanted = [key for key in set(keys) if (name, key) not in self._checked]
        if not wanted:
            return
        sqlite = is_sqlite(self.engine)
        condition, ids = one_of_ids(sqlite, "id", wanted)
        text = f'SELECT {_plain(sqlite, ["id"])} FROM "{name}" WHERE {condition}'
        self._existing |= {
            (name, UUID(str(row["id"]))) for row in await fetch(self.engine, text, [ids])
        }
        self._checked |= {(name, key) for key in wanted}

    async def taken(self, table: type[Table], key: UUID) -> bool:
        """Whether a row with this primary key exists or is about to."""
        name = table._meta.tablename
        if (name, key) in self._keys:
            return True
        await self.load_keys(table, [key])
        return (name, key) in self._existing

    async def load_others(self, after: dict[UUID, int]) -> None:
        """Read at once what others changed in these orders after these versions."""
        wanted = {
            order_id: version
            for order_id, version in after.items()
            if self._others_after.get(order_id, version + 1) > version
        }
        if not wanted:
            return
        sqlite = is_sqlite(self.engine)
        condition, ids = one_of_ids(sqlite, '"order"', list(wanted))
        rows = await fetch(
            self.engine,
            f"SELECT {_plain(sqlite, ['order', 'version', 'changes'])} FROM timeline_event "
            f"WHERE {condition} AND version > {{}} AND (actor IS NULL OR actor <> {{}})",
            [ids, min(wanted.values()), self.actor.user_id],
        )
        for order_id, version in wanted.items():
            self._others[order_id] = []
            self._others_after[order_id] = version
        for row in rows:
            order_id = UUID(str(row["order"]))
            if row["version"] > wanted[order_id]:
                self._others[order_id].append((int(row["version"]), row["changes"]))

    async def others_changes(self, order_id: UUID, after: int) -> list[Any]:
        """The ``changes`` (as stored) of the order's timeline events after version
        ``after`` that someone other than the caller made. Events this unit has not
        written yet are the caller's own."""
        await self.load_others({order_id: after})
        return [changes for version, changes in self._others[order_id] if version > after]

    async def had(self, order_id: UUID) -> bool:
        """Whether the order was in the caller's scope before a change took it away,
        this unit's changes included."""
        if any(
            table == OrderExit._meta.tablename
            and values[EXIT_COLUMNS.index("order")] == order_id
            and row_in_scope(self._scope, dict(zip(EXIT_COLUMNS, values, strict=True)))
            for table, _, values in self._rows
        ):
            return True
        where = Sql('t."order" = {}', order_id) & in_scope(self.actor, "t")
        rows = await fetch(
            self.engine, f"SELECT 1 AS had FROM order_exit t WHERE {where.text}", where.args
        )
        return bool(rows)

    # Writing -------------------------------------------------------------------

    def create(self, row: dict[str, Any]) -> None:
        """A new order, every column but number and sync_seq given."""
        self._orders[row["id"]] = {**NEW_ORDER_DEFAULTS, **row, "number": None}
        self._absent.discard(row["id"])
        self._created.append(row["id"])

    def change(
        self,
        order_id: UUID,
        values: dict[str, Any],
        kind: str,
        changes: dict[str, Any],
        device_time: datetime | None,
        note: str = "",
        internal: bool = False,
    ) -> int:
        """Record a change of a read order as its next version, with its timeline
        event; a change that moves the order out of some users' scope also keeps the
        scope it had, for their tombstones. Returns the new version."""
        row = self._orders[order_id]
        now = self.clock()
        version = int(row["version"]) + 1
        if any(values.get(column, row[column]) != row[column] for column in SCOPE_COLUMNS):
            scope = {c: row[c] for c in (*SCOPE_COLUMNS, "requester", "created_by")}
            self.insert(OrderExit, {"seq": SEQ, "order": order_id, **scope, "at": now})
        written = {**values, "version": version, "updated_at": now}
        self._orders[order_id] = {**row, **written}
        if order_id not in self._created:
            self._before.setdefault(order_id, row)
            self._changed[order_id] = {**self._changed.get(order_id, {}), **written}
        event = {
            "id": new_id(),
            "order": order_id,
            "version": version,
            "kind": kind,
            "actor": None if self.actor.user_id == SYSTEM_ID else self.actor.user_id,
            "at": now,
            "device_time": device_time,
            "changes": msgspec.json.encode(changes).decode(),
            "note": note,
            "internal": internal,
        }
        event["doc"] = event_doc(event, changes, self.actor.display_name)
        self.insert(TimelineEvent, event)
        return version

    def derive(self, order_id: UUID, values: dict[str, Any]) -> dict[str, Any]:
        """Set columns that follow from the order's other changes (SLA due times), in
        the version those changes made; returns the order as it now is."""
        row = {**self._orders[order_id], **values}
        self._orders[order_id] = row
        if order_id not in self._created and values:
            self._changed[order_id] = {**self._changed.get(order_id, {}), **values}
        return row

    def execute(self, statement: str, values: tuple[Any, ...]) -> None:
        """A statement (``{}`` placeholders) run at flush after the rows inserted
        before it, once per call, batched with the same statement's other calls."""
        self._rows.append((statement, statement, values))

    def touch(self, order_id: UUID) -> None:
        """Move an order in the change feed without a new version (a user's marks)."""
        self._stamped.add(order_id)

    def insert(
        self,
        table: type[Table],
        values: dict[str, Any],
        suffix: str = "",
        suffix_args: tuple[Any, ...] = (),
    ) -> None:
        """A row of any table, written at flush (``suffix``: an ON CONFLICT clause,
        with its own arguments). A table's rows are written in the order given: they
        go out in one statement, so they must all name the same columns and suffix."""
        name = table._meta.tablename
        statement = insert_sql(table, tuple(values), suffix)
        if self._statements.setdefault(name, statement) != statement:
            raise ValueError(f"rows of {name} in one unit must share one statement")
        self._columns[name] = tuple(values)
        self._rows.append((name, statement, (*values.values(), *suffix_args)))
        if "id" in values:
            self._keys.add((name, values["id"]))

    def pending(self, table: type[Table]) -> list[dict[str, Any]]:
        """The rows of ``table`` this unit will write at its next flush."""
        name = table._meta.tablename
        columns = self._columns.get(name, ())
        return [
            dict(zip(columns, values[: len(columns)], strict=True))
            for written, _, values in self._rows
            if written == name
        ]

    def checkpoint(self) -> Checkpoint:
        # Rows of _orders and _changed (and memo's values) are replaced, never changed
        # in place: copying the mappings is enough. Lists only grow until a flush empties them.
        return Checkpoint(
            dict(self._orders),
            dict(self._changed),
            len(self._created),
            set(self._stamped),
            len(self._rows),
            set(self._keys),
            dict(self.memo),
        )

    def restore(self, checkpoint: Checkpoint) -> None:
        """Forget the changes made after ``checkpoint`` (taken since the last flush)."""
        self._orders = dict(checkpoint.orders)
        self._changed = dict(checkpoint.changed)
        del self._created[checkpoint.created :]
        self._stamped = set(checkpoint.stamped)
        del self._rows[checkpoint.rows :]
        self._keys = set(checkpoint.keys)
        self.memo = dict(checkpoint.memo)

    async def flush(self) -> None:
        """Write what the unit holds, all stamped with the transaction's sequence value."""
        if not (self._created or self._changed or self._stamped or self._rows):
            return
        touched: list[tuple[dict[str, Any] | None, dict[str, Any]]] = [
            (None, self._orders[i]) for i in self._created
        ] + [(self._before[i], self._orders[i]) for i in self._changed]
        await track(self, touched)
        await auto_assign.schedule(self, touched)
        await fan_out(self)
        live.changed(orders=[*self._created, *self._changed])
        seq = await next_sync_seq()
        if self._created:
            await self._insert_orders(seq)
        # Webhook deliveries carry the orders' documents: new orders have numbers now.
        await publish(self)
        by_columns: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
        for order_id, changed in self._changed.items():
            values = {**changed, "doc": order_doc(self._orders[order_id])}
            columns = tuple(sorted(values))
            by_columns.setdefault(columns, []).append(
                (*(_stored(c, values[c]) for c in columns), seq, order_id)
            )
        for columns, rows in by_columns.items():
            await execute_many(self.engine, _order_update_sql(columns), rows)
        stamped = self._stamped - self._changed.keys() - set(self._created)
        if stamped:
            await execute_many(self.engine, _order_update_sql(()), [(seq, i) for i in stamped])
        statements: dict[str, list[tuple[Any, ...]]] = {}
        for _, sql, row in self._rows:
            statements.setdefault(sql, []).append(
                tuple(seq if value is SEQ else value for value in row)
            )
        for sql, rows in statements.items():
            await execute_many(self.engine, sql, rows)
        self._created, self._changed, self._stamped, self._rows = [], {}, set(), []
        self._before = {}
        self._keys, self._checked, self._existing = set(), set(), set()

    async def _insert_orders(self, seq: int) -> None:
        counted = (
            await Counter.update({Counter.value: Counter.value + len(self._created)})
            .where(Counter.name == "work_order")
            .returning(Counter.value)
        )
        first = int(counted[0]["value"]) - len(self._created) + 1
        columns = (*ORDER_COLUMNS, "doc", "sync_seq")
        rows = []
        for number, order_id in enumerate(self._created, start=first):
            row = {**self._orders[order_id], "number": number}
            self._orders[order_id] = row
            rows.append((*(_stored(c, row[c]) for c in ORDER_COLUMNS), order_doc(row), seq))
        await execute_many(self.engine, insert_sql(WorkOrder, columns, ""), rows)


@asynccontextmanager
async def unit_of_work(actor: Actor, clock: Clock) -> AsyncIterator[OrderUnit]:
    """A unit in its own write transaction, flushed before it commits."""
    async with write_transaction(WorkOrder._meta.db):
        unit = OrderUnit(actor, clock)
        yield unit
        await unit.flush()
