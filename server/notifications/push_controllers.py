"""HTTP endpoints of Web Push: the public key, device subscriptions and delivery logs."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from server.dependencies import ActorDep, ClockDep, SettingsDep
from server.notifications import schemas
from server.notifications.push_services import PushService
from server.notifications.vapid import public_key
from server.openapi import SECURITY, errors


def provide_push_service(actor: ActorDep, clock: ClockDep, settings: SettingsDep) -> PushService:
    return PushService(actor, clock, settings)


PushServiceDep = NamedDependency[PushService]
DEPENDENCIES = {"service": Provide(provide_push_service, sync_to_thread=False)}


class PushKeyController(Controller):
    path = "/api/push/key"
    tags = ["notifications"]
    security = SECURITY

    @get("/", operation_id="PushKey", responses=errors(401))
    async def key(self, state: State, actor: ActorDep) -> schemas.PushKey:
        """The server's VAPID public key, to subscribe with (the only key ever served)."""
        return schemas.PushKey(public_key=public_key(state.vapid))


class PushController(Controller):
    path = "/api"
    tags = ["notifications"]
    security = SECURITY
    dependencies = DEPENDENCIES

    @post("/push/subscriptions", operation_id="SubscribePush", responses=errors(400, 401, 422))
    async def subscribe(
        self, data: JSONBody[schemas.PushSubscriptionCreate], service: PushServiceDep
    ) -> schemas.PushSubscription:
        """Push the caller's notifications to this device (its PushSubscription as
        the browser gives it). A user may have several devices."""
        return await service.subscribe(data)

    @get("/push/subscriptions", operation_id="ListPushSubscriptions", responses=errors(401))
    async def subscriptions(self, service: PushServiceDep) -> schemas.PushSubscriptionPage:
        """The caller's devices."""
        return schemas.PushSubscriptionPage(items=await service.subscriptions())

    @post(
        "/push/unsubscribe",
        operation_id="UnsubscribePush",
        status_code=204,
        responses=errors(400, 401, 404),
    )
    async def unsubscribe(
        self, data: JSONBody[schemas.PushUnsubscribe], service: PushServiceDep
    ) -> None:
        """Stop pushing to this device."""
        await service.unsubscribe(data.endpoint)

    @get(
        "/notifications/{notification_id:uuid}/delivery",
        operation_id="PushDelivery",
        responses=errors(400, 401, 404),
    )
    async def delivery(
        self, notification_id: FromPath[UUID], service: PushServiceDep
    ) -> schemas.Delivery:
        """How a notification was pushed: each device's answer, attempt by attempt."""
        return await service.delivery(notification_id)


CONTROLLERS = [PushKeyController, PushController]
