from __future__ import annotations

from uuid import UUID

from litestar import Controller, MediaType, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody

from server.dependencies import ActorDep, ClockDep, SettingsDep
from server.openapi import SECURITY, errors
from server.workorders.urging import UrgeRules
from sync import schemas
from sync.blob_controllers import BlobController
from sync.catalogue import REGISTRY
from sync.conflicts import ConflictService
from sync.pull import PullService
from sync.push import PushService


def provide_conflict_service(actor: ActorDep, clock: ClockDep) -> ConflictService:
    return ConflictService(actor, clock)


ConflictServiceDep = NamedDependency[ConflictService]


class SyncController(Controller):
    path = "/api/sync"
    tags = ["sync"]
    security = SECURITY

    @get("/info", operation_id="SyncInfo", responses=errors(401))
    async def info(self, actor: ActorDep, settings: SettingsDep) -> schemas.SyncInfo:
        """The protocol version and the limits a client must keep to."""
        return schemas.SyncInfo(
            protocol=schemas.PROTOCOL_VERSION,
            max_mutations=schemas.MAX_MUTATIONS,
            max_body_bytes=settings.max_body_bytes,
            max_pull_limit=schemas.MAX_PULL_LIMIT,
            mutations=REGISTRY.names(),
        )

    @post(
        "/push",
        operation_id="SyncPush",
        status_code=200,
        responses=errors(400, 401, 403, 409, 413),
    )
    async def push(
        self,
        data: JSONBody[schemas.PushRequest],
        actor: ActorDep,
        clock: ClockDep,
        settings: SettingsDep,
    ) -> schemas.PushResponse:
        """Apply a device's queued mutations, each exactly once, in id order.

        Mutations already applied are answered with their recorded outcome. One
        that breaks a rule is answered ``rejected`` and the ones after it still
        apply. See docs/sync.md.
        """
        return await PushService(actor, clock, urging=UrgeRules.of(settings)).push(data)

    @post(
        "/pull",
        operation_id="SyncPull",
        status_code=200,
        responses={
            200: ResponseSpec(schemas.PullResponse, description="The next page of changes"),
            **errors(400, 401, 403, 409, 422),
        },
    )
    async def pull(
        self, data: JSONBody[schemas.PullRequest], actor: ActorDep, clock: ClockDep
    ) -> Response[bytes]:
        """The changes in the caller's scope after ``cursor`` (none: a full snapshot).

        Pull again at once while ``more`` is true. 409 ``resync_required``: drop the
        local copy of server data (keep the queue of unpushed mutations) and pull
        without a cursor.
        """
        return Response(await PullService(actor, clock).pull(data), media_type=MediaType.JSON)


class ConflictController(Controller):
    path = "/api/sync/conflicts"
    tags = ["sync"]
    security = SECURITY
    dependencies = {"conflicts": Provide(provide_conflict_service, sync_to_thread=False)}

    @get("/", operation_id="ListConflicts", responses=errors(400, 401, 403))
    async def list_conflicts(
        self,
        conflicts: ConflictServiceDep,
        order_id: FromQuery[UUID | None] = None,
        open_only: FromQuery[bool] = True,
    ) -> schemas.ConflictList:
        """Conflicts the server resolved on its own, for review (managers, admins)."""
        return schemas.ConflictList(items=await conflicts.list_conflicts(order_id, open_only))

    @post(
        "/{conflict_id:uuid}/resolve",
        operation_id="ResolveConflict",
        status_code=200,
        responses=errors(400, 401, 403, 404, 409),
    )
    async def resolve(
        self,
        conflict_id: FromPath[UUID],
        data: JSONBody[schemas.ConflictResolution],
        conflicts: ConflictServiceDep,
    ) -> schemas.Conflict:
        """Close a conflict with a note; the order's review flag clears with its last one."""
        return await conflicts.resolve(conflict_id, data)


CONTROLLERS: list[type[Controller]] = [SyncController, ConflictController, BlobController]
