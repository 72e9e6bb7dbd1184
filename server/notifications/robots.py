"""Setting up chat-group robots: which group gets which department's events.

Admins manage every robot; managers the robots of the departments they manage,
and may not make company-wide ones (no department). A robot outside the caller's
scope is answered 404, as if it did not exist. The signing secret is write-only.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from server.accounts.actor import Actor
from server.accounts.tables import Department
from server.clock import Clock
from server.database import json_column, write_transaction
from server.errors import Forbidden, Invalid, NotFound
from server.ids import new_id
from server.notifications import schemas
from server.notifications.endpoints import endpoint_allowed
from server.notifications.sending import Outgoing, Sender
from server.notifications.tables import ChatRobot
from server.notifications.texts import unknown_kinds
from server.references import require_reference
from server.settings import Settings

COLUMNS = (
    ChatRobot.id,
    ChatRobot.name,
    ChatRobot.platform,
    ChatRobot.url,
    ChatRobot.secret,
    ChatRobot.department.as_alias("department_id"),
    ChatRobot.kinds,
    ChatRobot.language,
    ChatRobot.active,
    ChatRobot.created_at,
)
TEST_TEXTS = {
    "zh-CN": ("FieldOps 测试消息", "本群将收到这些通知：{kinds}"),
    "en": ("FieldOps test message", "This group will get these notifications: {kinds}"),
}


def _check_url(accepted: str, url: str) -> None:
    if not endpoint_allowed(accepted, url):
        raise Invalid(
            "the robot's URL is not an accepted chat platform's",
            {"url": url, "accepted": accepted},
            code="invalid_url",
        )


def _check_kinds(kinds: list[str]) -> list[str]:
    """The kinds without repeats; 422 ``unknown_kind`` for one no notification has."""
    unknown = unknown_kinds(kinds)
    if unknown:
        raise Invalid("no notification has these kinds", {"kinds": unknown}, code="unknown_kind")
    return list(dict.fromkeys(kinds))


def _robot(row: dict[str, Any]) -> schemas.ChatRobot:
    fields = {key: value for key, value in row.items() if key != "secret"}
    fields["kinds"] = json_column(row["kinds"])
    fields["has_secret"] = bool(row["secret"])
    return msgspec.convert(fields, schemas.ChatRobot, strict=False)


class ChatRobotService:
    def __init__(self, actor: Actor, clock: Clock, settings: Settings) -> None:
        self.actor = actor
        self.clock = clock
        self.settings = settings

    async def list(self, department_id: UUID | None = None) -> list[schemas.ChatRobot]:
        """The robots the caller manages by name, optionally of one department."""
        self._require_role()
        query = ChatRobot.select(*COLUMNS).order_by(ChatRobot.name)
        if department_id is not None:
            query = query.where(ChatRobot.department == department_id)
        if not self.actor.is_admin:
            if not self.actor.managed_departments:
                return []
            query = query.where(ChatRobot.department.is_in(list(self.actor.managed_departments)))
        return [_robot(row) for row in await query]

    async def get(self, robot_id: UUID) -> schemas.ChatRobot:
        self._require_role()
        return _robot(await self._row(robot_id))

    async def create(self, data: schemas.ChatRobotCreate) -> schemas.ChatRobot:
        """Add a robot; 422 for an address that is not https or kinds no notification has."""
        self._require_role()
        self._require_department(data.department_id)
        _check_url(self.settings.chat_robot_urls, data.url)
        kinds = _check_kinds(data.kinds)
        robot_id = new_id()
        async with write_transaction(ChatRobot._meta.db):
            await require_reference(Department, data.department_id, "department_id", "department")
            await ChatRobot.insert(
                ChatRobot(
                    id=robot_id,
                    name=data.name,
                    platform=data.platform,
                    url=data.url,
                    secret=data.secret,
                    department=data.department_id,
                    kinds=msgspec.json.encode(kinds).decode(),
                    language=data.language,
                    active=data.active,
                    created_at=self.clock(),
                )
            )
        return await self.get(robot_id)

    async def update(self, robot_id: UUID, data: schemas.ChatRobotUpdate) -> schemas.ChatRobot:
        """Change the given fields; an empty secret stops signing."""
        self._require_role()
        values: dict[Any, Any] = {}
        for field in msgspec.structs.fields(data):
            value = getattr(data, field.name)
            if value is not msgspec.UNSET and field.name != "kinds":
                values[getattr(ChatRobot, field.name.removesuffix("_id"))] = value
        async with write_transaction(ChatRobot._meta.db):
            await self._row(robot_id)
            if data.department_id is not msgspec.UNSET:
                self._require_department(data.department_id)
                await require_reference(
                    Department, data.department_id, "department_id", "department"
                )
            if data.url is not msgspec.UNSET:
                _check_url(self.settings.chat_robot_urls, data.url)
            if data.kinds is not msgspec.UNSET:
                kinds = _check_kinds(data.kinds)
                values[ChatRobot.kinds] = msgspec.json.encode(kinds).decode()
            if values:
                await ChatRobot.update(values).where(ChatRobot.id == robot_id)
        return await self.get(robot_id)

    async def delete(self, robot_id: UUID) -> None:
        """Delete a robot; its posts not yet sent fail."""
        self._require_role()
        async with write_transaction(ChatRobot._meta.db):
            await self._row(robot_id)
            await ChatRobot.delete().where(ChatRobot.id == robot_id)

    async def test(self, robot_id: UUID, sender: Sender) -> schemas.ChatRobotTest:
        """Post a test message now and answer what the platform said."""
        self._require_role()
        row = await self._row(robot_id)
        title, body = TEST_TEXTS[row["language"]]
        kinds = ", ".join(json_column(row["kinds"]))
        result = await sender.send(
            Outgoing(
                id=new_id(),
                channel="chat",
                target=str(robot_id),
                kind="chat_test",
                language=row["language"],
                title=title,
                body=body.format(kinds=kinds),
                link="",
            )
        )
        return schemas.ChatRobotTest(outcome=result.outcome, error=result.error)

    def _require_role(self) -> None:
        if not (self.actor.is_admin or self.actor.is_manager):
            raise Forbidden("only admins and managers set up chat robots")

    def _manages(self, department: Any) -> bool:
        if self.actor.is_admin:
            return True
        return department is not None and UUID(str(department)) in self.actor.managed_departments

    def _require_department(self, department_id: UUID | None) -> None:
        if not self._manages(department_id):
            raise Forbidden(
                "managers set up robots of the departments they manage only",
                {"department_id": str(department_id) if department_id else None},
            )

    async def _row(self, robot_id: UUID) -> dict[str, Any]:
        row = await ChatRobot.select(*COLUMNS).where(ChatRobot.id == robot_id).first()
        if row is None or not self._manages(row["department_id"]):
            raise NotFound("no such chat robot", {"id": str(robot_id)})
        return row
