"""Reading and recording check-ins."""

from __future__ import annotations

from datetime import date
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from geo import auto_assign, batch_dispatch, map_schemas, positions, schemas
from geo import map as geomap
from geo.checkins import check_in, on_site_seconds, to_check_in, travel_seconds
from geo.day_route import day_route
from geo.dispatch import suggest
from geo.tables import CheckIn, Duty
from server import live
from server.accounts.actor import Actor
from server.clock import Clock
from server.database import fetch, json_column, write_transaction
from server.errors import Forbidden, Invalid
from server.ids import new_id
from server.sql import Sql
from server.workorders.queries import fetch_order
from server.workorders.scope import in_scope
from server.workorders.tables import TimelineEvent
from server.workorders.unit import unit_of_work


class CheckInService:
    def __init__(self, actor: Actor, clock: Clock) -> None:
        self.actor = actor
        self.clock = clock

    async def record(self, order_id: UUID, data: schemas.CheckInCreate) -> schemas.CheckIn:
        async with unit_of_work(self.actor, self.clock) as unit:
            check_in_id = await check_in(unit, order_id, data)
        row = await CheckIn.select().where(CheckIn.id == check_in_id).first()
        assert row is not None
        return to_check_in(row)

    async def of_order(self, order_id: UUID) -> schemas.OrderCheckIns:
        """The order's check-ins, oldest first, with its travel and on-site times."""
        await fetch_order(self.actor, order_id)
        rows = await CheckIn.select().where(CheckIn.order == order_id).order_by(CheckIn.at)
        items = [to_check_in(row) for row in rows]
        events = (
            await TimelineEvent.select(
                TimelineEvent.at, TimelineEvent.device_time, TimelineEvent.changes
            )
            .where(TimelineEvent.order == order_id)
            .order_by(TimelineEvent.version)
        )
        for event in events:
            event["changes"] = json_column(event["changes"])
        return schemas.OrderCheckIns(
            items=items,
            travel_seconds=travel_seconds(events),
            on_site_seconds=on_site_seconds(items),
        )

    async def suggestions(self, order_id: UUID, limit: int) -> list[schemas.Suggestion]:
        """Who should take the order, best first (admins and managers)."""
        if not self.actor.can_manage:
            raise Forbidden("only admins and managers dispatch")
        return await suggest(await fetch_order(self.actor, order_id), limit)

    async def batch(self, data: schemas.BatchDispatch) -> schemas.BatchResult:
        """Place the department's unassigned orders at once (admins, its managers)."""
        return await batch_dispatch.dispatch(self.actor, self.clock, data)

    async def route(self, user_id: UUID, day: date | None, zone: str) -> schemas.DayRoute:
        """A field worker's stops for a day in visiting order."""
        try:
            tz = ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise Invalid(
                f"unknown time zone {zone!r}", {"tz": zone}, code="invalid_zone"
            ) from None
        return await day_route(self.actor, user_id, day, tz)

    async def auto_assign_mode(self, department: UUID) -> schemas.AutoAssignMode:
        return await auto_assign.mode(self.actor, department)

    async def set_auto_assign_mode(
        self, department: UUID, data: schemas.AutoAssignUpdate
    ) -> schemas.AutoAssignMode:
        """Choose the priorities the department's new orders are auto-assigned at."""
        return await auto_assign.set_mode(self.actor, self.clock, department, data)

    async def duty(self) -> schemas.DutyState:
        row = (
            await Duty.select(Duty.on_duty, Duty.since)
            .where(Duty.user == self.actor.user_id)
            .first()
        )
        return schemas.DutyState(
            on_duty=bool(row and row["on_duty"]), since=row["since"] if row else None
        )

    async def set_duty(self, data: schemas.DutyUpdate) -> schemas.DutyState:
        """Go on or off duty (field staff): dispatch prefers people on duty."""
        if not self.actor.is_field_worker:
            raise Forbidden("only field staff go on and off duty")
        current = await self.duty()
        if current.on_duty != data.on_duty:
            now = self.clock()
            # Going off duty keeps when the period started: late pings from it still count.
            started = now if data.on_duty else None
            period = [Duty.started_at, Duty.ended_at] if data.on_duty else [Duty.ended_at]
            row = Duty(
                id=new_id(),
                user=self.actor.user_id,
                on_duty=data.on_duty,
                since=now,
                started_at=started,
                ended_at=None if data.on_duty else now,
            )
            async with write_transaction(Duty._meta.db):
                await Duty.insert(row).on_conflict(
                    target=Duty.user,
                    action="DO UPDATE",
                    values=[Duty.on_duty, Duty.since, *period],
                )
                live.changed(people=[self.actor.user_id])
        return await self.duty()

    async def report_positions(self, data: schemas.PositionReport) -> schemas.PingResult:
        """Keep the caller's on-duty fixes; the newest becomes their last known position."""
        async with unit_of_work(self.actor, self.clock) as unit:
            return await positions.report(unit, data.fixes)

    async def flagged(self, limit: int) -> list[schemas.CheckIn]:
        """Doubtful check-ins (outside the geofence, device clock off) of the orders
        in the caller's scope, the latest first (admins and managers)."""
        if not self.actor.can_manage:
            raise Forbidden("only admins and managers review check-ins")
        where = Sql("c.flagged = {}", True) & in_scope(self.actor, "t")
        rows = await fetch(
            CheckIn._meta.db,
            f'SELECT c.* FROM check_in c JOIN work_order t ON t.id = c."order" WHERE {where.text} '
            "ORDER BY c.received_at DESC LIMIT {}",
            [*where.args, limit],
        )
        return [to_check_in(row) for row in rows]


class MapService:
    def __init__(self, actor: Actor, clock: Clock) -> None:
        if not actor.can_manage:
            raise Forbidden("the map is for admins and managers")
        self.actor = actor
        self.clock = clock

    async def orders(
        self, bbox: str | None, department: UUID | None, limit: int
    ) -> map_schemas.OrderMap:
        """Open orders at their sites in the caller's scope, most urgent first."""
        box = geomap.parse_box(bbox) if bbox else None
        return await geomap.open_orders(self.actor, box, department, limit, self.clock())

    async def technicians(
        self, bbox: str | None, department: UUID | None
    ) -> map_schemas.TechnicianMap:
        """Field workers of the caller's departments at their last known positions."""
        box = geomap.parse_box(bbox) if bbox else None
        return await geomap.technicians(self.actor, box, department, self.clock())
