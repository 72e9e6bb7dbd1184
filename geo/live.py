"""The map's live feed: each committed change of orders or positions becomes
GeoJSON features on the ``changes`` channel (server/live.py), and each browser
connected to ``GET /api/map/events`` receives those in its caller's scope as
server-sent events.

An order's change also re-announces its assignee (their state follows their
current order). An order that is no longer open is announced once more, with its
final status, so maps drop it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Literal
from uuid import UUID

import msgspec
from litestar.channels import ChannelsPlugin
from litestar.response import ServerSentEventMessage

from geo import map as geomap
from server.accounts.actor import Actor
from server.clock import Clock
from server.database import is_sqlite, one_of_ids
from server.errors import DomainError
from server.live import Changed, listener
from server.sql import Sql
from server.workorders.scope import TERM_COLUMNS, Term, row_in_scope, terms
from server.workorders.tables import WorkOrder

HEARTBEAT_SECONDS = 15.0
BACKLOG = 1000  # batches a slow browser may fall behind


class Event(msgspec.Struct):
    kind: Literal["order", "technician"]
    feature: msgspec.Raw
    # The order's scope columns (server/workorders/scope.py), or the worker's department.
    scope: dict[str, UUID | None]
    # A worker's current order's scope columns: its id and number are shown only to
    # those who may see it.
    order_scope: dict[str, UUID | None] | None = None


class Batch(msgspec.Struct):
    events: list[Event]


def announcer(clock: Clock, channel: str) -> Any:
    async def announce(plugin: ChannelsPlugin, changed: Changed) -> None:
        now = clock()
        events = []
        people = set(changed.people)
        if changed.orders:
            for row, feature in await geomap.orders_by_id(sorted(changed.orders), now):
                events.append(
                    Event(
                        "order",
                        msgspec.Raw(msgspec.json.encode(feature)),
                        {column: getattr(row, column) for column in TERM_COLUMNS},
                    )
                )
                if row.assignee is not None:
                    people.add(row.assignee)
        if people:
            sqlite = is_sqlite(WorkOrder._meta.db)
            condition, bound = one_of_ids(sqlite, "u.id", sorted(people))
            for worker, order in await geomap.worker_features(Sql(condition, bound), now, None):
                events.append(
                    Event(
                        "technician",
                        msgspec.Raw(msgspec.json.encode(worker)),
                        {"department": worker.properties.department_id},
                        order,
                    )
                )
        if events:
            await plugin.wait_published(msgspec.json.encode(Batch(events)), channel)

    return announce


def visible(actor: Actor, scope: list[Term] | None, event: Event, department: UUID | None) -> bool:
    """Whether the caller (``scope``: their ``terms``) may see the event."""
    if department is not None and event.scope.get("department") != department:
        return False
    if event.kind == "order":
        return row_in_scope(scope, event.scope)
    return actor.is_admin or event.scope.get("department") in actor.managed_departments


async def stream(
    plugin: ChannelsPlugin,
    channel: str,
    actor: Actor,
    department: UUID | None,
    recheck: Callable[[], Awaitable[Actor]],
) -> AsyncIterator[ServerSentEventMessage]:
    """The caller's share of the feed, with a comment every 15 s so proxies keep the
    connection open and a closed one is noticed. At each of those the caller's login
    is checked again (``recheck``): an expired token or ended session ends the stream
    with an ``expired`` event, and a changed scope applies from then on. A browser
    that falls 1,000 batches behind loses the oldest."""
    scope = terms(actor)
    received: asyncio.Queue[bytes] = asyncio.Queue(maxsize=BACKLOG)

    async def put(message: bytes) -> None:
        if received.full():
            received.get_nowait()
        received.put_nowait(message)

    with listener():
        async with (
            plugin.start_subscription(channel) as subscriber,
            subscriber.run_in_background(put, join=False),
        ):
            yield ServerSentEventMessage(comment="subscribed", data=None)
            while True:
                try:
                    async with asyncio.timeout(HEARTBEAT_SECONDS):
                        message = await received.get()
                except TimeoutError:
                    try:
                        actor = await recheck()
                    except DomainError as exc:
                        yield ServerSentEventMessage(data=exc.code, event="expired")
                        return
                    scope = terms(actor)
                    yield ServerSentEventMessage(comment="heartbeat", data=None)
                    continue
                for event in msgspec.json.decode(message, type=Batch).events:
                    if visible(actor, scope, event, department):
                        yield ServerSentEventMessage(
                            data=_shown(event, scope).decode(), event=event.kind
                        )


def _shown(event: Event, scope: list[Term] | None) -> bytes:
    """The feature as the viewer may see it: a worker's current order out of their
    scope is left out."""
    if event.order_scope is None or row_in_scope(scope, event.order_scope):
        return bytes(event.feature)
    feature = msgspec.json.decode(event.feature)
    feature["properties"].update(current_order_id=None, current_order_number=None)
    return msgspec.json.encode(feature)
