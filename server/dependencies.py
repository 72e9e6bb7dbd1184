"""Request-scoped dependencies: the caller, the clock and the settings."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide

from server.accounts.actor import Actor
from server.accounts.services import AuthService
from server.clock import Clock
from server.errors import Unauthorized
from server.integrations.api_keys import is_api_key, resolve_api_key
from server.integrations.scopes import require_scope
from server.settings import Settings

SettingsDep = NamedDependency[Settings]
ClockDep = NamedDependency[Clock]
AuthServiceDep = NamedDependency[AuthService]
ActorDep = NamedDependency[Actor]


def provide_settings(state: State) -> Settings:
    return state.settings


def provide_clock(state: State) -> Clock:
    return state.clock


def provide_auth_service(settings: SettingsDep, clock: ClockDep) -> AuthService:
    return AuthService(settings, clock)


async def provide_actor(request: Request[Any, Any, Any], auth_service: AuthServiceDep) -> Actor:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    key = request.headers.get("x-api-key")
    if key is None and scheme.lower() == "bearer" and is_api_key(token.strip()):
        key = token
    if key is not None:
        # A machine client (server/integrations/): it reaches only the operations
        # that accept one of its scopes.
        actor = await resolve_api_key(key, auth_service.clock)
        require_scope(actor, request.route_handler.opt)
        return actor
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("log in first: send 'Authorization: Bearer <access token>'")
    return await auth_service.resolve(token.strip())


DEPENDENCIES = {
    "settings": Provide(provide_settings, sync_to_thread=False),
    "clock": Provide(provide_clock, sync_to_thread=False),
    "auth_service": Provide(provide_auth_service, sync_to_thread=False),
    "actor": Provide(provide_actor),
}
