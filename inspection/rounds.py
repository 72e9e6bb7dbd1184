"""Patrol rounds (巡检): defining them, and the runs their schedule makes.

A round runs once at ``starts_at`` or on an RRULE in its time zone (as recurring
plans do, server/plans/recurrence.py); each occurrence is a run that must be walked
within ``window_minutes``. An hourly job makes the runs of the next day (and
``POST /api/rounds`` makes them at once), and marks those whose window closed with
checkpoints still pending as missed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import msgspec

from inspection import schemas
from inspection.runs import read_runs, to_run
from inspection.scope import round_terms
from inspection.tables import Round, RoundRun
from server.accounts.actor import Actor
from server.accounts.system import SYSTEM
from server.accounts.tables import Department, Team, User
from server.clock import Clock
from server.database import execute_many, fetch, insert_sql, json_column, write_transaction
from server.errors import Forbidden, Invalid, NotFound
from server.ids import new_id
from server.masterdata.tables import Asset
from server.notifications.service import notify
from server.plans.recurrence import parse, upcoming, zone
from server.references import require_reference
from server.scheduler.kinds import JobContext, JobKind, Tick
from server.sql import Sql
from server.workorders.changes import next_sync_seq
from server.workorders.lifecycle import FIELD_ROLES
from server.workorders.unit import OrderUnit

HORIZON = timedelta(days=1)
RUN_INSERT = 'ON CONFLICT ("key") DO NOTHING'


def occurrences(row: dict[str, Any], start: datetime, end: datetime) -> list[datetime]:
    """When the round is due to start in [start, end)."""
    first = row["starts_at"]
    if not row["rrule"]:
        return [first] if start <= first < end else []
    rule = parse(row["rrule"], first, zone(row["timezone"]))
    return [at for at in upcoming(rule, start, 1000, inclusive=True) if at < end]


async def make_runs(rounds: list[dict[str, Any]], now: datetime) -> int:
    """The runs of these rounds whose window is still open and that start within the
    horizon; each once, however often asked. Whoever walks a new run is told."""
    rows = []
    for row in rounds:
        window = timedelta(minutes=row["window_minutes"])
        checkpoints = [
            {
                "asset_id": str(asset),
                "state": "pending",
                "result_id": None,
                "reason": "",
                "at": None,
            }
            for asset in json_column(row["checkpoints"])
        ]
        for at in occurrences(row, now - window, now + HORIZON):
            rows.append(
                {
                    "id": new_id(),
                    # In UTC: the same occurrence read back from either engine is one key.
                    "key": f"{row['id']}@{at.astimezone(UTC).isoformat()}",
                    "round": row["id"],
                    "assignee": row["assignee"],
                    "team": row["team"],
                    "scheduled_at": at,
                    "due_at": at + window,
                    "status": "scheduled",
                    "checkpoints": msgspec.json.encode(checkpoints).decode(),
                    "started_at": None,
                    "finished_at": None,
                    "version": 1,
                    "sync_seq": await next_sync_seq(),
                    "name": row["name"],
                }
            )
    if rows:
        made = {
            found["key"]
            for found in await RoundRun.select(RoundRun.key).where(
                RoundRun.key.is_in([r["key"] for r in rows])
            )
        }
        rows = [r for r in rows if r["key"] not in made]
    if not rows:
        return 0
    names = [r.pop("name") for r in rows]
    engine = RoundRun._meta.db
    await execute_many(
        engine, insert_sql(RoundRun, tuple(rows[0]), RUN_INSERT), [tuple(r.values()) for r in rows]
    )
    unit = OrderUnit(SYSTEM, lambda: now)
    for row, name in zip(rows, names, strict=True):
        people = [row["assignee"]] if row["assignee"] else await _members(row["team"])
        notify(
            unit,
            people,
            "round_due",
            None,
            round=name,
            due_at=row["due_at"].isoformat(),
            run_id=str(row["id"]),
        )
    await unit.flush()
    return len(rows)


async def _members(team: UUID | None) -> list[UUID]:
    rows = await User.select(User.id).where(
        User.team == team,
        User.active == True,  # noqa: E712
        User.role.is_in(sorted(FIELD_ROLES)),
    )
    return [row["id"] for row in rows]


async def sweep(context: JobContext, ticks: list[Tick]) -> None:
    """Make the coming day's runs; mark runs whose window closed as missed."""
    now = context.clock()
    await make_runs(await Round.select().where(Round.active == True), now)  # noqa: E712
    await RoundRun.update(
        {
            RoundRun.status: "missed",
            RoundRun.version: RoundRun.version + 1,
            RoundRun.sync_seq: await next_sync_seq(),
        }
    ).where(RoundRun.status.is_in(["scheduled", "in_progress"]), RoundRun.due_at <= now)


ROUND_SWEEP = JobKind(name="inspection.rounds", payload=Tick, run=sweep, every=timedelta(hours=1))


def to_round(row: dict[str, Any]) -> schemas.Round:
    return msgspec.convert(
        {
            **row,
            "department_id": row["department"],
            "assignee_id": row["assignee"],
            "team_id": row["team"],
            "checkpoints": json_column(row["checkpoints"]),
        },
        schemas.Round,
        strict=False,
    )


class RoundService:
    def __init__(self, actor: Actor, clock: Clock) -> None:
        self.actor = actor
        self.clock = clock

    async def create(self, data: schemas.RoundCreate) -> schemas.Round:
        """A round and its runs of the coming day (admins and managers)."""
        if not self.actor.can_manage:
            raise Forbidden("only admins and managers plan rounds")
        if (data.assignee_id is None) == (data.team_id is None):
            raise Invalid("give an assignee or a team, not both", code="validation_error")
        if len(set(data.checkpoints)) != len(data.checkpoints):
            raise Invalid("a checkpoint is listed twice", code="validation_error")
        await require_reference(Department, data.department_id, "department_id", "department")
        await require_reference(Team, data.team_id, "team_id", "team")
        if data.assignee_id is not None:
            person = await User.select(User.role).where(User.id == data.assignee_id).first()
            if person is None or person["role"] not in FIELD_ROLES:
                raise Invalid(
                    "the assignee must be a field worker",
                    {"assignee_id": str(data.assignee_id)},
                    code="unknown_reference",
                )
        found = {
            row["id"]
            for row in await Asset.select(Asset.id).where(Asset.id.is_in(data.checkpoints))
        }
        missing = [str(a) for a in data.checkpoints if a not in found]
        if missing:
            raise Invalid(
                "unknown checkpoint assets", {"checkpoints": missing}, code="unknown_reference"
            )
        tz = zone(data.timezone)
        if data.rrule:
            parse(data.rrule, data.starts_at, tz)
        row: dict[str, Any] = {
            "id": new_id(),
            "name": data.name,
            "department": data.department_id,
            "assignee": data.assignee_id,
            "team": data.team_id,
            "checkpoints": msgspec.json.encode([str(a) for a in data.checkpoints]).decode(),
            "rrule": data.rrule,
            "timezone": data.timezone,
            "starts_at": data.starts_at,
            "window_minutes": data.window_minutes,
            "active": True,
            "created_at": self.clock(),
        }
        async with write_transaction(Round._meta.db):
            row["sync_seq"] = await next_sync_seq()
            await Round.insert(Round(**row))
            await make_runs([row], self.clock())
        return await self.get(row["id"])

    async def get(self, round_id: UUID) -> schemas.Round:
        row = await Round.select().where(Round.id == round_id).first()
        if row is None or not (self.actor.can_manage or await self._mine(round_id)):
            raise NotFound("no such round", {"id": str(round_id)})
        return to_round(row)

    async def _mine(self, round_id: UUID) -> bool:
        where = Sql("r.id = {}", round_id) & round_terms(self.actor)
        return bool(await read_rounds(where))

    async def rounds(self) -> list[schemas.Round]:
        where = Sql("r.active = {}", True)
        if not self.actor.can_manage:
            where = where & round_terms(self.actor)
        return [to_round(row) for row in await read_rounds(where)]

    async def stop(self, round_id: UUID) -> None:
        """No more runs; the runs made already stay."""
        if not self.actor.can_manage:
            raise Forbidden("only admins and managers plan rounds")
        async with write_transaction(Round._meta.db):
            updated = (
                await Round.update({Round.active: False, Round.sync_seq: await next_sync_seq()})
                .where(Round.id == round_id)
                .returning(Round.id)
            )
        if not updated:
            raise NotFound("no such round", {"id": str(round_id)})

    async def runs(self, open_only: bool, limit: int) -> list[schemas.RoundRun]:
        """The caller's runs (their own or their team's; every run for managers),
        soonest first."""
        where = Sql("1 = 1") if self.actor.can_manage else round_terms(self.actor, "rr")
        if open_only:
            where = where & Sql("rr.status IN ('scheduled', 'in_progress')")
        rows = await read_runs(where, f" ORDER BY rr.scheduled_at LIMIT {int(limit)}")
        now = self.clock()
        return [to_run(row, now) for row in rows]

    async def run(self, run_id: UUID) -> schemas.RoundRun:
        rows = await read_runs(Sql("rr.id = {}", run_id))
        if not rows or not (
            self.actor.can_manage
            or rows[0]["assignee"] == self.actor.user_id
            or (self.actor.team_id is not None and rows[0]["team"] == self.actor.team_id)
        ):
            raise NotFound("no such round run among yours", {"id": str(run_id)})
        return to_run(rows[0], self.clock())


async def read_rounds(where: Sql) -> list[dict[str, Any]]:
    return await fetch(
        Round._meta.db, f'SELECT r.* FROM "round" r WHERE {where.text} ORDER BY r.name', where.args
    )
