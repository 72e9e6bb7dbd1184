"""Order templates: per kind and department, custom field definitions and a checklist."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from msgspec import UNSET

from server.accounts.actor import Actor
from server.accounts.tables import Department
from server.database import write_transaction
from server.errors import Forbidden, Invalid, NotFound
from server.ids import new_id
from server.workorders import schemas
from server.workorders.changes import next_sync_seq
from server.workorders.custom_fields import check_definitions
from server.workorders.tables import Template

TEMPLATE_COLUMNS: tuple[Any, ...] = (
    Template.id,
    Template.name,
    Template.kind,
    Template.department.as_alias("department_id"),
    Template.fields,
    Template.checklist,
)


class TemplateService:
    def __init__(self, actor: Actor) -> None:
        self.actor = actor

    def _require_manager(self) -> None:
        if not self.actor.can_manage:
            raise Forbidden("only admins and managers maintain templates")

    async def list_templates(self) -> list[schemas.Template]:
        rows = (
            await Template.select(*TEMPLATE_COLUMNS).order_by(Template.name).output(load_json=True)
        )
        return msgspec.convert(rows, list[schemas.Template])

    async def get(self, template_id: UUID) -> schemas.Template:
        row = (
            await Template.select(*TEMPLATE_COLUMNS)
            .where(Template.id == template_id)
            .output(load_json=True)
            .first()
        )
        if row is None:
            raise NotFound("no such template", {"id": str(template_id)})
        return msgspec.convert(row, schemas.Template)

    async def create(self, data: schemas.TemplateCreate) -> schemas.Template:
        self._require_manager()
        check_definitions(data.fields)
        await self._check_department(data.department_id)
        async with write_transaction(Template._meta.db):
            template = Template(
                id=new_id(),
                name=data.name,
                kind=data.kind,
                department=data.department_id,
                fields=msgspec.to_builtins(data.fields),
                checklist=msgspec.to_builtins(data.checklist),
                sync_seq=await next_sync_seq(),
            )
            await template.save()
        return await self.get(template.id)

    async def update(self, template_id: UUID, data: schemas.TemplateUpdate) -> schemas.Template:
        self._require_manager()
        values: dict[Any, Any] = {}
        if data.name is not UNSET:
            values[Template.name] = data.name
        if data.department_id is not UNSET:
            await self._check_department(data.department_id)
            values[Template.department] = data.department_id
        if data.fields is not UNSET:
            check_definitions(data.fields)
            values[Template.fields] = msgspec.to_builtins(data.fields)
        if data.checklist is not UNSET:
            values[Template.checklist] = msgspec.to_builtins(data.checklist)
        if values:
            async with write_transaction(Template._meta.db):
                values[Template.sync_seq] = await next_sync_seq()
                rows = (
                    await Template.update(values)
                    .where(Template.id == template_id)
                    .returning(Template.id)
                )
                if not rows:
                    raise NotFound("no such template", {"id": str(template_id)})
        return await self.get(template_id)

    @staticmethod
    async def _check_department(department_id: UUID | None) -> None:
        if department_id is not None and not await Department.exists().where(
            Department.id == department_id
        ):
            raise Invalid("no such department", {"department_id": str(department_id)})
