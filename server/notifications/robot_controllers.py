"""HTTP endpoints of chat-group robots (WeCom, DingTalk, Feishu): set up by admins
and by managers for their departments."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from server.dependencies import ActorDep, ClockDep, SettingsDep
from server.notifications import schemas
from server.notifications.chat import ChatSender
from server.notifications.robots import ChatRobotService
from server.openapi import SECURITY, errors

DepartmentQuery = Annotated[
    UUID | None, QueryParameter(description="only the robots of this department")
]


def provide_chat_robot_service(
    actor: ActorDep, clock: ClockDep, settings: SettingsDep
) -> ChatRobotService:
    return ChatRobotService(actor, clock, settings)


ChatRobotServiceDep = NamedDependency[ChatRobotService]


class ChatRobotController(Controller):
    path = "/api/chat-robots"
    tags = ["notifications"]
    security = SECURITY
    dependencies = {"service": Provide(provide_chat_robot_service, sync_to_thread=False)}

    @get("/", operation_id="ListChatRobots", responses=errors(400, 401, 403))
    async def list_robots(
        self, service: ChatRobotServiceDep, department_id: DepartmentQuery = None
    ) -> schemas.ChatRobotPage:
        """The chat robots the caller manages, by name (admins: all; managers: their
        departments')."""
        return schemas.ChatRobotPage(items=await service.list(department_id))

    @post("/", operation_id="CreateChatRobot", responses=errors(400, 401, 403, 422))
    async def create_robot(
        self, data: JSONBody[schemas.ChatRobotCreate], service: ChatRobotServiceDep
    ) -> schemas.ChatRobot:
        """Post a department's events of the chosen kinds to a chat group through its
        robot's webhook; no department: every department's (admins only). The secret
        (DingTalk, Feishu signing) is never answered: `has_secret` says whether one is set."""
        return await service.create(data)

    @get("/{robot_id:uuid}", operation_id="GetChatRobot", responses=errors(400, 401, 403, 404))
    async def get_robot(
        self, robot_id: FromPath[UUID], service: ChatRobotServiceDep
    ) -> schemas.ChatRobot:
        """One chat robot."""
        return await service.get(robot_id)

    @patch(
        "/{robot_id:uuid}",
        operation_id="UpdateChatRobot",
        responses=errors(400, 401, 403, 404, 422),
    )
    async def update_robot(
        self,
        robot_id: FromPath[UUID],
        data: JSONBody[schemas.ChatRobotUpdate],
        service: ChatRobotServiceDep,
    ) -> schemas.ChatRobot:
        """Change the given fields of a chat robot; an empty secret stops signing."""
        return await service.update(robot_id, data)

    @delete(
        "/{robot_id:uuid}", operation_id="DeleteChatRobot", responses=errors(400, 401, 403, 404)
    )
    async def delete_robot(self, robot_id: FromPath[UUID], service: ChatRobotServiceDep) -> None:
        """Delete a chat robot; its posts not yet sent are dropped as failed."""
        await service.delete(robot_id)

    @post(
        "/{robot_id:uuid}/test",
        operation_id="TestChatRobot",
        status_code=200,
        responses=errors(400, 401, 403, 404),
    )
    async def test_robot(
        self, robot_id: FromPath[UUID], service: ChatRobotServiceDep, settings: SettingsDep
    ) -> schemas.ChatRobotTest:
        """Post a test message to the robot's group now and answer what its platform
        said (a wrong secret or address shows here)."""
        return await service.test(robot_id, ChatSender(settings))


CONTROLLERS = [ChatRobotController]
