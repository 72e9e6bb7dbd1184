"""Round runs: each walk of a round, its checkpoints ticked off by inspection
results or skipped with a reason, its progress, and what was missed.

A result that syncs late still counts when it was made (device time) before the
run's window closed, even if the run was marked missed meanwhile: the walk
happened, only the phone had no signal. Several results and skips of one run in
one unit of work each see the ones before them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from inspection import schemas
from inspection.tables import RoundRun
from server.database import fetch, is_sqlite, json_column
from server.errors import Conflict, Invalid, NotFound
from server.sql import Sql
from server.workorders.unit import SEQ, OrderUnit

UPDATE_SQL = (
    "UPDATE round_run SET checkpoints = {}, status = {}, started_at = {}, finished_at = {}, "
    "version = {}, sync_seq = {} WHERE id = {}"
)
RUN_COLUMNS = (
    "rr.id, rr.round, rr.assignee, rr.team, rr.scheduled_at, rr.due_at, rr.status, "
    "rr.checkpoints, rr.started_at, rr.finished_at, rr.version, r.name AS round_name, "
    "r.department"
)


async def read_runs(where: Sql, tail: str = "", lock: bool = False) -> list[dict[str, Any]]:
    """Runs with their round's name and department; ``lock``: inside a write, hold the
    runs' rows until it commits (SQLite's write lock holds the whole database)."""
    if lock and not is_sqlite(RoundRun._meta.db):
        tail += " FOR UPDATE OF rr"
    rows = await fetch(
        RoundRun._meta.db,
        f'SELECT {RUN_COLUMNS} FROM round_run rr JOIN "round" r ON r.id = rr.round '
        f"WHERE {where.text}{tail}",
        where.args,
    )
    for row in rows:
        row["checkpoints"] = json_column(row["checkpoints"])
        for column in ("id", "round", "assignee", "team", "department"):
            if row[column] is not None:
                row[column] = UUID(str(row[column]))
        for column in ("scheduled_at", "due_at", "started_at", "finished_at"):
            if row[column] is not None:
                row[column] = as_time(row[column])
    return rows


def is_mine(unit: OrderUnit, run: dict[str, Any]) -> bool:
    actor = unit.actor
    return (
        actor.can_manage
        or run["assignee"] == actor.user_id
        or (actor.team_id is not None and run["team"] == actor.team_id)
    )


async def run_of(unit: OrderUnit, run_id: UUID) -> dict[str, Any]:
    """The run as this unit has it (with its earlier changes), if it is the caller's."""
    key = "run", run_id
    if key not in unit.memo:
        # Locked: two people ticking one run at once each see the other's tick.
        found = await read_runs(Sql("rr.id = {}", run_id), lock=True)
        unit.memo[key] = found[0] if found else None
    run = unit.memo[key]
    if run is None or not is_mine(unit, run):
        raise NotFound("no such round run among yours", {"run_id": str(run_id)})
    return dict(run)


def _checkpoint(run: dict[str, Any], asset_id: UUID) -> dict[str, Any]:
    for checkpoint in run["checkpoints"]:
        if UUID(str(checkpoint["asset_id"])) == asset_id:
            return dict(checkpoint)
    raise Invalid(
        "the asset is not a checkpoint of this run",
        {"asset_id": str(asset_id), "run_id": str(run["id"])},
        code="not_a_checkpoint",
    )


async def check(unit: OrderUnit, run_id: UUID, asset_id: UUID) -> dict[str, Any]:
    """The run a result is for; Invalid when the asset is none of its checkpoints."""
    run = await run_of(unit, run_id)
    _checkpoint(run, asset_id)
    return run


def done(
    unit: OrderUnit, run: dict[str, Any], asset_id: UUID, result_id: UUID, at: datetime
) -> None:
    """Tick off the asset's checkpoint with its result, unless it was ticked off or
    skipped already (a second result is kept, the first one counts) or the result
    was made after the run's window closed."""
    current = unit.memo[("run", run["id"])]
    checkpoint = _checkpoint(current, asset_id)
    if checkpoint["state"] != "pending" or at > current["due_at"]:
        return
    _save(unit, current, asset_id, {"state": "done", "result_id": str(result_id), "at": at})


async def skip(unit: OrderUnit, run_id: UUID, data: schemas.SkipCheckpoint, at: datetime) -> None:
    run = await run_of(unit, run_id)
    checkpoint = _checkpoint(run, data.asset_id)
    if checkpoint["state"] != "pending":
        raise Conflict(
            f"the checkpoint is {checkpoint['state']} already",
            {"asset_id": str(data.asset_id), "state": checkpoint["state"]},
            code="checkpoint_closed",
        )
    _save(unit, run, data.asset_id, {"state": "skipped", "reason": data.reason, "at": at})


def _save(unit: OrderUnit, run: dict[str, Any], asset_id: UUID, change: dict[str, Any]) -> None:
    checkpoints = [
        {**c, **change} if UUID(str(c["asset_id"])) == asset_id else c for c in run["checkpoints"]
    ]
    times = [as_time(c["at"]) for c in checkpoints if c.get("at")]
    closed = all(c["state"] != "pending" for c in checkpoints)
    status = "done" if closed else "in_progress" if run["status"] != "missed" else "missed"
    updated = {
        **run,
        "checkpoints": checkpoints,
        "status": status,
        "started_at": min(times) if times else None,
        "finished_at": max(times) if closed and times else None,
        "version": run["version"] + 1,
    }
    unit.memo[("run", run["id"])] = updated
    encoded = msgspec.json.encode(checkpoints).decode()
    unit.execute(
        UPDATE_SQL,
        (
            encoded,
            status,
            updated["started_at"],
            updated["finished_at"],
            updated["version"],
            SEQ,
            run["id"],
        ),
    )


def as_time(value: Any) -> datetime:
    """A time as read: text from SQLite or JSON, a datetime from PostgreSQL."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def to_run(row: dict[str, Any], now: datetime) -> schemas.RoundRun:
    checkpoints = msgspec.convert(row["checkpoints"], list[schemas.RunCheckpoint], strict=False)
    closed = sum(c.state != "pending" for c in checkpoints)
    over = row["status"] == "missed" or row["due_at"] <= now
    return schemas.RoundRun(
        id=row["id"],
        round_id=row["round"],
        round_name=row["round_name"],
        assignee_id=row["assignee"],
        team_id=row["team"],
        scheduled_at=row["scheduled_at"],
        due_at=row["due_at"],
        status=row["status"],
        checkpoints=checkpoints,
        progress_percent=round(100 * closed / len(checkpoints)) if checkpoints else 100,
        missed=len(checkpoints) - closed if over else 0,
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        version=row["version"],
    )
