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
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("log in first: send 'Authorization: Bearer <access token>'")
    return await auth_service.resolve(token.strip())


DEPENDENCIES = {
    "settings": Provide(provide_settings, sync_to_thread=False),
    "clock": Provide(provide_clock, sync_to_thread=False),
    "auth_service": Provide(provide_auth_service, sync_to_thread=False),
    "actor": Provide(provide_actor),
}
