"""HTTP endpoints of the caller's notifications."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, QueryParameter

from server.dependencies import ActorDep, ClockDep
from server.notifications import schemas
from server.notifications.services import NotificationService
from server.openapi import SECURITY, errors

LimitQuery = Annotated[int, QueryParameter(ge=1, le=200, description="rows at most")]


def provide_notification_service(actor: ActorDep, clock: ClockDep) -> NotificationService:
    return NotificationService(actor, clock)


NotificationServiceDep = NamedDependency[NotificationService]


class NotificationController(Controller):
    path = "/api/notifications"
    tags = ["notifications"]
    security = SECURITY
    dependencies = {"service": Provide(provide_notification_service, sync_to_thread=False)}

    @get("/", operation_id="ListNotifications", responses=errors(400, 401))
    async def list_notifications(
        self,
        service: NotificationServiceDep,
        unread: FromQuery[bool] = False,
        limit: LimitQuery = 50,
    ) -> schemas.NotificationPage:
        """The caller's notifications, newest first, in their language, with the count
        of unread ones."""
        return await service.list(unread, limit)

    @post(
        "/{notification_id:uuid}/read",
        operation_id="MarkNotificationRead",
        status_code=204,
        responses=errors(400, 401, 404),
    )
    async def mark_read(
        self, notification_id: FromPath[UUID], service: NotificationServiceDep
    ) -> None:
        """Mark one of the caller's notifications read."""
        await service.mark_read(notification_id)

    @post("/read", operation_id="MarkAllNotificationsRead", responses=errors(401))
    async def mark_all_read(self, service: NotificationServiceDep) -> schemas.MarkedRead:
        """Mark all the caller's notifications read."""
        return await service.mark_all_read()


CONTROLLERS = [NotificationController]
