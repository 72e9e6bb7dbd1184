"""API keys for machine clients: made by admins, shown once, kept hashed, revocable.

A key reads ``fo_live_<key id, 32 hex digits>_<secret>``. The id finds the row; the
secret (256 random bits) is compared by its SHA-256 in constant time, so the database
never holds anything that could be sent as a key. A slow password hash buys nothing
for a secret that cannot be guessed, and would cost every request. A key acts as its
user (that user's role and scope of orders), limited further by its scopes
(server/integrations/scopes.py); a revoked or expired key, or one whose user is
disabled, answers 401.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import msgspec

from server.accounts.actor import Actor
from server.accounts.tables import User
from server.clock import Clock
from server.database import fetch, is_sqlite, json_column, list_agg, write_transaction
from server.errors import Forbidden, Invalid, NotFound, Unauthorized
from server.ids import new_id
from server.integrations import schemas
from server.integrations.tables import ApiKey

PREFIX = "fo_live_"
KEY_PATTERN = re.compile(r"^fo_live_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$")
# last_used_at is written when it is older than this: not one write per request.
USE_RESOLUTION = timedelta(minutes=1)
COLUMNS = (
    ApiKey.id,
    ApiKey.name,
    ApiKey.scopes,
    ApiKey.user.as_alias("user_id"),
    ApiKey.created_by.as_alias("created_by_id"),
    ApiKey.created_at,
    ApiKey.expires_at,
    ApiKey.revoked_at,
    ApiKey.last_used_at,
)


def is_api_key(token: str) -> bool:
    """Whether a bearer token is an API key rather than an access token (a JWT)."""
    return token.startswith(PREFIX)


def new_key(key_id: UUID) -> tuple[str, str]:
    """A key for ``key_id`` and the hash of its secret, which is all that is kept."""
    secret = secrets.token_urlsafe(32)
    return f"{PREFIX}{key_id.hex}_{secret}", secret_hash(secret)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def resolve_api_key(token: str, clock: Clock) -> Actor:
    """The actor an API key stands for, in one query (and a write a minute at most)."""
    match = KEY_PATTERN.match(token.strip())
    if match is None:
        raise Unauthorized("the API key is not valid", code="invalid_api_key")
    key_id, secret = UUID(match[1]), match[2]
    engine = ApiKey._meta.db
    rows = await fetch(engine, _resolve_sql(is_sqlite(engine)), [key_id])
    row = rows[0] if rows else None
    if row is None or not hmac.compare_digest(row["secret_hash"], secret_hash(secret)):
        raise Unauthorized("the API key is not valid", code="invalid_api_key")
    now = clock()
    if row["revoked_at"] is not None:
        raise Unauthorized("the API key has been revoked", code="api_key_revoked")
    if row["expires_at"] is not None and _time(row["expires_at"]) <= now:
        raise Unauthorized("the API key has expired", code="api_key_expired")
    if not row["active"]:
        raise Unauthorized("the API key's user is disabled", code="invalid_api_key")
    used = row["last_used_at"]
    if used is None or _time(used) <= now - USE_RESOLUTION:
        await ApiKey.update({ApiKey.last_used_at: now}).where(
            ApiKey.id == key_id,
            (ApiKey.last_used_at.is_null()) | (ApiKey.last_used_at <= now - USE_RESOLUTION),
        )
    managed = row["managed"]
    return msgspec.convert(
        {
            "user_id": row["user_id"],
            "session_id": key_id,
            "username": row["username"],
            "display_name": row["display_name"],
            "role": row["role"],
            "department_id": row["department_id"],
            "team_id": row["team_id"],
            "language": row["language"],
            "managed_departments": managed.split(",") if managed else (),
            "scopes": json_column(row["scopes"]),
            "api_key_id": key_id,
        },
        Actor,
        strict=False,
    )


def _time(value: Any) -> datetime:
    # SQLite's plain reads answer times as text.
    return msgspec.convert(value, datetime, strict=False)


@functools.cache
def _resolve_sql(sqlite: bool) -> str:
    # Hand-written, as the session lookup: it runs on every request a key makes.
    managed = list_agg(sqlite, "m.department")
    return f"""
        SELECT k.secret_hash, k.scopes, k.expires_at, k.revoked_at, k.last_used_at,
          k."user" AS user_id, u.username, u.display_name, u.role,
          u.department AS department_id, u.team AS team_id, u.language, u.active,
          (SELECT {managed} FROM managed_department m WHERE m.manager = u.id) AS managed
        FROM api_key k JOIN app_user u ON u.id = k."user"
        WHERE k.id = {{}}
    """


def _api_key(row: dict[str, Any]) -> schemas.ApiKey:
    return msgspec.convert(
        {**row, "scopes": json_column(row["scopes"]), "prefix": f"{PREFIX}{row['id'].hex}"},
        schemas.ApiKey,
        strict=False,
    )


class ApiKeyService:
    """Admins make, list and revoke keys; an API key itself cannot (it has no scope
    for it)."""

    def __init__(self, actor: Actor, clock: Clock) -> None:
        self.actor = actor
        self.clock = clock

    def _require_admin(self) -> None:
        if not self.actor.is_admin:
            raise Forbidden("only admins manage API keys")

    async def keys(self) -> list[schemas.ApiKey]:
        self._require_admin()
        rows = await ApiKey.select(*COLUMNS).order_by(ApiKey.created_at, ascending=False)
        return [_api_key(row) for row in rows]

    async def get(self, key_id: UUID) -> schemas.ApiKey:
        self._require_admin()
        row = await ApiKey.select(*COLUMNS).where(ApiKey.id == key_id).first()
        if row is None:
            raise NotFound("no such API key", {"id": str(key_id)})
        return _api_key(row)

    async def create(self, data: schemas.ApiKeyCreate) -> schemas.ApiKeyCreated:
        """Make a key; the answer is the only place its secret ever appears."""
        self._require_admin()
        now = self.clock()
        if data.expires_at is not None and data.expires_at <= now:
            raise Invalid(
                "the key would have expired already",
                {"expires_at": data.expires_at.isoformat()},
                code="expiry_in_past",
            )
        key_id = new_id()
        key, hashed = new_key(key_id)
        async with write_transaction(ApiKey._meta.db):
            user = await User.select(User.active).where(User.id == data.user_id).first()
            if user is None or not user["active"]:
                raise Invalid(
                    "no such active user", {"user_id": str(data.user_id)}, code="unknown_reference"
                )
            await ApiKey.insert(
                ApiKey(
                    id=key_id,
                    name=data.name,
                    secret_hash=hashed,
                    scopes=msgspec.json.encode(sorted(set(data.scopes))).decode(),
                    user=data.user_id,
                    created_by=self.actor.user_id,
                    created_at=now,
                    expires_at=data.expires_at,
                )
            )
        made = await self.get(key_id)
        return schemas.ApiKeyCreated(**msgspec.structs.asdict(made), key=key)

    async def revoke(self, key_id: UUID) -> schemas.ApiKey:
        """Stop a key at once; revoking it again changes nothing."""
        self._require_admin()
        await ApiKey.update({ApiKey.revoked_at: self.clock()}).where(
            ApiKey.id == key_id, ApiKey.revoked_at.is_null()
        )
        return await self.get(key_id)
