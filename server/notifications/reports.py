"""The summary report e-mails of admins and managers, daily or weekly.

A report falls due at 08:00 in its reader's time zone (notification preferences):
a daily one every day for the day before, a weekly one on Monday for the week
before (Monday to Sunday). An hourly sweep makes the reports that fell due since
its previous run, the latest one per reader: after a stop the server sends what it
missed when it comes back, but not every report since. A report's message key
names its reader and period, so reruns and other processes never make it twice.

The figures are counted in the database over the reader's orders (the
departments a manager manages; every order for an admin) and kept in the
message's params; the words come from texts.py and templates/mail/report.*.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, get_args
from zoneinfo import ZoneInfo

import msgspec

from server.database import execute_many, fetch, insert_sql
from server.ids import new_id
from server.notifications.tables import Message
from server.scheduler.kinds import ON_KEY_TAKEN, JobContext, JobKind, Tick
from server.scheduler.tables import Job
from server.sql import Sql, one_of
from server.types import Priority
from server.workorders.lifecycle import OPEN

NAME = "notifications.report_emails"
EVERY = timedelta(hours=1)
SEND_AT = time(8)
PERIOD_DAYS = {"daily": 1, "weekly": 7}
TOP_SITES = 5

READERS_SQL = (
    "SELECT u.id, u.email, u.language, u.role, p.report, p.timezone FROM app_user u "
    'JOIN notification_preference p ON p."user" = u.id '
    "WHERE u.active = {} AND u.role IN ('admin', 'manager') AND u.email IS NOT NULL "
    "AND u.email <> '' AND p.report IN ('daily', 'weekly')"
)
MANAGED = "t.department IN (SELECT department FROM managed_department WHERE manager = {})"
ORDERS_SQL = (
    "SELECT count(*) FILTER (WHERE t.created_at >= {} AND t.created_at < {}) AS created, "
    "count(*) FILTER (WHERE t.resolved_at >= {} AND t.resolved_at < {}) AS resolved, "
    "count(*) FILTER (WHERE t.created_at >= {} AND t.created_at < {}) AS previous_created, "
    "count(*) FILTER (WHERE t.resolved_at >= {} AND t.resolved_at < {}) AS previous_resolved "
    "FROM work_order t WHERE (t.created_at >= {} AND t.created_at < {} "
    "OR t.resolved_at >= {} AND t.resolved_at < {}) AND "
)
BREACHES_SQL = (
    'SELECT count(DISTINCT b."order") FILTER (WHERE b.breached_at >= {}) AS breached, '
    'count(DISTINCT b."order") FILTER (WHERE b.breached_at < {}) AS previous_breached '
    'FROM sla_breach b JOIN work_order t ON t.id = b."order" '
    "WHERE b.breached_at >= {} AND b.breached_at < {} AND "
)
BACKLOG_SQL = "SELECT t.priority, count(*) AS orders FROM work_order t WHERE "
SITES_SQL = (
    "SELECT s.name, count(*) AS orders FROM work_order t JOIN site s ON s.id = t.site "
    "WHERE t.created_at >= {} AND t.created_at < {} AND "
)


@dataclass(frozen=True)
class Period:
    """``days`` local days from ``first`` in a reader's time zone."""

    first: date
    days: int
    zone: ZoneInfo

    def _at(self, day: date, at: time = time(0)) -> datetime:
        return datetime.combine(day, at, self.zone).astimezone(UTC)

    @property
    def start(self) -> datetime:
        return self._at(self.first)

    @property
    def end(self) -> datetime:
        return self._at(self.first + timedelta(days=self.days))

    @property
    def due_at(self) -> datetime:
        return self._at(self.first + timedelta(days=self.days), SEND_AT)

    @property
    def last(self) -> date:
        return self.first + timedelta(days=self.days - 1)

    def before(self) -> Period:
        return Period(self.first - timedelta(days=self.days), self.days, self.zone)

    def label(self) -> str:
        if self.days == 1:
            return self.first.isoformat()
        return f"{self.first.isoformat()} – {self.last.isoformat()}"


def latest_due(frequency: str, zone: ZoneInfo, now: datetime) -> Period:
    """The latest period of this frequency whose report is due at ``now``."""
    local = now.astimezone(zone)
    due_on = local.date() if local.time() >= SEND_AT else local.date() - timedelta(days=1)
    if frequency == "weekly":
        due_on -= timedelta(days=due_on.weekday())
    days = PERIOD_DAYS[frequency]
    return Period(due_on - timedelta(days=days), days, zone)


async def figures(scope: Sql, period: Period) -> dict[str, Any]:
    """What a report tells about the orders in ``scope`` (a condition on ``t``, the
    work_order table): the period's counts beside the period before, the backlog now
    by priority, and the sites with the most new orders."""
    engine = Message._meta.db
    start, end, before = period.start, period.end, period.before().start
    orders = await fetch(
        engine,
        ORDERS_SQL + scope.text,
        [*(start, end) * 2, *(before, start) * 2, *(before, end) * 2, *scope.args],
    )
    breaches = await fetch(
        engine, BREACHES_SQL + scope.text, [start, start, before, end, *scope.args]
    )
    open_ = one_of("t.status", sorted(OPEN))
    backlog = {
        row["priority"]: row["orders"]
        for row in await fetch(
            engine,
            f"{BACKLOG_SQL}{open_.text} AND {scope.text} GROUP BY t.priority",
            [*open_.args, *scope.args],
        )
    }
    sites = await fetch(
        engine,
        f"{SITES_SQL}{scope.text} GROUP BY s.id, s.name ORDER BY orders DESC, s.name "
        f"LIMIT {TOP_SITES}",
        [start, end, *scope.args],
    )
    return {
        **{name: int(value) for name, value in {**orders[0], **breaches[0]}.items()},
        "backlog": [
            {"priority": priority, "orders": backlog.get(priority, 0)}
            for priority in get_args(Priority)
        ],
        "open": sum(backlog.values()),
        "sites": [{"name": row["name"], "orders": row["orders"]} for row in sites],
    }


def _scope(reader: dict[str, Any]) -> Sql:
    if reader["role"] == "admin":
        return Sql("TRUE")
    return Sql(MANAGED, reader["id"])


async def _previous_run(now: datetime) -> datetime:
    """When this sweep last ran; an hour ago on its first run, so that subscribing
    (or installing) never brings a report that fell due before."""
    # The sweep's jobs are keyed "<name>@<hour>": a range of the unique key's index.
    last = (
        await Job.select(Job.finished_at)
        .where(Job.key > f"{NAME}@", Job.key < f"{NAME}A", Job.state == "done")
        .order_by(Job.key, ascending=False)
        .first()
    )
    return last["finished_at"] if last else now - EVERY


async def make_reports(context: JobContext, ticks: list[Tick]) -> None:
    """Make the reports that fell due since the previous run, one per reader."""
    now = context.clock()
    since = await _previous_run(now)
    engine = Message._meta.db
    rows = []
    for reader in await fetch(engine, READERS_SQL, [True]):
        frequency = reader["report"]
        period = latest_due(frequency, ZoneInfo(reader["timezone"]), now)
        if period.due_at <= since:
            continue
        params = {
            "frequency": frequency,
            "period": period.label(),
            "period_start": period.first.isoformat(),
            "period_end": period.last.isoformat(),
            **await figures(_scope(reader), period),
        }
        rows.append(
            {
                "id": new_id(),
                "channel": "email",
                "target": reader["email"],
                "kind": "report",
                "params": msgspec.json.encode(params).decode(),
                "language": reader["language"],
                "key": f"report:{reader['id']}:{frequency}:{period.first.isoformat()}",
                "next_at": now,
                "created_at": now,
            }
        )
    if rows:
        statement = insert_sql(Message, tuple(rows[0]), ON_KEY_TAKEN)
        await execute_many(engine, statement, [tuple(row.values()) for row in rows])


REPORT_EMAILS = JobKind(name=NAME, payload=Tick, run=make_reports, every=EVERY)
