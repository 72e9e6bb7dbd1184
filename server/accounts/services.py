"""Logins, sessions and user records."""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import Any
from uuid import UUID

import msgspec

from server.accounts import schemas
from server.accounts.actor import Actor
from server.accounts.lockout import LoginGuard
from server.accounts.passwords import hash_password, verify_password
from server.accounts.tables import (
    Department,
    ManagedDepartment,
    Session,
    Skill,
    Team,
    UsedRefreshToken,
    User,
)
from server.accounts.tokens import (
    TokenError,
    hash_refresh_token,
    issue_access_token,
    new_refresh_token,
    read_access_token,
)
from server.clock import Clock
from server.database import fetch, is_sqlite, list_agg, write_transaction
from server.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from server.ids import new_id
from server.references import require_reference
from server.settings import Settings

USER_COLUMNS = (
    User.id,
    User.username,
    User.display_name,
    User.role,
    User.email,
    User.phone,
    User.department.as_alias("department_id"),
    User.team.as_alias("team_id"),
    User.skills,
    User.language,
    User.active,
    User.created_at,
)


class AuthService:
    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self.guard = LoginGuard(settings, clock)

    async def login(self, username: str, password: str, client_ip: str) -> schemas.TokenPair:
        """Open a session; the same answer for an unknown user and a wrong password.

        Too many failures for the username or from the client address answer 429
        ``too_many_attempts`` for a while (server/accounts/lockout.py).
        """
        # Lower case can lengthen a name ("İ" is two characters in lower case): cut to
        # the column's length; no real username is that long or has such letters.
        username = username.strip().lower()[:64]
        await self.guard.check(username, client_ip)
        await self.guard.begin(username, client_ip)
        row = (
            await User.select(User.id, User.password_hash, User.active)
            .where(User.username == username)
            .first()
        )
        ok = await verify_password(row["password_hash"] if row else None, password)
        if not (row and ok and row["active"]):
            raise Unauthorized("wrong username or password", code="invalid_credentials")
        await self.guard.succeeded(username)
        refresh, refresh_hash = new_refresh_token()
        session = Session(
            id=new_id(),
            user=row["id"],
            refresh_hash=refresh_hash,
            created_at=self.clock(),
            expires_at=self.clock() + timedelta(days=self.settings.refresh_token_days),
        )
        await session.save()
        return self._pair(row["id"], session.id, refresh)

    async def refresh(self, refresh_token: str) -> schemas.TokenPair:
        """Rotate the refresh token: the one presented stops working.

        One presented again (stolen and replayed, or a client that refreshed twice)
        ends its session for whoever holds it: 401 ``refresh_token_reused``.
        """
        now = self.clock()
        lifetime = timedelta(days=self.settings.refresh_token_days)
        presented = hash_refresh_token(refresh_token)
        refresh, refresh_hash = new_refresh_token()
        # One transaction: a second refresh with the same token waits for the first
        # and then finds the token among the used ones.
        async with write_transaction(Session._meta.db):
            rows = (
                await Session.update(
                    {Session.refresh_hash: refresh_hash, Session.expires_at: now + lifetime}
                )
                .where(
                    Session.refresh_hash == presented,
                    Session.revoked_at.is_null(),
                    Session.expires_at > now,
                )
                .returning(Session.id, Session.user)
            )
            if rows:
                # A used token older than a refresh token's lifetime would be refused
                # as expired anyway.
                await UsedRefreshToken.delete().where(UsedRefreshToken.used_at < now - lifetime)
                await UsedRefreshToken.insert(
                    UsedRefreshToken(hash=presented, session=rows[0]["id"], used_at=now)
                )
                reused = None
            else:
                reused = (
                    await UsedRefreshToken.select(UsedRefreshToken.session)
                    .where(UsedRefreshToken.hash == presented)
                    .first()
                )
                if reused:
                    await Session.update({Session.revoked_at: now}).where(
                        Session.id == reused["session"], Session.revoked_at.is_null()
                    )
        # Raised after the commit: the revocation must stand.
        if reused:
            raise Unauthorized(
                "the refresh token was used before; the session has ended, log in again",
                code="refresh_token_reused",
            )
        if not rows:
            raise Unauthorized("the refresh token is not valid", code="invalid_refresh_token")
        return self._pair(rows[0]["user"], rows[0]["id"], refresh)

    async def change_password(
        self, actor: Actor, data: schemas.PasswordChange, client_ip: str
    ) -> None:
        """Change the caller's own password; every other session of theirs ends.

        A wrong current password answers 403 ``wrong_password`` and counts as a failed
        login for the username (a stolen access token cannot guess its way further).
        """
        await self.guard.check(actor.username, client_ip)
        await self.guard.begin(actor.username, client_ip)
        row = await User.select(User.password_hash).where(User.id == actor.user_id).first()
        if not await verify_password(row["password_hash"] if row else None, data.current_password):
            raise Forbidden("the current password is wrong", code="wrong_password")
        await self.guard.succeeded(actor.username)
        password_hash = await hash_password(data.new_password)
        async with write_transaction(User._meta.db):
            await User.update({User.password_hash: password_hash}).where(User.id == actor.user_id)
            await Session.update({Session.revoked_at: self.clock()}).where(
                Session.user == actor.user_id,
                Session.id != actor.session_id,
                Session.revoked_at.is_null(),
            )

    async def logout(self, actor: Actor) -> None:
        await Session.update({Session.revoked_at: self.clock()}).where(
            Session.id == actor.session_id
        )

    async def resolve(self, token: str) -> Actor:
        """The caller behind an access token, in one query (sessions can be revoked)."""
        try:
            user_id, session_id = read_access_token(self.settings.secret_key, token, self.clock())
        except TokenError as exc:
            raise Unauthorized(str(exc), code="invalid_token") from None
        engine = Session._meta.db
        rows = await fetch(engine, _resolve_sql(is_sqlite(engine)), [session_id, user_id, True])
        if not rows:
            raise Unauthorized("the session has ended; log in again", code="session_ended")
        row = rows[0]
        managed = row.pop("managed")
        row["managed_departments"] = managed.split(",") if managed else ()
        row.update(user_id=user_id, session_id=session_id)
        return msgspec.convert(row, Actor, strict=False)

    def _pair(self, user_id: UUID, session_id: UUID, refresh: str) -> schemas.TokenPair:
        lifetime = timedelta(minutes=self.settings.access_token_minutes)
        access = issue_access_token(
            self.settings.secret_key, user_id, session_id, self.clock(), lifetime
        )
        return schemas.TokenPair(
            access_token=access,
            refresh_token=refresh,
            token_type="Bearer",
            expires_in=int(lifetime.total_seconds()),
        )


@functools.cache
def _resolve_sql(sqlite: bool) -> str:
    # Hand-written: this runs on every request, and piccolo takes longer to build a
    # joined select than the database takes to answer it.
    managed = list_agg(sqlite, "m.department")
    return f"""
        SELECT u.username, u.display_name, u.role, u.department AS department_id,
          u.team AS team_id, u.language,
          (SELECT {managed} FROM managed_department m WHERE m.manager = u.id) AS managed
        FROM auth_session s JOIN app_user u ON u.id = s."user"
        WHERE s.id = {{}} AND s."user" = {{}} AND s.revoked_at IS NULL AND u.active = {{}}
    """


class UserService:
    def __init__(self, actor: Actor, clock: Clock) -> None:
        self.actor = actor
        self.clock = clock

    async def list_users(self, role: str | None = None) -> list[schemas.User]:
        if not self.actor.can_manage:
            raise Forbidden("only admins and managers list users")
        query = User.select(*USER_COLUMNS).order_by(User.username)
        if role is not None:
            query = query.where(User.role == role)
        return msgspec.convert(await query, list[schemas.User])

    async def get(self, user_id: UUID) -> schemas.User:
        if not (self.actor.can_manage or user_id == self.actor.user_id):
            raise NotFound("no such user")
        row = await User.select(*USER_COLUMNS).where(User.id == user_id).first()
        if row is None:
            raise NotFound("no such user")
        return msgspec.convert(row, schemas.User)

    async def create(self, data: schemas.UserCreate) -> schemas.User:
        if not self.actor.is_admin:
            raise Forbidden("only admins create users")
        return await create_user(data, await hash_password(data.password))

    async def update(self, user_id: UUID, data: schemas.UserUpdate) -> schemas.User:
        if not self.actor.is_admin:
            raise Forbidden("only admins change users")
        values: dict[Any, Any] = {}
        for field in msgspec.structs.fields(data):
            value = getattr(data, field.name)
            if value is msgspec.UNSET or field.name == "managed_department_ids":
                continue
            if field.name == "password":
                values[User.password_hash] = await hash_password(value)
            else:
                values[getattr(User, field.name.removesuffix("_id"))] = value
        await _check_references(data)
        async with write_transaction(User._meta.db):
            if values:
                rows = await User.update(values).where(User.id == user_id).returning(User.id)
            else:
                rows = await User.select(User.id).where(User.id == user_id)
            if not rows:
                raise NotFound("no such user")
            if data.managed_department_ids is not msgspec.UNSET:
                await _set_managed(user_id, data.managed_department_ids)
            if data.active is False or data.password is not msgspec.UNSET:
                # A disabled account or a new password ends every open session.
                await Session.update({Session.revoked_at: self.clock()}).where(
                    Session.user == user_id, Session.revoked_at.is_null()
                )
        return await self.get(user_id)


async def _check_references(data: schemas.UserCreate | schemas.UserUpdate) -> None:
    await require_reference(Department, data.department_id, "department_id", "department")
    await require_reference(Team, data.team_id, "team_id", "team")
    skills = data.skills if isinstance(data.skills, list) else []
    if skills:
        known = {
            row["code"] for row in await Skill.select(Skill.code).where(Skill.code.is_in(skills))
        }
        if unknown := sorted(set(skills) - known):
            raise Invalid("unknown skills", {"skills": unknown})
    managed = data.managed_department_ids if isinstance(data.managed_department_ids, list) else []
    if managed:
        found = await Department.count().where(Department.id.is_in(managed))
        if found != len(set(managed)):
            raise Invalid("unknown managed departments", {"managed_department_ids": managed})


async def _set_managed(user_id: UUID, department_ids: list[UUID]) -> None:
    await ManagedDepartment.delete().where(ManagedDepartment.manager == user_id)
    if department_ids:
        await ManagedDepartment.insert(
            *[
                ManagedDepartment(id=new_id(), manager=user_id, department=department_id)
                for department_id in dict.fromkeys(department_ids)
            ]
        )


async def create_user(data: schemas.UserCreate, password_hash: str) -> schemas.User:
    """Create a user (shared by the API, the CLI and the demo loader)."""
    await _check_references(data)
    username = data.username.lower()
    async with write_transaction(User._meta.db):
        if await User.exists().where(User.username == username):
            raise Conflict("that username is taken", {"username": username}, code="username_taken")
        user = User(
            id=new_id(),
            username=username,
            display_name=data.display_name,
            role=data.role,
            email=data.email,
            phone=data.phone,
            department=data.department_id,
            team=data.team_id,
            skills=data.skills,
            language=data.language,
            password_hash=password_hash,
        )
        await user.save()
        await _set_managed(user.id, data.managed_department_ids)
    row = await User.select(*USER_COLUMNS).where(User.id == user.id).first()
    return msgspec.convert(row, schemas.User)
