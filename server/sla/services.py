"""SLA rules and business calendars: kept by admins, read by admins and managers.

A rule applies to orders as they are created or when their priority, customer or
service item changes; editing a rule leaves the due times already set as they are.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from itertools import pairwise
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import asyncpg
import msgspec

from server.accounts.actor import Actor
from server.clock import Clock
from server.database import fetch, json_column, write_transaction
from server.errors import Conflict, Forbidden, Invalid, NotFound
from server.ids import new_id
from server.masterdata.tables import CustomerGroup, ServiceItem
from server.references import require_reference
from server.sla import schemas
from server.sla.policy import PRIORITIES, pair_key
from server.sla.tables import BusinessCalendar, SlaRule
from server.sql import Sql
from server.workorders.scope import in_scope

RULE_SETTINGS = (
    "pause_when_suspended",
    "warn_at_percent",
    "alarm_every_minutes",
    "suspend_after_alarms",
)


def _minutes(targets: schemas.PriorityMinutes) -> list[int]:
    return [getattr(targets, p) for p in PRIORITIES]


def check_targets(response: list[int], resolution: list[int]) -> None:
    """The rules users expect of a rule's targets: some target set, no lower
    priority with a tighter target, and no resolution due before its response."""
    problems: dict[str, str] = {}
    if not any(response) and not any(resolution):
        problems["response_minutes"] = "at least one target must be more than 0"
    for name, targets in (("response_minutes", response), ("resolution_minutes", resolution)):
        for (p, a), (q, b) in pairwise(zip(PRIORITIES, targets, strict=True)):
            if b < a:
                problems[name] = f"{q} ({b} min) is shorter than {p} ({a} min): must not decrease"
                break
    for p, a, b in zip(PRIORITIES, response, resolution, strict=True):
        if a and b and b < a:
            problems["resolution_minutes"] = f"{p}: resolution ({b} min) before response ({a} min)"
            break
    if problems:
        raise Invalid("the SLA targets are not consistent", problems, code="invalid_targets")


def _rule(row: dict[str, Any]) -> schemas.SlaRule:
    return schemas.SlaRule(
        id=row["id"],
        customer_group_id=row["customer_group"],
        service_item_id=row["service_item"],
        response_minutes=schemas.PriorityMinutes(*json_column(row["response_minutes"])),
        resolution_minutes=schemas.PriorityMinutes(*json_column(row["resolution_minutes"])),
        **{name: row[name] for name in RULE_SETTINGS},
    )


def _week(week: list[list[list[str]]]) -> list[list[list[str]]]:
    """The week's intervals checked: each starts before it ends, none overlap, and
    some day has working time."""
    problems: dict[str, str] = {}
    for number, day in enumerate(week):
        ordered = sorted(day)
        for start, end in ordered:
            if start == "24:00" or (end != "24:00" and end <= start):
                problems[f"week[{number}]"] = f"{start}-{end} ends before it starts"
        for (_, end), (start, _) in pairwise(ordered):
            if start < end:
                problems[f"week[{number}]"] = f"intervals overlap at {start}"
        week[number] = ordered
    if not any(week):
        problems["week"] = "no working hours on any day"
    if problems:
        raise Invalid("the working hours are not consistent", problems, code="invalid_calendar")
    return week


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("only admins change SLA rules and calendars")


def _require_staff(actor: Actor) -> None:
    if not actor.can_manage:
        raise Forbidden("only admins and managers see SLA rules and breaches")


class SlaService:
    def __init__(self, actor: Actor, clock: Clock) -> None:
        self.actor = actor
        self.clock = clock

    async def list_rules(self) -> list[schemas.SlaRule]:
        _require_staff(self.actor)
        return [_rule(row) for row in await SlaRule.select().order_by(SlaRule.pair)]

    async def get_rule(self, rule_id: UUID) -> schemas.SlaRule:
        _require_staff(self.actor)
        row = await SlaRule.select().where(SlaRule.id == rule_id).first()
        if row is None:
            raise NotFound("no such SLA rule", {"id": str(rule_id)})
        return _rule(row)

    async def create_rule(self, data: schemas.SlaRuleCreate) -> schemas.SlaRule:
        _require_admin(self.actor)
        response, resolution = _minutes(data.response_minutes), _minutes(data.resolution_minutes)
        check_targets(response, resolution)
        await require_reference(
            CustomerGroup, data.customer_group_id, "customer_group_id", "customer group"
        )
        await require_reference(
            ServiceItem, data.service_item_id, "service_item_id", "service item"
        )
        rule_id = new_id()
        pair = pair_key(data.customer_group_id, data.service_item_id)
        try:
            await SlaRule.insert(
                SlaRule(
                    id=rule_id,
                    customer_group=data.customer_group_id,
                    service_item=data.service_item_id,
                    pair=pair,
                    response_minutes=response,
                    resolution_minutes=resolution,
                    **{name: getattr(data, name) for name in RULE_SETTINGS},
                )
            )
        except (sqlite3.IntegrityError, asyncpg.UniqueViolationError):
            raise Conflict(
                "a rule for this customer group and service item exists; change that one",
                {
                    "customer_group_id": data.customer_group_id,
                    "service_item_id": data.service_item_id,
                },
                code="rule_exists",
            ) from None
        return await self.get_rule(rule_id)

    async def update_rule(self, rule_id: UUID, data: schemas.SlaRuleUpdate) -> schemas.SlaRule:
        _require_admin(self.actor)
        async with write_transaction(SlaRule._meta.db):
            current = await self.get_rule(rule_id)
            response = _minutes(data.response_minutes or current.response_minutes)
            resolution = _minutes(data.resolution_minutes or current.resolution_minutes)
            check_targets(response, resolution)
            values: dict[Any, Any] = {
                SlaRule.response_minutes: response,
                SlaRule.resolution_minutes: resolution,
            }
            for name in RULE_SETTINGS:
                value = getattr(data, name)
                if value is not msgspec.UNSET:
                    values[getattr(SlaRule, name)] = value
            await SlaRule.update(values).where(SlaRule.id == rule_id)
        return await self.get_rule(rule_id)

    async def delete_rule(self, rule_id: UUID) -> None:
        _require_admin(self.actor)
        rows = await SlaRule.delete().where(SlaRule.id == rule_id).returning(SlaRule.id)
        if not rows:
            raise NotFound("no such SLA rule", {"id": str(rule_id)})

    async def get_calendar(self, group_id: UUID) -> schemas.BusinessCalendar:
        _require_staff(self.actor)
        row = (
            await BusinessCalendar.select()
            .where(BusinessCalendar.customer_group == group_id)
            .first()
        )
        if row is None:
            raise NotFound(
                "this customer group has no calendar: its clocks run 24x7",
                {"customer_group_id": str(group_id)},
            )
        return schemas.BusinessCalendar(
            customer_group_id=row["customer_group"],
            timezone=row["timezone"],
            week=json_column(row["week"]),
            holidays=[date.fromisoformat(d) for d in json_column(row["holidays"])],
        )

    async def put_calendar(
        self, group_id: UUID, data: schemas.BusinessCalendarPut
    ) -> schemas.BusinessCalendar:
        """Set the group's calendar, replacing any it had."""
        _require_admin(self.actor)
        try:
            ZoneInfo(data.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise Invalid(
                "unknown time zone", {"timezone": data.timezone}, code="invalid_calendar"
            ) from None
        week = _week([list(map(list, day)) for day in data.week])
        holidays = sorted({d.isoformat() for d in data.holidays})
        await require_reference(CustomerGroup, group_id, "customer_group_id", "customer group")
        async with write_transaction(BusinessCalendar._meta.db):
            await BusinessCalendar.delete().where(BusinessCalendar.customer_group == group_id)
            await BusinessCalendar.insert(
                BusinessCalendar(
                    id=new_id(),
                    customer_group=group_id,
                    timezone=data.timezone,
                    week=week,
                    holidays=holidays,
                )
            )
        return await self.get_calendar(group_id)

    async def delete_calendar(self, group_id: UUID) -> None:
        _require_admin(self.actor)
        rows = (
            await BusinessCalendar.delete()
            .where(BusinessCalendar.customer_group == group_id)
            .returning(BusinessCalendar.id)
        )
        if not rows:
            raise NotFound(
                "this customer group has no calendar", {"customer_group_id": str(group_id)}
            )

    async def breaches(
        self, since: datetime | None, until: datetime | None, limit: int
    ) -> list[schemas.SlaBreach]:
        """Missed targets of the orders in the caller's scope, the latest first."""
        _require_staff(self.actor)
        where = in_scope(self.actor, "t")
        if since is not None:
            where &= Sql("b.breached_at >= {}", since)
        if until is not None:
            where &= Sql("b.breached_at < {}", until)
        condition = f"WHERE {where.text}" if where.text else ""
        rows = await fetch(
            SlaRule._meta.db,
            'SELECT b.id, b."order" AS order_id, b.clock, b.priority, b.due_at, b.breached_at, '
            "CASE WHEN b.clock = 'response' THEN t.first_response_at "
            "ELSE coalesce(t.resolved_at, t.closed_at) END AS ended_at "
            f'FROM sla_breach b JOIN work_order t ON t.id = b."order" {condition} '
            "ORDER BY b.breached_at DESC LIMIT {}",
            [*where.args, limit],
        )
        now = self.clock()
        found = msgspec.convert(
            [{**row, "overdue_seconds": 0} for row in rows], list[schemas.SlaBreach], strict=False
        )
        return [
            msgspec.structs.replace(
                b, overdue_seconds=max(int(((b.ended_at or now) - b.due_at).total_seconds()), 0)
            )
            for b in found
        ]
