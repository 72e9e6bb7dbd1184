"""HTTP endpoints of recurring plans."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from server.dependencies import ActorDep, ClockDep
from server.openapi import SECURITY, errors
from server.plans import schemas
from server.plans.services import PlanService


def provide_plan_service(actor: ActorDep, clock: ClockDep) -> PlanService:
    return PlanService(actor, clock)


PlanServiceDep = NamedDependency[PlanService]


class PlanController(Controller):
    path = "/api/plans"
    tags = ["recurring plans"]
    security = SECURITY
    dependencies = {"service": Provide(provide_plan_service, sync_to_thread=False)}

    @get("/", operation_id="ListPlans", responses=errors(401, 403))
    async def list_plans(self, service: PlanServiceDep) -> schemas.PlanPage:
        """Active recurring plans, by name, with their next occurrences (admins and managers)."""
        return schemas.PlanPage(items=await service.list())

    @get("/{plan_id:uuid}", operation_id="GetPlan", responses=errors(400, 401, 403, 404))
    async def get_plan(self, plan_id: FromPath[UUID], service: PlanServiceDep) -> schemas.Plan:
        """One plan and its next occurrences."""
        return await service.get(plan_id)

    @post("/", operation_id="CreatePlan", responses=errors(400, 401, 403, 422))
    async def create_plan(
        self, data: JSONBody[schemas.PlanCreate], service: PlanServiceDep
    ) -> schemas.Plan:
        """Create a recurring plan: its schedule as ``recurrence`` (plain fields) or as an
        RFC 5545 ``rrule`` line, from ``starts_at`` in ``timezone``; each occurrence
        opens ``order`` ``lookahead_days`` ahead, due ``due_minutes`` after it. With
        ``pause_after`` the plan pauses after that many occurrences until resumed."""
        return await service.create(data)

    @patch("/{plan_id:uuid}", operation_id="UpdatePlan", responses=errors(400, 401, 403, 404, 422))
    async def update_plan(
        self, plan_id: FromPath[UUID], data: JSONBody[schemas.PlanUpdate], service: PlanServiceDep
    ) -> schemas.Plan:
        """Change a plan; occurrences not opened yet follow the new schedule."""
        return await service.update(plan_id, data)

    @post(
        "/{plan_id:uuid}/pause",
        operation_id="PausePlan",
        status_code=200,
        responses=errors(400, 401, 403, 404),
    )
    async def pause_plan(self, plan_id: FromPath[UUID], service: PlanServiceDep) -> schemas.Plan:
        """Stop opening orders until resumed."""
        return await service.pause(plan_id)

    @post(
        "/{plan_id:uuid}/resume",
        operation_id="ResumePlan",
        status_code=200,
        responses=errors(400, 401, 403, 404),
    )
    async def resume_plan(self, plan_id: FromPath[UUID], service: PlanServiceDep) -> schemas.Plan:
        """Go on from now; occurrences missed while paused are not opened."""
        return await service.resume(plan_id)

    @delete("/{plan_id:uuid}", operation_id="DeletePlan", responses=errors(400, 401, 403, 404))
    async def delete_plan(self, plan_id: FromPath[UUID], service: PlanServiceDep) -> None:
        """End the plan; the orders it opened stay."""
        await service.delete(plan_id)


CONTROLLERS = [PlanController]
