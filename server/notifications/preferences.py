"""A user's notification preferences: what is pushed and when, what is also texted
or e-mailed, and the summary report. Users set their own; admins, and managers of
the user's department, set them for people without a smartphone."""

from __future__ import annotations

from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from server.accounts.actor import Actor
from server.accounts.tables import User
from server.database import json_column
from server.errors import Invalid, NotFound
from server.ids import new_id
from server.notifications import schemas
from server.notifications.tables import NotificationPreference
from server.notifications.texts import NOTIFICATION_KINDS, unknown_kinds
from server.workorders.lifecycle import STAFF

LISTS = ("muted", "sms", "email")


class PreferenceService:
    def __init__(self, actor: Actor) -> None:
        self.actor = actor

    async def get(self, user_id: UUID) -> schemas.Preferences:
        await self._user(user_id)
        return await _read(user_id)

    async def set(self, user_id: UUID, data: schemas.Preferences) -> schemas.Preferences:
        user = await self._user(user_id)
        _check(data, user)
        values: dict[str, Any] = {
            **{
                name: msgspec.json.encode(sorted(set(getattr(data, name)))).decode()
                for name in LISTS
            },
            "quiet_from": data.quiet_from,
            "quiet_until": data.quiet_until,
            "timezone": data.timezone,
            "report": data.report,
        }
        await NotificationPreference.insert(
            NotificationPreference(id=new_id(), user=user_id, **values)
        ).on_conflict(
            target=NotificationPreference.user,
            action="DO UPDATE",
            values=[getattr(NotificationPreference, name) for name in values],
        )
        return await _read(user_id)

    async def _user(self, user_id: UUID) -> dict[str, Any]:
        """The user, if the caller may see their preferences (otherwise 404)."""
        user = (
            await User.select(User.id, User.role, User.department, User.phone, User.email)
            .where(User.id == user_id)
            .first()
        )
        actor = self.actor
        mine = user is not None and (
            user_id == actor.user_id
            or actor.is_admin
            or (
                actor.is_manager
                and user["role"] not in STAFF
                and user["department"] in actor.managed_departments
            )
        )
        if user is None or not mine:
            raise NotFound("no such user of yours", {"id": str(user_id)})
        return user


async def _read(user_id: UUID) -> schemas.Preferences:
    row = (
        await NotificationPreference.select().where(NotificationPreference.user == user_id).first()
    )
    if row is None:
        return schemas.Preferences()
    fields = {name: row[name] for name in schemas.Preferences.__struct_fields__}
    return msgspec.convert(
        {**fields, **{name: json_column(row[name]) for name in LISTS}},
        schemas.Preferences,
        strict=False,
    )


def _check(data: schemas.Preferences, user: dict[str, Any]) -> None:
    if (data.quiet_from is None) != (data.quiet_until is None):
        raise Invalid("give quiet_from and quiet_until together", code="invalid_quiet_hours")
    try:
        ZoneInfo(data.timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise Invalid(
            "unknown time zone", {"timezone": data.timezone}, code="invalid_zone"
        ) from None
    for name in LISTS:
        unknown = unknown_kinds(getattr(data, name))
        if unknown:
            raise Invalid(
                "unknown notification kinds",
                {name: unknown, "known": sorted(NOTIFICATION_KINDS)},
                code="unknown_kind",
            )
    if data.sms and not user["phone"]:
        raise Invalid(
            "texts need a phone number on the account", {"sms": data.sms}, code="no_phone"
        )
    if data.email and not user["email"]:
        raise Invalid(
            "e-mails need an address on the account", {"email": data.email}, code="no_email"
        )
    if data.report != "off" and user["role"] not in ("admin", "manager"):
        raise Invalid(
            "summary reports are for admins and managers",
            {"report": data.report},
            code="report_not_available",
        )
