"""Recurring plans: kept by admins and managers, their occurrences opened by the
scheduler (server/plans/occurrences.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec

from server.accounts.actor import Actor
from server.accounts.tables import Department, Team, User
from server.clock import Clock
from server.database import json_column, write_transaction
from server.errors import Forbidden, Invalid, NotFound
from server.ids import new_id
from server.masterdata.tables import Asset, Customer, ServiceItem, Site
from server.plans import schemas
from server.plans.occurrences import schedule_next
from server.plans.recurrence import parse, rrule_line, upcoming, zone
from server.plans.tables import PlanOccurrence, RecurringPlan
from server.references import require_reference
from server.workorders.plan_scope import plan_in_scope, plans_in_scope
from server.workorders.tables import Template

REFERENCES = {
    "customer_id": (Customer, "customer"),
    "site_id": (Site, "site"),
    "asset_id": (Asset, "asset"),
    "service_item_id": (ServiceItem, "service item"),
    "department_id": (Department, "department"),
    "team_id": (Team, "team"),
    "assignee_id": (User, "assignee"),
    "template_id": (Template, "template"),
}
UPCOMING = 5


def _schedule(
    recurrence: schemas.Recurrence | None, rrule: str | None, starts_at: datetime, timezone: str
) -> str:
    """The RRULE line of a schedule given either way, checked."""
    tz = zone(timezone)
    if (recurrence is None) == (rrule is None):
        raise Invalid("give recurrence or rrule, one of them", code="invalid_recurrence")
    line = rrule_line(recurrence, starts_at, tz) if recurrence is not None else str(rrule)
    rule = parse(line, starts_at, tz)
    if not upcoming(rule, starts_at, 1, inclusive=True):
        raise Invalid("the rule has no occurrence", {"rrule": line}, code="invalid_recurrence")
    return line.strip().removeprefix("RRULE:")


async def _check_order(order: schemas.PlanOrder) -> None:
    for field, (table, what) in REFERENCES.items():
        await require_reference(table, getattr(order, field), field, what)


class PlanService:
    def __init__(self, actor: Actor, clock: Clock) -> None:
        self.actor = actor
        self.clock = clock

    def _require_manager(self) -> None:
        if not self.actor.can_manage:
            raise Forbidden("only admins and managers keep recurring plans")

    async def _row(self, plan_id: UUID, scoped: bool = True) -> dict[str, Any]:
        row = await RecurringPlan.select().where(RecurringPlan.id == plan_id).first()
        if (
            row is None
            or not row["active"]
            or (scoped and not await plan_in_scope(self.actor, row))
        ):
            raise NotFound("no such plan", {"id": str(plan_id)})
        return row

    async def _plans(self, rows: list[dict[str, Any]]) -> list[schemas.Plan]:
        """The plans of ``rows``, their opened occurrences read at once for all."""
        now = self.clock()
        taken: dict[str, set[datetime]] = {str(row["id"]): set() for row in rows}
        if rows:
            for r in await PlanOccurrence.select(
                PlanOccurrence.plan, PlanOccurrence.occurs_at
            ).where(
                PlanOccurrence.plan.is_in([row["id"] for row in rows]),
                PlanOccurrence.occurs_at >= now,
            ):
                taken[str(r["plan"])].add(r["occurs_at"])
        return [self._plan(row, taken[str(row["id"])], now) for row in rows]

    def _plan(self, row: dict[str, Any], taken: set[datetime], now: datetime) -> schemas.Plan:
        coming: list[datetime] = []
        if not row["paused"]:
            rule = parse(row["rrule"], row["starts_at"], zone(row["timezone"]))
            after = max(now, row["starts_at"])
            candidates = upcoming(rule, after, UPCOMING + len(taken), inclusive=True)
            coming = [c.astimezone(UTC) for c in candidates if c not in taken][:UPCOMING]
        return schemas.Plan(
            id=row["id"],
            name=row["name"],
            rrule=row["rrule"],
            starts_at=row["starts_at"],
            timezone=row["timezone"],
            lookahead_days=row["lookahead_days"],
            due_minutes=row["due_minutes"],
            pause_after=row["pause_after"],
            generated=row["generated"],
            generated_since_resume=row["generated_since_resume"],
            paused=row["paused"],
            active=row["active"],
            order=msgspec.convert(json_column(row["order"]), schemas.PlanOrder),
            upcoming=coming,
        )

    async def list(self) -> list[schemas.Plan]:
        self._require_manager()
        rows = (
            await RecurringPlan.select()
            .where(RecurringPlan.active == True)  # noqa: E712
            .order_by(RecurringPlan.name)
        )
        return await self._plans(await plans_in_scope(self.actor, rows))

    async def get(self, plan_id: UUID) -> schemas.Plan:
        self._require_manager()
        return (await self._plans([await self._row(plan_id)]))[0]

    async def create(self, data: schemas.PlanCreate) -> schemas.Plan:
        self._require_manager()
        line = _schedule(data.recurrence, data.rrule, data.starts_at, data.timezone)
        await _check_order(data.order)
        plan_id = new_id()
        async with write_transaction(RecurringPlan._meta.db):
            row: dict[str, Any] = {
                "id": plan_id,
                "name": data.name,
                "rrule": line,
                "starts_at": data.starts_at,
                "timezone": data.timezone,
                "lookahead_days": data.lookahead_days,
                "due_minutes": data.due_minutes,
                "pause_after": data.pause_after,
                "generated": 0,
                "generated_since_resume": 0,
                "paused": False,
                "active": True,
                "revision": 1,
                "order": msgspec.json.encode(data.order).decode(),
                "created_by": self.actor.user_id,
                "created_at": self.clock(),
            }
            await RecurringPlan.insert(RecurringPlan(**row))
            await schedule_next(row, self.clock())
        return await self.get(plan_id)

    async def update(self, plan_id: UUID, data: schemas.PlanUpdate) -> schemas.Plan:
        """A new schedule or order applies to occurrences not opened yet."""
        self._require_manager()
        async with write_transaction(RecurringPlan._meta.db):
            row = await self._row(plan_id)
            changes = {
                f.name: getattr(data, f.name)
                for f in msgspec.structs.fields(data)
                if getattr(data, f.name) is not msgspec.UNSET
            }
            if "order" in changes:
                await _check_order(changes["order"])
                changes["order"] = msgspec.json.encode(changes["order"]).decode()
            recurrence, rrule = changes.pop("recurrence", None), changes.pop("rrule", None)
            row = {**row, **changes}
            if recurrence is not None or rrule is not None:
                row["rrule"] = _schedule(recurrence, rrule, row["starts_at"], row["timezone"])
            else:
                row["rrule"] = _schedule(None, row["rrule"], row["starts_at"], row["timezone"])
            row["revision"] += 1
            await RecurringPlan.update(
                {getattr(RecurringPlan, k): row[k] for k in (*changes, "rrule", "revision")}
            ).where(RecurringPlan.id == plan_id)
            await schedule_next(row, self.clock())
        # Answered once even when the change routed the plan out of the caller's reach.
        return (await self._plans([await self._row(plan_id, scoped=False)]))[0]

    async def pause(self, plan_id: UUID) -> schemas.Plan:
        self._require_manager()
        await self._row(plan_id)
        await RecurringPlan.update({RecurringPlan.paused: True}).where(RecurringPlan.id == plan_id)
        return await self.get(plan_id)

    async def resume(self, plan_id: UUID) -> schemas.Plan:
        """Go on from now (occurrences missed while paused are not opened); a plan
        that pauses after N occurrences counts them afresh."""
        self._require_manager()
        async with write_transaction(RecurringPlan._meta.db):
            row = await self._row(plan_id)
            row = {
                **row,
                "paused": False,
                "generated_since_resume": 0,
                "revision": row["revision"] + 1,
            }
            await RecurringPlan.update(
                {
                    RecurringPlan.paused: False,
                    RecurringPlan.generated_since_resume: 0,
                    RecurringPlan.revision: row["revision"],
                }
            ).where(RecurringPlan.id == plan_id)
            await schedule_next(row, self.clock())
        return await self.get(plan_id)

    async def delete(self, plan_id: UUID) -> None:
        """Stop the plan for good; the orders it opened stay."""
        self._require_manager()
        await self._row(plan_id)
        await RecurringPlan.update(
            {RecurringPlan.active: False, RecurringPlan.revision: RecurringPlan.revision + 1}
        ).where(RecurringPlan.id == plan_id)
