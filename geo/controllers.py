"""HTTP endpoints of check-ins."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post, put
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.openapi.spec import Example
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import ServerSentEvent

from geo import map_schemas, schemas
from geo.geocoding import lookup
from geo.live import stream
from geo.services import CheckInService, MapService
from server.dependencies import ActorDep, AuthServiceDep, ClockDep
from server.live import channel_name
from server.openapi import SECURITY, errors

LimitQuery = Annotated[int, QueryParameter(ge=1, le=500, description="rows at most")]


def provide_check_in_service(actor: ActorDep, clock: ClockDep) -> CheckInService:
    return CheckInService(actor, clock)


CheckInServiceDep = NamedDependency[CheckInService]
DEPENDENCIES = {"service": Provide(provide_check_in_service, sync_to_thread=False)}


class OrderCheckInController(Controller):
    path = "/api/work-orders/{order_id:uuid}/check-ins"
    tags = ["check-ins"]
    security = SECURITY
    dependencies = DEPENDENCIES

    @post("/", operation_id="CheckIn", responses=errors(400, 401, 403, 404, 409))
    async def check_in(
        self,
        order_id: FromPath[UUID],
        data: JSONBody[schemas.CheckInCreate],
        service: CheckInServiceDep,
    ) -> schemas.CheckIn:
        """Check in at (or out of) the order's site, as its assignee. Always kept: a fix
        outside the geofence (radius plus the fix's accuracy, at most twice the
        radius) or a device time over 24 h ahead or before the order is flagged, not
        refused. Checking in moves an en_route order to on_site."""
        return await service.record(order_id, data)

    @get("/", operation_id="ListOrderCheckIns", responses=errors(400, 401, 404))
    async def list_check_ins(
        self, order_id: FromPath[UUID], service: CheckInServiceDep
    ) -> schemas.OrderCheckIns:
        """The order's check-ins, with its travel time (en_route to on_site) and on-site
        time (check-in to check-out)."""
        return await service.of_order(order_id)


class DispatchController(Controller):
    path = "/api"
    tags = ["dispatch"]
    security = SECURITY
    dependencies = DEPENDENCIES

    @get(
        "/work-orders/{order_id:uuid}/suggestions",
        operation_id="SuggestAssignees",
        responses=errors(400, 401, 403, 404),
    )
    async def suggestions(
        self, order_id: FromPath[UUID], service: CheckInServiceDep, limit: LimitQuery = 10
    ) -> schemas.SuggestionPage:
        """Who should take the order, best first: only people with every skill its
        service item requires, scored by load (open orders weighted by priority),
        distance from their last known position to the site, and duty; each with the
        reasons for its score (admins and managers)."""
        return schemas.SuggestionPage(items=await service.suggestions(order_id, limit))

    @post("/dispatch/batch", operation_id="DispatchBatch", responses=errors(400, 401, 403))
    async def batch(
        self, data: JSONBody[schemas.BatchDispatch], service: CheckInServiceDep
    ) -> schemas.BatchResult:
        """Assign a department's unassigned open orders (the oldest 500) at once, to
        its field workers with a known position (on duty, unless ``on_duty_only`` is
        false), each with the skills the order's service item requires and under
        ``max_open_orders``, placing as many as possible with the least total
        distance from each person to each site. ``greedy`` reports the same orders
        placed one by one in arrival order on the nearest eligible person, for
        comparison. ``dry_run`` plans without assigning. Assigned orders get a
        timeline event with the reason "batch dispatch" (admins and the
        department's managers)."""
        return await service.batch(data)

    @get(
        "/dispatch/auto-assign/{department_id:uuid}",
        operation_id="GetAutoAssign",
        responses=errors(400, 401, 403, 404),
    )
    async def auto_assign_mode(
        self, department_id: FromPath[UUID], service: CheckInServiceDep
    ) -> schemas.AutoAssignMode:
        """The priorities at which the department's orders are auto-assigned."""
        return await service.auto_assign_mode(department_id)

    @put(
        "/dispatch/auto-assign/{department_id:uuid}",
        operation_id="SetAutoAssign",
        responses=errors(400, 401, 403, 404),
    )
    async def set_auto_assign_mode(
        self,
        department_id: FromPath[UUID],
        data: JSONBody[schemas.AutoAssignUpdate],
        service: CheckInServiceDep,
    ) -> schemas.AutoAssignMode:
        """Auto-assign the department's orders of these priorities: a new unassigned
        order (or one raised to such a priority) goes within seconds to the best
        on-duty candidate of the dispatch suggestions, with the score and its reasons
        as the assignment's timeline note; with nobody on duty to take it, the
        department's managers are notified (``auto_assign_failed``). An empty list
        turns it off (admins and the department's managers)."""
        return await service.set_auto_assign_mode(department_id, data)

    @get(
        "/people/{user_id:uuid}/route",
        operation_id="DayRoute",
        responses=errors(400, 401, 404, 422),
    )
    async def route(
        self,
        user_id: FromPath[UUID],
        service: CheckInServiceDep,
        day: Annotated[
            date | None,
            QueryParameter(description="only orders planned that day, or not planned"),
        ] = None,
        tz: Annotated[
            str, QueryParameter(max_length=64, description="the day's time zone")
        ] = "UTC",
    ) -> schemas.DayRoute:
        """A field worker's open orders with a site in visiting order from their last
        known position (nearest neighbour, then 2-opt, on geodesic distances), with
        each leg and the totals against the unimproved and the planned order (the
        worker, their department's managers, admins)."""
        return await service.route(user_id, day, tz)

    @get("/me/duty", operation_id="GetDuty", responses=errors(401))
    async def get_duty(self, service: CheckInServiceDep) -> schemas.DutyState:
        """Whether the caller is on duty."""
        return await service.duty()

    @put("/me/duty", operation_id="SetDuty", responses=errors(400, 401, 403))
    async def set_duty(
        self, data: JSONBody[schemas.DutyUpdate], service: CheckInServiceDep
    ) -> schemas.DutyState:
        """Go on or off duty (field staff)."""
        return await service.set_duty(data)

    @post("/me/positions", operation_id="ReportPositions", responses=errors(400, 401, 403, 409))
    async def report_positions(
        self, data: JSONBody[schemas.PositionReport], service: CheckInServiceDep
    ) -> schemas.PingResult:
        """Report location fixes taken while on duty (field staff; phones batch them
        through sync as ``report_positions``). Fixes from outside the latest on-duty
        period are discarded; a batch with none inside it is refused (409 ``off_duty``).
        The newest fix becomes the caller's last known position."""
        return await service.report_positions(data)


class FlaggedCheckInController(Controller):
    path = "/api/check-ins"
    tags = ["check-ins"]
    security = SECURITY
    dependencies = DEPENDENCIES

    @get("/flagged", operation_id="ListFlaggedCheckIns", responses=errors(400, 401, 403))
    async def flagged(
        self, service: CheckInServiceDep, limit: LimitQuery = 100
    ) -> schemas.CheckInPage:
        """Check-ins outside their geofence or with a device clock off, in the caller's
        scope, the latest first (admins and managers)."""
        return schemas.CheckInPage(items=await service.flagged(limit))


def provide_map_service(actor: ActorDep, clock: ClockDep) -> MapService:
    return MapService(actor, clock)


BoxQuery = Annotated[
    str | None,
    QueryParameter(
        description="west,south,east,north in degrees (west > east crosses the antimeridian)",
        examples=[Example(value="121.3,31.1,121.6,31.4")],
    ),
]
DepartmentQuery = Annotated[UUID | None, QueryParameter(description="only this department")]


class MapController(Controller):
    path = "/api/map"
    tags = ["map"]
    security = SECURITY
    dependencies = {"service": Provide(provide_map_service, sync_to_thread=False)}

    @get("/orders", operation_id="MapOrders", responses=errors(400, 401, 403, 422))
    async def orders(
        self,
        service: NamedDependency[MapService],
        bbox: BoxQuery = None,
        department_id: DepartmentQuery = None,
        limit: Annotated[int, QueryParameter(ge=1, le=20_000)] = 5000,
    ) -> map_schemas.OrderMap:
        """Open orders in the caller's scope as a GeoJSON FeatureCollection at their
        sites: priority, status, assignee and SLA state (``at_risk`` when under a
        quarter of the running target is left), most urgent first; ``truncated`` when
        more matched than ``limit`` (admins and managers)."""
        return await service.orders(bbox, department_id, limit)

    @get("/technicians", operation_id="MapTechnicians", responses=errors(400, 401, 403, 422))
    async def technicians(
        self,
        service: NamedDependency[MapService],
        bbox: BoxQuery = None,
        department_id: DepartmentQuery = None,
    ) -> map_schemas.TechnicianMap:
        """Field workers of the caller's departments at their last known positions as
        a GeoJSON FeatureCollection: duty, current order and its status, the fix's
        accuracy and age (admins and managers)."""
        return await service.technicians(bbox, department_id)

    @get("/events", operation_id="MapEvents", responses=errors(400, 401, 403))
    async def events(
        self,
        service: NamedDependency[MapService],
        state: State,
        request: Request[Any, Any, Any],
        auth_service: AuthServiceDep,
        department_id: DepartmentQuery = None,
    ) -> ServerSentEvent:
        """Live map updates as server-sent events, from every server process: an
        ``order`` event (an order feature, also when it leaves the open states) or a
        ``technician`` event (a worker feature) per change in the caller's scope, and
        a comment every 15 s, when the caller's login is checked again: once it
        expires (or the session ends) an ``expired`` event ends the stream, and the
        browser reconnects with a fresh token (admins and managers)."""
        token = request.headers.get("authorization", "").partition(" ")[2].strip()
        return ServerSentEvent(
            stream(
                state.feed,
                channel_name(state.settings.redis_url),
                service.actor,
                department_id,
                lambda: auth_service.resolve(token),
            )
        )


class GeocodeController(Controller):
    path = "/api/geocode"
    tags = ["map"]
    security = SECURITY
    dependencies = {"service": Provide(provide_map_service, sync_to_thread=False)}

    @get("/", operation_id="Geocode", responses=errors(400, 401, 403, 503))
    async def geocode(
        self,
        service: NamedDependency[MapService],
        state: State,
        address: Annotated[str, QueryParameter(min_length=2, max_length=500)],
        limit: Annotated[int, QueryParameter(ge=1, le=20)] = 5,
    ) -> schemas.PlacePage:
        """Candidate coordinates for an address from the configured geocoder (503
        ``geocoding_off`` when none is, ``geocoder_failed`` when it does not answer);
        sites can always be entered with coordinates (admins and managers)."""
        return schemas.PlacePage(items=await lookup(state.geocoder, address, limit))


CONTROLLERS = [
    GeocodeController,
    OrderCheckInController,
    FlaggedCheckInController,
    DispatchController,
    MapController,
]
