"""Where field workers are: the last known position, and the location pings a
phone reports while its user is on duty.

Pings arrive in batches through sync, often hours late, so each keeps its device
time. Only fixes from inside the user's latest on-duty period are kept: outside
it the company has no business knowing where someone is. Pings and last known
positions older than the retention period are deleted by an hourly job.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from geo import schemas
from geo.tables import Duty, LocationPing, Position
from server import live
from server.errors import Conflict, Forbidden
from server.ids import new_id
from server.scheduler.kinds import JobContext, JobKind, Tick
from server.workorders.unit import OrderUnit

MAX_AHEAD = timedelta(hours=24)
POSITION_UPSERT = (
    'ON CONFLICT ("user") DO UPDATE SET latitude = excluded.latitude, '
    "longitude = excluded.longitude, accuracy_m = excluded.accuracy_m, at = excluded.at, "
    "source = excluded.source WHERE excluded.at > position.at"
)


def remember(unit: OrderUnit, user_id: UUID, fix: dict[str, Any], source: str) -> None:
    """Make a fix the user's last known position, unless a newer one is known (an
    offline fix arriving late never replaces a fresher one). A fix dated ahead of
    the server counts as taken now, so it cannot shadow the real ones to come."""
    live.changed(people=[user_id])
    unit.insert(
        Position,
        {
            "id": new_id(),
            "user": user_id,
            "latitude": fix["latitude"],
            "longitude": fix["longitude"],
            "accuracy_m": fix["accuracy_m"],
            "at": min(fix["at"], unit.clock()),
            "source": source,
        },
        POSITION_UPSERT,
    )


async def report(unit: OrderUnit, fixes: list[schemas.Fix]) -> schemas.PingResult:
    """Keep the caller's on-duty fixes; refuse the batch when none is on duty."""
    if not unit.actor.is_field_worker:
        raise Forbidden("only field staff report their position")
    duty = (
        await Duty.select(Duty.started_at, Duty.ended_at)
        .where(Duty.user == unit.actor.user_id)
        .first()
    )
    received = unit.clock()
    kept = []
    for fix in fixes:
        # A clock far ahead would make the fix the last known position for a day.
        at = received if fix.at > received + MAX_AHEAD else fix.at
        if _on_duty(duty, at):
            kept.append(
                {
                    "id": new_id(),
                    "user": unit.actor.user_id,
                    "latitude": fix.latitude,
                    "longitude": fix.longitude,
                    "accuracy_m": fix.accuracy_m,
                    "at": at,
                    "received_at": received,
                }
            )
    if not kept:
        raise Conflict(
            "positions are kept only while on duty: no fix falls in your on-duty period",
            {"fixes": len(fixes)},
            code="off_duty",
        )
    for row in kept:
        unit.insert(LocationPing, row)
    remember(unit, unit.actor.user_id, max(kept, key=lambda row: row["at"]), "ping")
    return schemas.PingResult(kept=len(kept), discarded=len(fixes) - len(kept))


def _on_duty(duty: dict[str, Any] | None, at: datetime) -> bool:
    if duty is None or duty["started_at"] is None or at < duty["started_at"]:
        return False
    return duty["ended_at"] is None or at <= duty["ended_at"]


async def forget(context: JobContext, ticks: list[Tick]) -> None:
    """Delete pings and last known positions older than the retention period."""
    cutoff = context.clock() - timedelta(days=context.settings.position_retention_days)
    await LocationPing.delete().where(LocationPing.at < cutoff)
    await Position.delete().where(Position.at < cutoff)


FORGET_POSITIONS = JobKind(
    name="geo.forget_positions", payload=Tick, run=forget, every=timedelta(hours=1)
)
