"""HTTP endpoints of preventive maintenance and meter readings."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, delete, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from server.dependencies import ActorDep, ClockDep
from server.maintenance import schemas
from server.maintenance.services import MaintenanceService
from server.openapi import SECURITY, errors


def provide_maintenance_service(actor: ActorDep, clock: ClockDep) -> MaintenanceService:
    return MaintenanceService(actor, clock)


MaintenanceServiceDep = NamedDependency[MaintenanceService]
DEPENDENCIES = {"service": Provide(provide_maintenance_service, sync_to_thread=False)}


class MaintenancePlanController(Controller):
    path = "/api/maintenance/plans"
    tags = ["preventive maintenance"]
    security = SECURITY
    dependencies = DEPENDENCIES

    @get("/", operation_id="ListMaintenancePlans", responses=errors(401, 403))
    async def list_plans(self, service: MaintenanceServiceDep) -> schemas.MaintenancePlanPage:
        """Active plans with when each asset falls due next (admins and managers)."""
        return schemas.MaintenancePlanPage(items=await service.plans())

    @get("/{plan_id:uuid}", operation_id="GetMaintenancePlan", responses=errors(400, 401, 403, 404))
    async def get_plan(
        self, plan_id: FromPath[UUID], service: MaintenanceServiceDep
    ) -> schemas.MaintenancePlan:
        """One plan."""
        return await service.get(plan_id)

    @post("/", operation_id="CreateMaintenancePlan", responses=errors(400, 401, 403, 422))
    async def create_plan(
        self, data: JSONBody[schemas.MaintenancePlanCreate], service: MaintenanceServiceDep
    ) -> schemas.MaintenancePlan:
        """Plan preventive maintenance of an asset or of every asset of a type, by time
        (``interval_days``, counted from the last completion or in steps from
        installation) or by use (``meter_interval`` units of the asset's meter). Orders
        open ``lead_days`` / ``lead_units`` ahead, never two open for one asset and plan."""
        return await service.create(data)

    @delete(
        "/{plan_id:uuid}",
        operation_id="DeleteMaintenancePlan",
        responses=errors(400, 401, 403, 404),
    )
    async def delete_plan(self, plan_id: FromPath[UUID], service: MaintenanceServiceDep) -> None:
        """Stop a plan; its open orders stay."""
        await service.delete(plan_id)


class MeterReadingController(Controller):
    path = "/api/assets/{asset_id:uuid}/meter-readings"
    tags = ["preventive maintenance"]
    security = SECURITY
    dependencies = DEPENDENCIES

    @get("/", operation_id="ListMeterReadings", responses=errors(400, 401, 404))
    async def list_readings(
        self, asset_id: FromPath[UUID], service: MaintenanceServiceDep
    ) -> schemas.MeterReadingPage:
        """The asset's latest meter readings, newest first."""
        return schemas.MeterReadingPage(items=await service.readings(asset_id))

    @post("/", operation_id="RecordMeterReading", responses=errors(400, 401, 403, 404, 422))
    async def record_reading(
        self,
        asset_id: FromPath[UUID],
        data: JSONBody[schemas.MeterReadingCreate],
        service: MaintenanceServiceDep,
    ) -> schemas.MeterReading:
        """Record a meter reading (staff and field staff); a reading below the current
        one is refused (422 meter_backwards). Usage-based plans falling due open
        their orders at once."""
        return await service.record_reading(asset_id, data)


CONTROLLERS = [MaintenancePlanController, MeterReadingController]
