"""Work-order rules and transactions: create, edit, move through the lifecycle, assign."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import msgspec
from msgspec import UNSET

from server.accounts.actor import Actor
from server.accounts.tables import Department, Team, User
from server.clock import Clock
from server.database import write_transaction
from server.errors import Conflict, Forbidden, Invalid, NotFound
from server.masterdata.tables import Asset, Customer, ServiceItem, Site
from server.references import require_reference
from server.workorders import lifecycle, schemas
from server.workorders.changes import next_sync_seq, record_exit, stamp
from server.workorders.custom_fields import validate as validate_custom_fields
from server.workorders.queries import (
    encode_cursor,
    fetch_order,
    fetch_page,
    fetch_timeline,
    lock_order,
)
from server.workorders.tables import Counter, OrderFlag, Template, TimelineEvent, WorkOrder

# Rows a request may refer to that are only checked for existence; templates and
# service items are read anyway for their values, and that read is the check.
REFERENCES: dict[str, Any] = {
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
    ]
)
FIELD_EDITABLE = frozenset(["description", "custom_fields"])
REQUESTER_EDITABLE = frozenset(["title", "description", "custom_fields"])


def _column(field: str) -> Any:
    return getattr(WorkOrder, field.removesuffix("_id"))


def _found(row: dict[str, Any] | None, field: str, key: UUID) -> dict[str, Any]:
    if row is None:
        what = field.removesuffix("_id").replace("_", " ")
        raise Invalid(f"no such {what}", {field: str(key)}, code="unknown_reference")
    return row


def _jsonable(value: Any) -> Any:
    return msgspec.to_builtins(value)


class WorkOrderService:
    def __init__(self, actor: Actor, clock: Clock) -> None:
        self.actor = actor
        self.clock = clock

    # Reading -----------------------------------------------------------------

    async def list_orders(self, query: schemas.ListQuery) -> bytes:
        """One page of the caller's orders (a WorkOrderPage as JSON), in one query
        whatever the page size."""
        for name in ("created_from", "created_to", "due_from", "due_to"):
            bound = getattr(query, name)
            if bound is not None and bound.tzinfo is None:
                raise Invalid(
                    f"{name} needs a time zone offset (e.g. Z or +08:00)",
                    {name: bound.isoformat()},
                    code="timezone_required",
                )
        page = await fetch_page(self.actor, query)
        more = len(page.docs) > query.limit
        cursor = encode_cursor(query.sort, page.keys[query.limit - 1]) if more else None
        # A WorkOrderPage, written from the documents the database built.
        return msgspec.json.encode({"items": page.docs[: query.limit], "next_cursor": cursor})

    async def get(self, order_id: UUID) -> schemas.WorkOrderDetail:
        order = await fetch_order(self.actor, order_id)
        timeline = await fetch_timeline(order_id)
        return schemas.WorkOrderDetail(
            **msgspec.structs.asdict(order),
            timeline=timeline,
            allowed_actions=lifecycle.allowed_actions(  # type: ignore[arg-type]
                order.status,
                self.actor.role,
                order.assignee_id == self.actor.user_id,
                order.requester_id == self.actor.user_id,
            ),
        )

    async def timeline(self, order_id: UUID) -> list[schemas.TimelineEvent]:
        await fetch_order(self.actor, order_id)
        return await fetch_timeline(order_id)

    async def _response(self, order_id: UUID) -> schemas.WorkOrder:
        return await fetch_order(self.actor, order_id, scoped=False)

    # Writing -----------------------------------------------------------------

    async def create(self, data: schemas.WorkOrderCreate) -> schemas.WorkOrder:
        values = self._creation_values(data)
        await self._check_references(values)
        template = await self._template(values.get("template_id"))
        if template is not None:
            if template["kind"] != data.kind:
                raise Invalid(
                    "the order's kind differs from its template's",
                    {"kind": data.kind, "template_kind": template["kind"]},
                )
            values["custom_fields"] = validate_custom_fields(
                msgspec.convert(template["fields"], list[schemas.TemplateField]),
                data.custom_fields,
            )
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
        now = self.clock()
        order_id = data.id or uuid4()
        async with write_transaction(WorkOrder._meta.db):
            if await WorkOrder.exists().where(WorkOrder.id == order_id):
                raise Conflict(
                    "a work order with this id exists", {"id": str(order_id)}, code="already_exists"
                )
            number = await self._next_number()
            status = "assigned" if assignee else "new"
            await WorkOrder.insert(
                WorkOrder(
                    id=order_id,
                    number=number,
                    kind=data.kind,
                    title=data.title,
                    description=data.description,
                    status=status,
                    **{_column(k)._meta.name: v for k, v in values.items()},
                    created_by=self.actor.user_id,
                    created_at=now,
                    updated_at=now,
                    version=2 if assignee else 1,
                    sync_seq=await next_sync_seq(),
                )
            )
            events = [
                self._event(order_id, 1, "created", {"status": [None, "new"]}, data.device_time)
            ]
            if assignee is not None:
                events.append(
                    self._event(
                        order_id,
                        2,
                        "assigned",
                        {"assignee": [None, str(assignee["id"])], "status": ["new", status]},
                        data.device_time,
                    )
                )
            await TimelineEvent.insert(*events)
        return await self._response(order_id)

    def _creation_values(self, data: schemas.WorkOrderCreate) -> dict[str, Any]:
        """The optional fields of a new order, after the caller's role has had its say."""
        actor = self.actor
        values = {
            field: getattr(data, field)
            for field in (
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
            )
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

    async def _check_references(self, values: dict[str, Any]) -> None:
        for field, table in REFERENCES.items():
            what = field.removesuffix("_id").replace("_", " ")
            await require_reference(table, values.get(field), field, what)
        if values.get("parent_id") is not None:
            # A parent must be an order the caller can see; others do not exist for them.
            try:
                await fetch_order(self.actor, values["parent_id"])
            except NotFound:
                raise Invalid(
                    "no such parent order",
                    {"parent_id": str(values["parent_id"])},
                    code="unknown_reference",
                ) from None

    async def _check_asset_site(self, asset_id: UUID, site_id: UUID) -> None:
        if not await Asset.exists().where(Asset.id == asset_id, Asset.site == site_id):
            raise Invalid("the asset is not at that site", {"asset_id": str(asset_id)})

    @staticmethod
    async def _template(template_id: UUID | None) -> dict[str, Any] | None:
        if template_id is None:
            return None
        row = (
            await Template.select(Template.kind, Template.department, Template.fields)
            .where(Template.id == template_id)
            .output(load_json=True)
            .first()
        )
        return _found(row, "template_id", template_id)

    @staticmethod
    async def _service_item(item_id: UUID) -> dict[str, Any]:
        row = (
            await ServiceItem.select(ServiceItem.default_priority, ServiceItem.department)
            .where(ServiceItem.id == item_id)
            .first()
        )
        return _found(row, "service_item_id", item_id)

    async def _apply_service_item_defaults(self, values: dict[str, Any]) -> None:
        item = None
        if values.get("service_item_id"):
            item = await self._service_item(values["service_item_id"])
        if "priority" not in values:
            values["priority"] = item["default_priority"] if item else "P3"
        if item and item["department"] and "department_id" not in values:
            values["department_id"] = item["department"]

    @staticmethod
    async def _assignee(user_id: UUID) -> dict[str, Any]:
        row = (
            await User.select(User.id, User.role, User.team, User.active)
            .where(User.id == user_id)
            .first()
        )
        if row is None or not row["active"] or row["role"] not in lifecycle.FIELD_ROLES:
            raise Invalid(
                "the assignee must be an active technician or inspector",
                {"assignee_id": str(user_id)},
                code="invalid_assignee",
            )
        return row

    @staticmethod
    async def _next_number() -> int:
        rows = (
            await Counter.update({Counter.value: Counter.value + 1})
            .where(Counter.name == "work_order")
            .returning(Counter.value)
        )
        return rows[0]["value"]

    def _event(
        self,
        order_id: UUID,
        version: int,
        kind: str,
        changes: dict[str, Any],
        device_time: datetime | None,
        note: str = "",
    ) -> TimelineEvent:
        return TimelineEvent(
            id=uuid4(),
            order=order_id,
            version=version,
            kind=kind,
            actor=self.actor.user_id,
            at=self.clock(),
            device_time=device_time,
            changes=_jsonable(changes),
            note=note,
        )

    @staticmethod
    def _check_version(row: dict[str, Any], expected: int | msgspec.UnsetType) -> None:
        if expected is not UNSET and expected != row["version"]:
            raise Conflict(
                "the order changed since you read it",
                {"expected_version": expected, "current_version": row["version"]},
                code="version_conflict",
            )

    async def _save(
        self,
        order_id: UUID,
        row: dict[str, Any],
        values: dict[Any, Any],
        kind: str,
        changes: dict[str, Any],
        device_time: datetime | None,
        note: str = "",
    ) -> None:
        """Write a locked order's change with its timeline event, as the next version."""
        version = row["version"] + 1
        seq = await next_sync_seq()
        now = self.clock()
        await record_exit(
            row, {column._meta.name: value for column, value in values.items()}, seq, now
        )
        await WorkOrder.update(
            {
                **values,
                WorkOrder.version: version,
                WorkOrder.updated_at: now,
                WorkOrder.sync_seq: seq,
            }
        ).where(WorkOrder.id == order_id)
        await TimelineEvent.insert(self._event(order_id, version, kind, changes, device_time, note))

    async def update(self, order_id: UUID, data: schemas.WorkOrderUpdate) -> schemas.WorkOrder:
        requested = {
            f.name: getattr(data, f.name)
            for f in msgspec.structs.fields(data)
            if f.name not in ("version", "device_time") and getattr(data, f.name) is not UNSET
        }
        await self._check_references(requested)
        if requested.get("service_item_id") is not None:
            await self._service_item(requested["service_item_id"])
        async with write_transaction(WorkOrder._meta.db):
            row = await lock_order(self.actor, order_id)
            self._check_version(row, data.version)
            self._check_editable(row, requested.keys())
            diff: dict[str, list[Any]] = {}
            values: dict[Any, Any] = {}
            for field, new in requested.items():
                old = row[field.removesuffix("_id")]
                if field == "custom_fields":
                    new = await self._checked_custom_fields(row["template"], new)
                if old != new:
                    diff[field.removesuffix("_id")] = [old, new]
                    values[_column(field)] = new
            if not diff:
                return await self._response(order_id)
            if "parent_id" in requested and requested["parent_id"] is not None:
                await self._check_not_ancestor(order_id, requested["parent_id"])
            asset = values.get(WorkOrder.asset, row["asset"])
            site = values.get(WorkOrder.site, row["site"])
            if asset is not None and site is not None:
                await self._check_asset_site(asset, site)
            await self._save(order_id, row, values, "edited", diff, data.device_time)
        return await self._response(order_id)

    @staticmethod
    async def _check_not_ancestor(order_id: UUID, parent_id: UUID) -> None:
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
            row = await WorkOrder.select(WorkOrder.parent).where(WorkOrder.id == current).first()
            current = row["parent"] if row else None
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
        fields = msgspec.convert(template["fields"], list[schemas.TemplateField])
        return validate_custom_fields(fields, values)

    async def transition(
        self, order_id: UUID, data: schemas.TransitionRequest
    ) -> schemas.WorkOrder:
        actor = self.actor
        async with write_transaction(WorkOrder._meta.db):
            row = await lock_order(self.actor, order_id)
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
            now = self.clock()
            values: dict[Any, Any] = {
                WorkOrder.status: target,
                WorkOrder.status_reason: reason if rule.needs_reason else "",
            }
            if data.action == "accept" and row["first_response_at"] is None:
                values[WorkOrder.first_response_at] = now
            if data.action == "resolve":
                values[WorkOrder.resolved_at] = now
            if data.action == "close":
                values[WorkOrder.closed_at] = now
            if data.action == "reopen":
                values[WorkOrder.resolved_at] = None
                values[WorkOrder.closed_at] = None
            await self._save(
                order_id,
                row,
                values,
                "status",
                {"status": [status, target]},
                data.device_time,
                reason,
            )
        return await self._response(order_id)

    async def assign(self, order_id: UUID, data: schemas.AssignRequest) -> schemas.WorkOrder:
        """Assign, or transfer to someone else (a transfer needs a reason)."""
        if data.assignee_id is None:
            raise Invalid("name the assignee", {"assignee_id": "required"})
        assignee = await self._assignee(data.assignee_id)
        team_id = data.team_id or assignee["team"]
        if data.team_id is not None:
            await self._check_references({"team_id": data.team_id})
        actor = self.actor
        async with write_transaction(WorkOrder._meta.db):
            row = await lock_order(self.actor, order_id)
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
                return await self._response(order_id)
            transfer = row["assignee"] is not None
            reason = data.reason.strip()
            if transfer and not reason:
                raise Invalid(
                    "a transfer needs a reason", {"reason": "required"}, code="reason_required"
                )
            values = {
                WorkOrder.assignee: assignee["id"],
                WorkOrder.team: team_id,
                WorkOrder.status: "assigned",
                WorkOrder.status_reason: "",
            }
            changes = {
                "assignee": [row["assignee"], assignee["id"]],
                "team": [row["team"], team_id],
                "status": [row["status"], "assigned"],
            }
            kind = "transferred" if transfer else "assigned"
            await self._save(order_id, row, values, kind, changes, data.device_time, reason)
        return await self._response(order_id)

    async def set_review(
        self, order_id: UUID, needed: bool, note: str, device_time: datetime | None = None
    ) -> None:
        """Raise or clear the order's review flag, as a change every device syncs."""
        async with write_transaction(WorkOrder._meta.db):
            row = await lock_order(self.actor, order_id)
            current = bool(row["needs_review"])
            if current == needed:
                return
            await self._save(
                order_id,
                row,
                {WorkOrder.needs_review: needed},
                "review_needed" if needed else "reviewed",
                {"needs_review": [current, needed]},
                device_time,
                note,
            )

    async def set_flags(self, order_id: UUID, data: schemas.FlagsUpdate) -> schemas.Flags:
        await fetch_order(self.actor, order_id)
        changed = [
            column
            for column, value in (
                (OrderFlag.starred, data.starred),
                (OrderFlag.important, data.important),
            )
            if value is not UNSET
        ]
        if changed:
            # Only the marks the request sets are written, in one statement: two
            # devices setting different marks at once both keep theirs.
            async with write_transaction(OrderFlag._meta.db):
                await OrderFlag.insert(
                    OrderFlag(
                        id=uuid4(),
                        user=self.actor.user_id,
                        order=order_id,
                        starred=data.starred is True,
                        important=data.important is True,
                    )
                ).on_conflict(
                    target=(OrderFlag.user, OrderFlag.order), action="DO UPDATE", values=changed
                )
                await stamp(order_id)  # the caller's other devices pull the new marks
        row = (
            await OrderFlag.select(OrderFlag.starred, OrderFlag.important)
            .where(OrderFlag.user == self.actor.user_id, OrderFlag.order == order_id)
            .first()
        )
        return schemas.Flags(
            starred=bool(row and row["starred"]), important=bool(row and row["important"])
        )
