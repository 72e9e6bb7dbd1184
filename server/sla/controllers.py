"""HTTP endpoints of SLA rules, business calendars and breaches."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from litestar import Controller, delete, get, patch, post, put
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from server.dependencies import ActorDep, ClockDep
from server.openapi import SECURITY, errors
from server.sla import schemas
from server.sla.services import SlaService

LimitQuery = Annotated[int, QueryParameter(ge=1, le=500, description="rows at most")]


def provide_sla_service(actor: ActorDep, clock: ClockDep) -> SlaService:
    return SlaService(actor, clock)


SlaServiceDep = NamedDependency[SlaService]


class SlaController(Controller):
    path = "/api/sla"
    tags = ["SLA"]
    security = SECURITY
    dependencies = {"service": Provide(provide_sla_service, sync_to_thread=False)}

    @get("/rules", operation_id="ListSlaRules", responses=errors(401, 403))
    async def list_rules(self, service: SlaServiceDep) -> schemas.SlaRulePage:
        """Every SLA rule (admins and managers)."""
        return schemas.SlaRulePage(items=await service.list_rules())

    @get("/rules/{rule_id:uuid}", operation_id="GetSlaRule", responses=errors(400, 401, 403, 404))
    async def get_rule(self, rule_id: FromPath[UUID], service: SlaServiceDep) -> schemas.SlaRule:
        """One SLA rule."""
        return await service.get_rule(rule_id)

    @post("/rules", operation_id="CreateSlaRule", responses=errors(400, 401, 403, 409, 422))
    async def create_rule(
        self, data: JSONBody[schemas.SlaRuleCreate], service: SlaServiceDep
    ) -> schemas.SlaRule:
        """Create the rule of a (customer group, service item) pair (admins). Leave
        either out to match any; leave both out for the global default. Targets are
        minutes per priority, 0 for none; they may not all be 0 and may not decrease
        from P1 to P5. A second rule for the same pair is refused (409 rule_exists)."""
        return await service.create_rule(data)

    @patch(
        "/rules/{rule_id:uuid}",
        operation_id="UpdateSlaRule",
        responses=errors(400, 401, 403, 404, 422),
    )
    async def update_rule(
        self, rule_id: FromPath[UUID], data: JSONBody[schemas.SlaRuleUpdate], service: SlaServiceDep
    ) -> schemas.SlaRule:
        """Change a rule's targets or options (admins); orders' due times already set
        stay as they are."""
        return await service.update_rule(rule_id, data)

    @delete(
        "/rules/{rule_id:uuid}", operation_id="DeleteSlaRule", responses=errors(400, 401, 403, 404)
    )
    async def delete_rule(self, rule_id: FromPath[UUID], service: SlaServiceDep) -> None:
        """Delete a rule (admins)."""
        await service.delete_rule(rule_id)

    @get(
        "/calendars/{group_id:uuid}",
        operation_id="GetBusinessCalendar",
        responses=errors(400, 401, 403, 404),
    )
    async def get_calendar(
        self, group_id: FromPath[UUID], service: SlaServiceDep
    ) -> schemas.BusinessCalendar:
        """A customer group's working hours and holidays (404: it runs 24x7)."""
        return await service.get_calendar(group_id)

    @put(
        "/calendars/{group_id:uuid}",
        operation_id="PutBusinessCalendar",
        responses=errors(400, 401, 403, 404, 422),
    )
    async def put_calendar(
        self,
        group_id: FromPath[UUID],
        data: JSONBody[schemas.BusinessCalendarPut],
        service: SlaServiceDep,
    ) -> schemas.BusinessCalendar:
        """Set a customer group's working hours (local time of ``timezone``, Monday
        first, "24:00" for midnight at a day's end) and holidays (admins). Due times
        then count only working time."""
        return await service.put_calendar(group_id, data)

    @delete(
        "/calendars/{group_id:uuid}",
        operation_id="DeleteBusinessCalendar",
        responses=errors(400, 401, 403, 404),
    )
    async def delete_calendar(self, group_id: FromPath[UUID], service: SlaServiceDep) -> None:
        """Remove a customer group's calendar: its clocks run 24x7 again (admins)."""
        await service.delete_calendar(group_id)

    @get("/breaches", operation_id="ListSlaBreaches", responses=errors(400, 401, 403))
    async def list_breaches(
        self,
        service: SlaServiceDep,
        since: FromQuery[datetime | None] = None,
        until: FromQuery[datetime | None] = None,
        limit: LimitQuery = 100,
    ) -> schemas.SlaBreachPage:
        """Missed targets of the orders in the caller's scope, the latest first
        (admins and managers)."""
        return schemas.SlaBreachPage(items=await service.breaches(since, until, limit))


CONTROLLERS = [SlaController]
