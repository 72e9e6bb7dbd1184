"""Inspection reports: how completely rounds were walked (per round, site and
inspector), which checkpoints were missed, and how failures trend per asset and
asset type, week by week. Each also as CSV."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any, Literal
from uuid import UUID

import msgspec

from inspection.runs import as_time, read_runs, to_run
from server.accounts.actor import Actor
from server.accounts.tables import Team, User
from server.clock import Clock
from server.database import fetch
from server.errors import Forbidden, Invalid
from server.masterdata.tables import Asset
from server.sql import Sql

CompletionBy = Literal["round", "site", "inspector"]
FailuresBy = Literal["asset", "asset_type"]


class CompletionRow(msgspec.Struct, kw_only=True):
    key: str
    name: str
    runs: int
    checkpoints: int
    done: int
    skipped: int
    missed: int
    completion_percent: float


class MissedCheckpoint(msgspec.Struct, kw_only=True):
    run_id: UUID
    round_name: str
    due_at: datetime
    asset_id: UUID
    asset_name: str
    asset_tag: str


class FailureRow(msgspec.Struct, kw_only=True):
    key: str
    name: str
    week: date
    inspections: int
    failed: int
    failure_percent: float


class CompletionPage(msgspec.Struct):
    items: list[CompletionRow]


class MissedPage(msgspec.Struct):
    items: list[MissedCheckpoint]


class FailurePage(msgspec.Struct):
    items: list[FailureRow]


def to_csv(rows: Iterable[msgspec.Struct], kind: type[msgspec.Struct]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    fields = [f.name for f in msgspec.structs.fields(kind)]
    writer.writerow(fields)
    for row in rows:
        writer.writerow([getattr(row, f) for f in fields])
    return out.getvalue()


class InspectionReports:
    def __init__(self, actor: Actor, clock: Clock) -> None:
        if not actor.can_manage:
            raise Forbidden("reports are for admins and managers")
        self.clock = clock

    def _period(self, since: datetime | None, until: datetime | None) -> tuple[datetime, datetime]:
        until = until or self.clock()
        since = since or until - timedelta(days=30)
        if since >= until:
            raise Invalid("since must be before until", code="invalid_period")
        return since, until

    async def _runs(self, since: datetime, until: datetime) -> list[Any]:
        where = Sql("rr.scheduled_at >= {} AND rr.scheduled_at < {}", since, until)
        now = self.clock()
        return [to_run(row, now) for row in await read_runs(where, " ORDER BY rr.scheduled_at")]

    async def completion(
        self, by: CompletionBy, since: datetime | None, until: datetime | None
    ) -> list[CompletionRow]:
        """Checkpoints done, skipped and missed of the runs scheduled in the period
        (default: the last 30 days); completion counts the done ones."""
        since, until = self._period(since, until)
        runs = await self._runs(since, until)
        sites = await _asset_sites({c.asset_id for run in runs for c in run.checkpoints})
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
        names: dict[str, str] = {}
        for run in runs:
            over = run.missed > 0 or run.status == "missed"
            seen: set[str] = set()
            for checkpoint in run.checkpoints:
                if by == "round":
                    key, name = str(run.round_id), run.round_name
                elif by == "site":
                    key, name = sites.get(checkpoint.asset_id, ("", "unknown"))
                else:
                    key = str(run.assignee_id or run.team_id)
                    name = key
                names[key] = name
                row = counts[key]
                if key not in seen:
                    row[0] += 1
                    seen.add(key)
                row[1] += 1
                row[2] += checkpoint.state == "done"
                row[3] += checkpoint.state == "skipped"
                row[4] += checkpoint.state == "pending" and over
        if by == "inspector":
            names.update(await _people(names))
        return sorted(
            (
                CompletionRow(
                    key=key,
                    name=names[key],
                    runs=row[0],
                    checkpoints=row[1],
                    done=row[2],
                    skipped=row[3],
                    missed=row[4],
                    completion_percent=round(100 * row[2] / row[1], 1) if row[1] else 0.0,
                )
                for key, row in counts.items()
            ),
            key=lambda r: (r.completion_percent, r.name),
        )

    async def missed(
        self, since: datetime | None, until: datetime | None
    ) -> list[MissedCheckpoint]:
        since, until = self._period(since, until)
        runs = [run for run in await self._runs(since, until) if run.missed]
        assets = {
            row["id"]: row
            for row in await Asset.select(Asset.id, Asset.name, Asset.tag).where(
                Asset.id.is_in(list({c.asset_id for r in runs for c in r.checkpoints}) or [None])
            )
        }
        return [
            MissedCheckpoint(
                run_id=run.id,
                round_name=run.round_name,
                due_at=run.due_at,
                asset_id=c.asset_id,
                asset_name=assets.get(c.asset_id, {}).get("name", ""),
                asset_tag=assets.get(c.asset_id, {}).get("tag", ""),
            )
            for run in runs
            for c in run.checkpoints
            if c.state == "pending"
        ]

    async def failures(
        self, by: FailuresBy, since: datetime | None, until: datetime | None
    ) -> list[FailureRow]:
        """Inspections and failed ones per asset (or asset type) and week (Monday)."""
        since, until = self._period(since, until)
        where = Sql("r.at >= {} AND r.at < {}", since, until)
        rows = await fetch(
            Asset._meta.db,
            "SELECT a.id, a.name, a.tag, a.asset_type, r.at, r.passed FROM inspection_result r "
            f"JOIN asset a ON a.id = r.asset WHERE {where.text}",
            where.args,
        )
        counts: dict[tuple[str, date], list[int]] = defaultdict(lambda: [0, 0])
        names: dict[str, str] = {}
        for row in rows:
            at = as_time(row["at"])
            week = at.date() - timedelta(days=at.weekday())
            if by == "asset":
                key, name = str(row["id"]), f"{row['name']} ({row['tag']})"
            else:
                key = name = row["asset_type"]
            names[key] = name
            count = counts[key, week]
            count[0] += 1
            count[1] += not bool(row["passed"])
        return sorted(
            (
                FailureRow(
                    key=key,
                    name=names[key],
                    week=week,
                    inspections=count[0],
                    failed=count[1],
                    failure_percent=round(100 * count[1] / count[0], 1),
                )
                for (key, week), count in counts.items()
            ),
            key=lambda r: (r.name, r.week),
        )


async def _asset_sites(assets: set[UUID]) -> dict[UUID, tuple[str, str]]:
    if not assets:
        return {}
    rows = await Asset.select(Asset.id, Asset.site.id, Asset.site.name).where(
        Asset.id.is_in(list(assets))
    )
    return {row["id"]: (str(row["site.id"]), row["site.name"]) for row in rows}


async def _people(keys: dict[str, str]) -> dict[str, str]:
    ids = [UUID(key) for key in keys if key != "None"]
    if not ids:
        return {}
    users = await User.select(User.id, User.display_name).where(User.id.is_in(ids))
    teams = await Team.select(Team.id, Team.name).where(Team.id.is_in(ids))
    found = {str(row["id"]): row["display_name"] for row in users}
    found.update({str(row["id"]): f"{row['name']} (team)" for row in teams})
    return found
