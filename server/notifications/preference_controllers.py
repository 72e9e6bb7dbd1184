"""HTTP endpoints of notification preferences: the caller's, and (for admins and
department managers) those of the people they look after."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, put
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from server.dependencies import ActorDep
from server.notifications import schemas
from server.notifications.preferences import PreferenceService
from server.openapi import SECURITY, errors


def provide_preference_service(actor: ActorDep) -> PreferenceService:
    return PreferenceService(actor)


PreferenceServiceDep = NamedDependency[PreferenceService]


class PreferenceController(Controller):
    path = "/api"
    tags = ["notifications"]
    security = SECURITY
    dependencies = {"service": Provide(provide_preference_service, sync_to_thread=False)}

    @get(
        "/me/notification-preferences",
        operation_id="GetNotificationPreferences",
        responses=errors(401),
    )
    async def mine(self, actor: ActorDep, service: PreferenceServiceDep) -> schemas.Preferences:
        """What is pushed and when, what is also texted or e-mailed, the summary report."""
        return await service.get(actor.user_id)

    @put(
        "/me/notification-preferences",
        operation_id="SetNotificationPreferences",
        responses=errors(400, 401, 422),
    )
    async def set_mine(
        self, data: JSONBody[schemas.Preferences], actor: ActorDep, service: PreferenceServiceDep
    ) -> schemas.Preferences:
        """Mute kinds of push (they stay in the app) and set quiet hours in a time zone:
        pushes wait for their end, except about P1 orders. Choose kinds to be texted
        or e-mailed too, and (managers) a daily or weekly summary e-mail."""
        return await service.set(actor.user_id, data)

    @get(
        "/users/{user_id:uuid}/notification-preferences",
        operation_id="GetUserNotificationPreferences",
        responses=errors(400, 401, 404),
    )
    async def theirs(
        self, user_id: FromPath[UUID], service: PreferenceServiceDep
    ) -> schemas.Preferences:
        """Someone's preferences (admins; managers for their departments' people)."""
        return await service.get(user_id)

    @put(
        "/users/{user_id:uuid}/notification-preferences",
        operation_id="SetUserNotificationPreferences",
        responses=errors(400, 401, 404, 422),
    )
    async def set_theirs(
        self,
        user_id: FromPath[UUID],
        data: JSONBody[schemas.Preferences],
        service: PreferenceServiceDep,
    ) -> schemas.Preferences:
        """Set someone's preferences, e.g. assignments by SMS for a worker without a
        smartphone (admins; managers for their departments' people)."""
        return await service.set(user_id, data)


CONTROLLERS = [PreferenceController]
