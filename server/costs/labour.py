"""Labour: hourly rates (per user, per role, or the default) and the time
technicians log on orders, each entry costed at the rate in force when the work
was done and kept at that cost whatever rates come later.

A rate applies from its ``effective_from``; the newest one that had started by
the work's time wins, a user's own before their role's before the default. With
no rate at all the work is logged at 0.00 (``rate_source`` "none"), never refused:
a phone logging offline cannot know the rates.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from piccolo.columns.combination import Combinable

from server.accounts.actor import Actor
from server.accounts.tables import User
from server.clock import Clock
from server.costs import schemas
from server.costs.access import check_worker, require_manager
from server.costs.money import labour_cents, to_cents, to_money
from server.costs.orders import visible_order
from server.costs.tables import LabourEntry, LabourRate
from server.database import fetch, write_transaction
from server.errors import Conflict, Forbidden, Invalid
from server.ids import new_id
from server.references import require_reference, unknown_reference
from server.workorders.unit import OrderUnit, unit_of_work

MAX_PERIOD_MINUTES = 24 * 60
RATE_SQL = (
    "SELECT hourly_cents, CASE WHEN \"user\" IS NOT NULL THEN 'user' "
    "WHEN role IS NOT NULL THEN 'role' ELSE 'default' END AS source FROM labour_rate "
    'WHERE effective_from <= {} AND ("user" = {} OR ("user" IS NULL AND role = {}) '
    'OR ("user" IS NULL AND role IS NULL)) ORDER BY CASE WHEN "user" IS NOT NULL THEN 0 '
    "WHEN role IS NOT NULL THEN 1 ELSE 2 END, effective_from DESC, created_at DESC LIMIT 1"
)
ENTRY_COLUMNS = (
    LabourEntry.id,
    LabourEntry.order.as_alias("order_id"),
    LabourEntry.technician.as_alias("technician_id"),
    LabourEntry.started_at,
    LabourEntry.ended_at,
    LabourEntry.minutes,
    LabourEntry.hourly_cents,
    LabourEntry.rate_source,
    LabourEntry.cost_cents,
    LabourEntry.note,
    LabourEntry.created_at,
)


def worked_minutes(data: schemas.LabourCreate) -> int:
    """The entry's minutes: given, or from its start and end (to the nearest minute)."""
    period = data.started_at is not None or data.ended_at is not None
    if data.minutes is not None and not period:
        return data.minutes
    if data.minutes is not None or data.started_at is None or data.ended_at is None:
        raise Invalid("give minutes, or started_at and ended_at", code="labour_time")
    seconds = (data.ended_at - data.started_at).total_seconds()
    minutes = round(seconds / 60)
    if seconds <= 0 or minutes > MAX_PERIOD_MINUTES:
        raise Invalid(
            "ended_at must follow started_at, within 24 hours",
            {"started_at": data.started_at.isoformat(), "ended_at": data.ended_at.isoformat()},
            code="invalid_period",
        )
    return max(minutes, 1)


async def rate_at(user_id: UUID, role: str, at: datetime) -> tuple[int, str]:
    """The hourly rate (cents) of the user at ``at``, and where it came from."""
    rows = await fetch(LabourRate._meta.db, RATE_SQL, [at, user_id, role])
    if not rows:
        return 0, "none"
    return int(rows[0]["hourly_cents"]), str(rows[0]["source"])


async def _technician(unit: OrderUnit, technician_id: UUID | None) -> dict[str, Any]:
    actor = unit.actor
    if technician_id is None or technician_id == actor.user_id:
        return {"id": actor.user_id, "role": actor.role}
    if not actor.can_manage:
        raise Forbidden("field staff log their own time", code="not_yourself")
    user = await unit.row(User, technician_id)
    if user is None:
        raise unknown_reference("technician_id", technician_id, "user")
    if user["role"] not in ("technician", "inspector"):
        raise Invalid(
            "labour is logged for field staff",
            {"technician_id": str(technician_id), "role": user["role"]},
            code="not_field_staff",
        )
    return user


async def log_labour(unit: OrderUnit, order_id: UUID, data: schemas.LabourCreate) -> UUID:
    order = await unit.order(order_id)
    check_worker(unit.actor, order)
    technician = await _technician(unit, data.technician_id)
    minutes = worked_minutes(data)
    entry_id = data.id or new_id()
    if await unit.taken(LabourEntry, entry_id):
        raise Conflict(
            "a labour entry with this id exists", {"id": str(entry_id)}, code="already_exists"
        )
    now = unit.clock()
    hourly, source = await rate_at(
        technician["id"], technician["role"], data.started_at or data.device_time or now
    )
    cost = labour_cents(minutes, hourly)
    unit.insert(
        LabourEntry,
        {
            "id": entry_id,
            "order": order_id,
            "technician": technician["id"],
            "started_at": data.started_at,
            "ended_at": data.ended_at,
            "minutes": minutes,
            "hourly_cents": hourly,
            "rate_source": source,
            "cost_cents": cost,
            "note": data.note,
            "created_by": unit.actor.user_id,
            "created_at": now,
            "device_time": data.device_time,
        },
    )
    unit.change(
        order_id,
        {},
        "labour_logged",
        {"labour_id": str(entry_id), "technician_id": str(technician["id"]), "minutes": minutes},
        data.device_time,
        data.note[:200],
        internal=True,
    )
    return entry_id


def to_entry(row: dict[str, Any]) -> schemas.LabourEntry:
    return msgspec.convert(
        {
            **row,
            "hourly_rate": to_money(row["hourly_cents"]),
            "cost": to_money(row["cost_cents"]),
        },
        schemas.LabourEntry,
        strict=False,
    )


def to_rate(row: dict[str, Any]) -> schemas.LabourRate:
    return msgspec.convert(
        {**row, "hourly_rate": to_money(row["hourly_cents"])}, schemas.LabourRate, strict=False
    )


RATE_COLUMNS = (
    LabourRate.id,
    LabourRate.user.as_alias("user_id"),
    LabourRate.role,
    LabourRate.hourly_cents,
    LabourRate.effective_from,
    LabourRate.created_at,
)


class LabourService:
    def __init__(self, actor: Actor, clock: Clock) -> None:
        self.actor = actor
        self.clock = clock

    async def log(self, order_id: UUID, data: schemas.LabourCreate) -> schemas.LabourEntry:
        async with unit_of_work(self.actor, self.clock) as unit:
            entry_id = await log_labour(unit, order_id, data)
        row = await LabourEntry.select(*ENTRY_COLUMNS).where(LabourEntry.id == entry_id).first()
        assert row is not None
        return to_entry(row)

    async def entries(self, order_id: UUID) -> list[schemas.LabourEntry]:
        await visible_order(self.actor, order_id)
        rows = (
            await LabourEntry.select(*ENTRY_COLUMNS)
            .where(LabourEntry.order == order_id)
            .order_by(LabourEntry.created_at)
            .order_by(LabourEntry.id)
        )
        return [to_entry(row) for row in rows]

    async def rates(self) -> list[schemas.LabourRate]:
        """The rates, newest first: admins every one; managers the role and default
        rates and those of their departments' people."""
        require_manager(self.actor, "see labour rates")
        query = LabourRate.select(*RATE_COLUMNS).order_by(
            LabourRate.effective_from, ascending=False
        )
        if not self.actor.is_admin:
            theirs: Combinable = LabourRate.user.is_null()
            if self.actor.managed_departments:
                departments = list(self.actor.managed_departments)
                theirs = theirs | LabourRate.user.department.is_in(departments)
            query = query.where(theirs)
        return [to_rate(row) for row in await query]

    async def add_rate(self, data: schemas.RateCreate) -> schemas.LabourRate:
        """A user's, a role's or (neither) the default hourly rate from a time on."""
        require_manager(self.actor, "set labour rates")
        if data.user_id is not None and data.role is not None:
            raise Invalid(
                "a rate is of a user or of a role, not both",
                {"user_id": str(data.user_id), "role": data.role},
                code="rate_target",
            )
        if not self.actor.is_admin:
            await self._require_their_person(data.user_id)
        rate_id = new_id()
        now = self.clock()
        async with write_transaction(LabourRate._meta.db):
            await require_reference(User, data.user_id, "user_id", "user")
            await LabourRate.insert(
                LabourRate(
                    id=rate_id,
                    user=data.user_id,
                    role=data.role,
                    hourly_cents=to_cents(data.hourly_rate),
                    effective_from=data.effective_from or now,
                    created_by=self.actor.user_id,
                    created_at=now,
                )
            )
        row = await LabourRate.select(*RATE_COLUMNS).where(LabourRate.id == rate_id).first()
        assert row is not None
        return to_rate(row)

    async def _require_their_person(self, user_id: UUID | None) -> None:
        """A manager sets the rates of their departments' people; role and default
        rates are the admins'."""
        person = None
        if user_id is not None:
            person = await User.select(User.department).where(User.id == user_id).first()
        if person is None or person["department"] not in self.actor.managed_departments:
            raise Forbidden(
                "managers set the rates of their departments' people; admins the rest",
                {"user_id": str(user_id) if user_id else None},
                code="not_your_person",
            )
