"""The rules of changing work orders, applied to a unit of work (see unit.py).

REST requests and sync mutations both come here: one place decides who may
create, edit, move and route an order. Every operation finishes its checks
before its first write, so one that raises leaves the unit as it was.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from msgspec import UNSET
from piccolo.table import Table

from server.accounts.system import SYSTEM_ID
from server.accounts.tables import Department, Team, User
from server.errors import Conflict, Forbidden, Invalid, NotFound
from server.ids import new_id
from server.masterdata.tables import Asset, Customer, ServiceItem, Site
from server.notifications.service import notify
from server.references import unknown_reference
from server.workorders import lifecycle, schemas
from server.workorders.custom_fields import validate as validate_custom_fields
from server.workorders.tables import OrderFlag, Template
from server.workorders.unit import OrderUnit

# Rows a request may refer to that are only checked for existence; templates and
# service items are read anyway for their values, and that read is the check.
REFERENCES: dict[str, type[Table]] = {
    "customer_id": Customer,
    "site_id": Site,
    "asset_id": Asset,
    "department_id": Department,
    "team_id": Team,
    "requester_id": User,
}
MAX_PROJECT_DEPTH = 20
# Which fields of an existing order each kind of caller may edit.
STAFF_EDITABLE = frozenset(
    [
        "title",
        "description",
        "priority",
        "customer_id",
        "site_id",
        "asset_id",
        "service_item_id",
        "department_id",
        "parent_id",
        "custom_fields",
        "due_at",
        "planned_start_at",
        "planned_end_at",
        "location",
    ]
)
FIELD_EDITABLE = frozenset(["description", "custom_fields"])
REQUESTER_EDITABLE = frozenset(["title", "description", "custom_fields", "location"])
FLAGS_UPSERT = (
    'ON CONFLICT ("user", "order") DO UPDATE SET '
    "starred = CASE WHEN {} THEN excluded.starred ELSE order_flag.starred END, "
    "important = CASE WHEN {} THEN excluded.important ELSE order_flag.important END"
)
CREATION_FIELDS = (
    "priority",
    "customer_id",
    "requester_id",
    "site_id",
    "asset_id",
    "service_item_id",
    "department_id",
    "team_id",
    "assignee_id",
    "parent_id",
    "template_id",
    "due_at",
    "planned_start_at",
    "planned_end_at",
    "location",
)


def _column(field: str) -> str:
    return field.removesuffix("_id")


def _check_planned(start: datetime | None, end: datetime | None) -> None:
    if start is not None and end is not None and end < start:
        raise Invalid(
            "the planned end is before the planned start",
            {"planned_start_at": start.isoformat(), "planned_end_at": end.isoformat()},
            code="invalid_plan_dates",
        )


class OrderOperations:
    def __init__(self, unit: OrderUnit) -> None:
        self.unit = unit
        self.actor = unit.actor

    # Checks ------------------------------------------------------------------

    async def _check_references(self, values: dict[str, Any]) -> None:
        for field, table in REFERENCES.items():
            key = values.get(field)
            if key is not None and key is not UNSET and await self.unit.row(table, key) is None:
                raise unknown_reference(field, key)
        if values.get("parent_id") is not None:
            # A parent must be an order the caller can see; others do not exist for them.
            try:
                await self.unit.order(values["parent_id"])
            except NotFound:
                raise unknown_reference("parent_id", values["parent_id"]) from None

    async def _check_asset_site(self, asset_id: UUID, site_id: UUID) -> None:
        asset = await self.unit.row(Asset, asset_id)
        if asset is None or asset["site"] != site_id:
            raise Invalid("the asset is not at that site", {"asset_id": str(asset_id)})

    async def _template(self, template_id: UUID | None) -> dict[str, Any] | None:
        if template_id is None:
            return None
        row = await self.unit.row(Template, template_id)
        if row is None:
            raise unknown_reference("template_id", template_id)
        return row

    async def _template_fields(self, template: dict[str, Any]) -> list[schemas.TemplateField]:
        fields = template["fields"]
        if isinstance(fields, str | bytes):
            return msgspec.json.decode(fields, type=list[schemas.TemplateField])
        return msgspec.convert(fields, list[schemas.TemplateField])

    async def _service_item(self, item_id: UUID) -> dict[str, Any]:
        row = await self.unit.row(ServiceItem, item_id)
        if row is None:
            raise unknown_reference("service_item_id", item_id)
        return row

    async def _assignee(self, user_id: UUID) -> dict[str, Any]:
        row = await self.unit.row(User, user_id)
        if row is None or not row["active"] or row["role"] not in lifecycle.FIELD_ROLES:
            raise Invalid(
                "the assignee must be an active technician or inspector",
                {"assignee_id": str(user_id)},
                code="invalid_assignee",
            )
        return row

    @staticmethod
    def _check_version(row: dict[str, Any], expected: int | msgspec.UnsetType) -> None:
        if expected is not UNSET and expected != row["version"]:
            raise Conflict(
                "the order changed since you read it",
                {"expected_version": expected, "current_version": row["version"]},
                code="version_conflict",
            )

    # Creating ----------------------------------------------------------------

    async def create(self, data: schemas.WorkOrderCreate) -> UUID:
        values = self._creation_values(data)
        await self._check_references(values)
        template = await self._template(values.get("template_id"))
        custom_fields: dict[str, Any] = {}
        if template is not None:
            if template["kind"] != data.kind:
                raise Invalid(
                    "the order's kind differs from its template's",
                    {"kind": data.kind, "template_kind": template["kind"]},
                )
            fields = await self._template_fields(template)
            custom_fields = validate_custom_fields(fields, data.custom_fields)
            values.setdefault("department_id", template["department"])
        elif data.custom_fields:
            raise Invalid(
                "custom fields need a template", {"custom_fields": "no template_id given"}
            )
        await self._apply_service_item_defaults(values)
        if values.get("asset_id") and values.get("site_id"):
            await self._check_asset_site(values["asset_id"], values["site_id"])
        assignee = (
            await self._assignee(values["assignee_id"]) if values.get("assignee_id") else None
        )
        if assignee is not None:
            values.setdefault("team_id", assignee["team"])
        _check_planned(values.get("planned_start_at"), values.get("planned_end_at"))
        order_id = data.id or new_id()
        if await self.unit.exists(order_id):
            raise Conflict(
                "a work order with this id exists", {"id": str(order_id)}, code="already_exists"
            )
        now = self.unit.clock()
        self.unit.create(
            {
                **{_column(f): None for f in CREATION_FIELDS},
                **{_column(f): v for f, v in values.items()},
                "id": order_id,
                "kind": data.kind,
                "title": data.title,
                "description": data.description,
                "status": "new",
                "status_reason": "",
                "custom_fields": custom_fields,
                "first_response_at": None,
                "resolved_at": None,
                "closed_at": None,
                "created_by": None if self.actor.user_id == SYSTEM_ID else self.actor.user_id,
                "created_at": now,
                "updated_at": now,
                "version": 0,
                "needs_review": False,
            }
        )
        self.unit.change(order_id, {}, "created", {"status": [None, "new"]}, data.device_time)
        if assignee is not None:
            self.unit.change(
                order_id,
                {"status": "assigned"},
                "assigned",
                {"assignee": [None, str(assignee["id"])], "status": ["new", "assigned"]},
                data.device_time,
            )
        return order_id

    def _creation_values(self, data: schemas.WorkOrderCreate) -> dict[str, Any]:
        """The optional fields of a new order, after the caller's role has had its say."""
        actor = self.actor
        values = {
            field: msgspec.to_builtins(getattr(data, field))
            if field == "location"
            else getattr(data, field)
            for field in CREATION_FIELDS
            if getattr(data, field) is not None
        }
        if actor.is_requester:
            if data.kind not in ("customer_request", "service"):
                raise Forbidden("requesters create customer requests and service orders")
            routed = {"assignee_id", "team_id", "department_id", "requester_id"} & values.keys()
            if routed:
                raise Forbidden(
                    "requesters cannot route or assign orders", {"fields": sorted(routed)}
                )
            values["requester_id"] = actor.user_id
        elif actor.is_field_worker:
            if values.get("assignee_id") not in (None, actor.user_id):
                raise Forbidden("field staff may assign a new order only to themselves")
            if actor.team_id and "team_id" not in values:
                values["team_id"] = actor.team_id
        return values

    async def _apply_service_item_defaults(self, values: dict[str, Any]) -> None:
        item = None
        if values.get("service_item_id"):
            item = await self._service_item(values["service_item_id"])
        if "priority" not in values:
            values["priority"] = item["default_priority"] if item else "P3"
        if item and item["department"] and "department_id" not in values:
            values["department_id"] = item["department"]

    # Editing -----------------------------------------------------------------

    async def update(self, order_id: UUID, data: schemas.WorkOrderUpdate) -> None:
        requested = {
            name: getattr(data, name)
            for name in data.__struct_fields__
            if name not in ("version", "device_time") and getattr(data, name) is not UNSET
        }
        await self._check_references(requested)
        if requested.get("service_item_id") is not None:
            await self._service_item(requested["service_item_id"])
        row = await self.unit.order(order_id)
        self._check_version(row, data.version)
        self._check_editable(row, requested.keys())
        diff: dict[str, list[Any]] = {}
        values: dict[str, Any] = {}
        for field, new in requested.items():
            column = _column(field)
            if field == "custom_fields":
                new = await self._checked_custom_fields(row["template"], new)
            elif field == "location":
                new = msgspec.to_builtins(new)
            if row[column] != new:
                diff[column] = [row[column], new]
                values[column] = new
        if not diff:
            return
        _check_planned(
            values.get("planned_start_at", row["planned_start_at"]),
            values.get("planned_end_at", row["planned_end_at"]),
        )
        if requested.get("parent_id") is not None:
            await self._check_not_ancestor(order_id, requested["parent_id"])
        asset = values.get("asset", row["asset"])
        site = values.get("site", row["site"])
        if ("asset" in values or "site" in values) and asset is not None and site is not None:
            await self._check_asset_site(asset, site)
        self.unit.change(order_id, values, "edited", diff, data.device_time)

    async def _check_not_ancestor(self, order_id: UUID, parent_id: UUID) -> None:
        """A project tree must stay a tree: the new parent may not descend from the order."""
        current: UUID | None = parent_id
        for _depth in range(MAX_PROJECT_DEPTH):
            if current is None:
                return
            if current == order_id:
                raise Invalid(
                    "an order cannot be a parent of its own ancestor",
                    {"parent_id": str(parent_id)},
                    code="parent_cycle",
                )
            try:
                current = (await self.unit.order(current, scoped=False))["parent"]
            except NotFound:
                return
        raise Invalid(
            f"projects nest at most {MAX_PROJECT_DEPTH} levels deep", {"parent_id": str(parent_id)}
        )

    def _check_editable(self, row: dict[str, Any], fields: Any) -> None:
        actor = self.actor
        if actor.can_manage:
            allowed = STAFF_EDITABLE
        elif actor.is_field_worker and row["assignee"] == actor.user_id:
            allowed = FIELD_EDITABLE
        elif actor.is_requester and row["status"] == "new":
            allowed = REQUESTER_EDITABLE
        else:
            allowed = frozenset()
        if refused := sorted(set(fields) - allowed):
            raise Forbidden("you may not change these fields", {"fields": refused})

    async def _checked_custom_fields(
        self, template_id: UUID | None, values: dict[str, Any]
    ) -> dict[str, Any]:
        template = await self._template(template_id)
        if template is None:
            if values:
                raise Invalid(
                    "custom fields need a template", {"custom_fields": "the order has none"}
                )
            return {}
        return validate_custom_fields(await self._template_fields(template), values)

    # Moving and routing ------------------------------------------------------

    async def transition(self, order_id: UUID, data: schemas.TransitionRequest) -> None:
        actor = self.actor
        row = await self.unit.order(order_id)
        status = row["status"]
        is_assignee = row["assignee"] == actor.user_id
        is_requester = row["requester"] == actor.user_id
        allowed = lifecycle.allowed_actions(status, actor.role, is_assignee, is_requester)
        rule = lifecycle.RULES[data.action]
        if status not in rule.sources:
            raise Conflict(
                f"cannot {data.action} an order that is {status}",
                {"status": status, "allowed_actions": allowed, "version": row["version"]},
                code="illegal_transition",
            )
        if data.action not in allowed:
            raise Forbidden(
                f"your role may not {data.action} this order",
                {"status": status, "allowed_actions": allowed},
                code="transition_forbidden",
            )
        reason = data.reason.strip()
        if rule.needs_reason and not reason:
            raise Invalid(
                f"{data.action} needs a reason", {"reason": "required"}, code="reason_required"
            )
        self._check_version(row, data.version)
        target = lifecycle.resolve_target(data.action, row["assignee"] is not None)
        now = self.unit.clock()
        values: dict[str, Any] = {
            "status": target,
            "status_reason": reason if rule.needs_reason else "",
        }
        if data.action == "accept" and row["first_response_at"] is None:
            values["first_response_at"] = now
        if data.action == "resolve":
            values["resolved_at"] = now
        if data.action == "close":
            values["closed_at"] = now
        if data.action == "reopen":
            values["resolved_at"] = None
            values["closed_at"] = None
        if status == "suspended":
            # An automatic suspension (server/sla/timers.py) remembers where it found
            # the order: resuming goes back there rather than to in_progress.
            if data.action == "resume" and row["resumes_to"]:
                values["status"] = target = row["resumes_to"]
            values["resumes_to"] = ""
        self.unit.change(
            order_id, values, "status", {"status": [status, target]}, data.device_time, reason
        )

    async def assign(self, order_id: UUID, data: schemas.AssignRequest) -> None:
        """Assign, or transfer to someone else (a transfer needs a reason)."""
        if data.assignee_id is None:
            raise Invalid("name the assignee", {"assignee_id": "required"})
        assignee = await self._assignee(data.assignee_id)
        team_id = data.team_id or assignee["team"]
        if data.team_id is not None:
            await self._check_references({"team_id": data.team_id})
        actor = self.actor
        row = await self.unit.order(order_id)
        is_assignee = row["assignee"] == actor.user_id
        if row["status"] not in lifecycle.OPEN:
            raise Conflict(
                f"cannot assign an order that is {row['status']}",
                {"status": row["status"], "version": row["version"]},
                code="illegal_transition",
            )
        if not lifecycle.may_assign(row["status"], actor.role, is_assignee):
            raise Forbidden("you may not assign this order", code="transition_forbidden")
        if actor.is_field_worker and (
            actor.team_id is None or {assignee["team"], team_id} != {actor.team_id}
        ):
            raise Forbidden("field staff hand orders on within their own team")
        if row["assignee"] == assignee["id"] and row["team"] == team_id:
            return
        transfer = row["assignee"] is not None
        reason = data.reason.strip()
        if transfer and not reason:
            raise Invalid(
                "a transfer needs a reason", {"reason": "required"}, code="reason_required"
            )
        values = {
            "assignee": assignee["id"],
            "team": team_id,
            "status": "assigned",
            "status_reason": "",
        }
        changes = {
            "assignee": [row["assignee"], assignee["id"]],
            "team": [row["team"], team_id],
            "status": [row["status"], "assigned"],
        }
        kind = "transferred" if transfer else "assigned"
        self.unit.change(order_id, values, kind, changes, data.device_time, reason)
        if assignee["id"] != actor.user_id:
            order = await self.unit.order(order_id, scoped=False)
            notify(
                self.unit,
                [assignee["id"]],
                "assigned",
                order,
                reason=reason,
                assignee=assignee["display_name"],
            )

    async def set_review(
        self, order_id: UUID, needed: bool, note: str, device_time: datetime | None = None
    ) -> None:
        """Raise or clear the order's review flag, as a change every device syncs."""
        row = await self.unit.order(order_id)
        current = row["needs_review"]
        if current == needed:
            return
        self.unit.change(
            order_id,
            {"needs_review": needed},
            "review_needed" if needed else "reviewed",
            {"needs_review": [current, needed]},
            device_time,
            note,
        )

    async def set_flags(self, order_id: UUID, data: schemas.FlagsUpdate) -> None:
        await self.unit.order(order_id)
        starred, important = data.starred is not UNSET, data.important is not UNSET
        if not (starred or important):
            return
        # Only the marks the request sets are written, decided in the statement: two
        # devices setting different marks at once both keep theirs.
        self.unit.insert(
            OrderFlag,
            {
                "id": new_id(),
                "user": self.actor.user_id,
                "order": order_id,
                "starred": data.starred is True,
                "important": data.important is True,
            },
            FLAGS_UPSERT,
            (starred, important),
        )
        self.unit.touch(order_id)  # the caller's other devices pull the new marks
