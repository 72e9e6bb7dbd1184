"""A private iCalendar feed of each user's scheduled orders, for calendar apps.

Calendar apps cannot log in: the feed's address holds a random token (256 bits)
instead, kept as its SHA-256. Making a new one stops the old address (404), and so
does stopping the feed. Each order assigned to the user with a planned start is an
event: its UID stays the same across changes (the order's id) and its SEQUENCE is
the order's version, so a subscribed calendar updates the event in place.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from uuid import UUID

import msgspec
from icalendar import Calendar, Event, vText

from server.accounts.actor import Actor
from server.clock import Clock
from server.database import fetch, write_transaction
from server.errors import NotFound
from server.ids import new_id
from server.integrations import schemas
from server.integrations.tables import CalendarFeed
from server.settings import Settings
from server.workorders.documents import order_number

# Orders planned to end longer ago than this are left out; at most this many events.
HISTORY = timedelta(days=30)
MAX_EVENTS = 500
# An order planned with a start only is shown as an hour.
DEFAULT_LENGTH = timedelta(hours=1)
FEED_SQL = (
    'SELECT f."user" AS user_id, u.display_name FROM calendar_feed f '
    'JOIN app_user u ON u.id = f."user" WHERE f.token_hash = {} AND u.active = {}'
)
ORDERS_SQL = (
    "SELECT w.id, w.number, w.title, w.priority, w.status, w.planned_start_at, "
    "w.planned_end_at, w.updated_at, w.version, s.name AS site_name, s.address AS site_address "
    "FROM work_order w LEFT JOIN site s ON s.id = w.site "
    "WHERE w.assignee = {} AND w.planned_start_at IS NOT NULL AND w.status <> 'cancelled' "
    "AND coalesce(w.planned_end_at, w.planned_start_at) >= {} "
    f"ORDER BY w.planned_start_at, w.id LIMIT {MAX_EVENTS}"
)


class PlannedOrder(msgspec.Struct):
    id: UUID
    number: int
    title: str
    priority: str
    status: str
    planned_start_at: datetime
    planned_end_at: datetime | None
    updated_at: datetime
    version: int
    site_name: str | None
    site_address: str | None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_url(settings: Settings, token: str) -> str:
    return f"{settings.base_url}/api/calendar/{token}.ics"


class CalendarFeedService:
    def __init__(self, actor: Actor, clock: Clock, settings: Settings) -> None:
        self.actor = actor
        self.clock = clock
        self.settings = settings

    async def issue(self) -> schemas.CalendarFeed:
        """A new private address for the caller's calendar; the previous one stops."""
        token, now = secrets.token_urlsafe(32), self.clock()
        async with write_transaction(CalendarFeed._meta.db):
            await CalendarFeed.delete().where(CalendarFeed.user == self.actor.user_id)
            await CalendarFeed.insert(
                CalendarFeed(
                    id=new_id(), user=self.actor.user_id, token_hash=_hash(token), created_at=now
                )
            )
        return schemas.CalendarFeed(url=feed_url(self.settings, token), created_at=now)

    async def stop(self) -> None:
        deleted = (
            await CalendarFeed.delete()
            .where(CalendarFeed.user == self.actor.user_id)
            .returning(CalendarFeed.id)
        )
        if not deleted:
            raise NotFound("you have no calendar feed")


async def render_feed(token: str, settings: Settings, clock: Clock) -> bytes:
    """The iCalendar text of the feed ``token`` opens; 404 for an unknown or replaced
    token and for a disabled user."""
    engine = CalendarFeed._meta.db
    found = await fetch(engine, FEED_SQL, [_hash(token), True])
    if not found:
        raise NotFound("no such calendar feed")
    owner = found[0]
    rows = await fetch(engine, ORDERS_SQL, [owner["user_id"], clock() - HISTORY])
    calendar = Calendar()
    calendar.add("prodid", "-//FieldOps//Work orders//EN")
    calendar.add("version", "2.0")
    # An X- property is not escaped by icalendar: a name's line breaks must not pass.
    name = " ".join(str(owner["display_name"]).split())
    calendar.add("x-wr-calname", vText(f"FieldOps: {name}"))
    for order in msgspec.convert(rows, list[PlannedOrder], strict=False):
        calendar.add_component(_event(order, settings))
    return calendar.to_ical()


def _event(order: PlannedOrder, settings: Settings) -> Event:
    event = Event()
    event.add("uid", f"{order.id}@fieldops")
    event.add("summary", f"{order_number(order.number)} {order.title}")
    event.add("dtstart", order.planned_start_at)
    event.add("dtend", order.planned_end_at or order.planned_start_at + DEFAULT_LENGTH)
    event.add("dtstamp", order.updated_at)
    event.add("sequence", order.version)
    place = ", ".join(part for part in (order.site_name, order.site_address) if part)
    if place:
        event.add("location", place)
    event.add("url", f"{settings.base_url}/#/orders/{order.id}")
    event.add("description", f"{order.priority} · {order.status}")
    return event
