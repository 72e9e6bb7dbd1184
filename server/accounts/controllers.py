from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, patch, post, put
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody

from server.accounts import schemas
from server.accounts.services import UserService
from server.dependencies import ActorDep, AuthServiceDep, ClockDep
from server.openapi import SECURITY, errors
from server.types import Role


class AuthController(Controller):
    path = "/api/auth"
    tags = ["auth"]

    @post("/login", operation_id="Login", responses=errors(400, 401, 429), status_code=200)
    async def login(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[schemas.LoginRequest],
        auth_service: AuthServiceDep,
    ) -> schemas.TokenPair:
        """Exchange a username and password for an access and a refresh token.

        Too many failed logins for the username or from the client's address answer
        429 too_many_attempts with Retry-After until the lockout ends."""
        return await auth_service.login(data.username, data.password, client_ip(request))

    @post("/refresh", operation_id="RefreshToken", responses=errors(400, 401), status_code=200)
    async def refresh(
        self, data: JSONBody[schemas.RefreshRequest], auth_service: AuthServiceDep
    ) -> schemas.TokenPair:
        """Trade a refresh token for a new pair; the presented refresh token stops working.

        A refresh token presented a second time ends its session: 401
        refresh_token_reused."""
        return await auth_service.refresh(data.refresh_token)

    @post(
        "/logout", operation_id="Logout", status_code=204, security=SECURITY, responses=errors(401)
    )
    async def logout(self, actor: ActorDep, auth_service: AuthServiceDep) -> None:
        """End the caller's session: its access and refresh tokens stop working."""
        await auth_service.logout(actor)


def client_ip(request: Request[Any, Any, Any]) -> str:
    # Behind a reverse proxy this is the proxy unless the server is told to trust its
    # forwarded headers (uvicorn --proxy-headers --forwarded-allow-ips).
    return request.client.host if request.client else ""


def provide_user_service(actor: ActorDep, clock: ClockDep) -> UserService:
    return UserService(actor, clock)


UserServiceDep = NamedDependency[UserService]


class UserController(Controller):
    path = "/api/users"
    tags = ["users"]
    security = SECURITY
    dependencies = {"service": Provide(provide_user_service, sync_to_thread=False)}

    @get("/me", operation_id="GetMe", responses=errors(401))
    async def me(self, actor: ActorDep, service: UserServiceDep) -> schemas.User:
        """The logged-in user."""
        return await service.get(actor.user_id)

    @put(
        "/me/password",
        operation_id="ChangeMyPassword",
        status_code=204,
        responses=errors(400, 401, 403, 429),
    )
    async def change_password(
        self,
        request: Request[Any, Any, Any],
        actor: ActorDep,
        data: JSONBody[schemas.PasswordChange],
        auth_service: AuthServiceDep,
    ) -> None:
        """Change one's own password (the current one is required); every other
        session of the caller ends, this one goes on."""
        await auth_service.change_password(actor, data, client_ip(request))

    @get("/", operation_id="ListUsers", responses=errors(400, 401, 403))
    async def list_users(
        self, service: UserServiceDep, role: FromQuery[Role | None] = None
    ) -> schemas.UserPage:
        """All users, optionally of one role (admins and managers)."""
        return schemas.UserPage(items=await service.list_users(role))

    @post("/", operation_id="CreateUser", responses=errors(400, 401, 403, 409, 422))
    async def create_user(
        self, data: JSONBody[schemas.UserCreate], service: UserServiceDep
    ) -> schemas.User:
        """Create a user (admins)."""
        return await service.create(data)

    @get("/{user_id:uuid}", operation_id="GetUser", responses=errors(400, 401, 404))
    async def get_user(self, user_id: FromPath[UUID], service: UserServiceDep) -> schemas.User:
        """One user: any for admins and managers, oneself for others."""
        return await service.get(user_id)

    @patch("/{user_id:uuid}", operation_id="UpdateUser", responses=errors(400, 401, 403, 404))
    async def update_user(
        self, user_id: FromPath[UUID], data: JSONBody[schemas.UserUpdate], service: UserServiceDep
    ) -> schemas.User:
        """Change a user (admins); disabling or a new password ends the user's sessions."""
        return await service.update(user_id, data)
