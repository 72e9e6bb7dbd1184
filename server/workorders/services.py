"""The work-order API's reads, and its writes each as one unit of work (the rules
are in operations.py)."""

from __future__ import annotations

from uuid import UUID

import msgspec

from server.accounts.actor import Actor
from server.clock import Clock
from server.errors import Invalid
from server.workorders import lifecycle, schemas
from server.workorders.operations import OrderOperations
from server.workorders.projects import gantt, set_dependencies
from server.workorders.queries import encode_cursor, fetch_order, fetch_page, fetch_timeline
from server.workorders.rating import rate
from server.workorders.tables import OrderFlag
from server.workorders.unit import unit_of_work
from server.workorders.urging import UrgeRules, urge


class WorkOrderService:
    def __init__(self, actor: Actor, clock: Clock, urging: UrgeRules | None = None) -> None:
        self.actor = actor
        self.clock = clock
        self.urging = urging or UrgeRules()

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
        timeline = await fetch_timeline(self.actor, order_id)
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
        return await fetch_timeline(self.actor, order_id)

    async def _response(self, order_id: UUID) -> schemas.WorkOrder:
        return await fetch_order(self.actor, order_id, scoped=False)

    # Writing -----------------------------------------------------------------

    async def create(self, data: schemas.WorkOrderCreate) -> schemas.WorkOrder:
        async with unit_of_work(self.actor, self.clock) as unit:
            order_id = await OrderOperations(unit).create(data)
        return await self._response(order_id)

    async def update(self, order_id: UUID, data: schemas.WorkOrderUpdate) -> schemas.WorkOrder:
        async with unit_of_work(self.actor, self.clock) as unit:
            await OrderOperations(unit).update(order_id, data)
        return await self._response(order_id)

    async def transition(
        self, order_id: UUID, data: schemas.TransitionRequest
    ) -> schemas.WorkOrder:
        async with unit_of_work(self.actor, self.clock) as unit:
            await OrderOperations(unit).transition(order_id, data)
        return await self._response(order_id)

    async def assign(self, order_id: UUID, data: schemas.AssignRequest) -> schemas.WorkOrder:
        """Assign, or transfer to someone else (a transfer needs a reason)."""
        async with unit_of_work(self.actor, self.clock) as unit:
            await OrderOperations(unit).assign(order_id, data)
        return await self._response(order_id)

    async def urge(self, order_id: UUID, data: schemas.UrgeRequest) -> schemas.WorkOrder:
        async with unit_of_work(self.actor, self.clock) as unit:
            await urge(unit, order_id, self.urging, data.note, data.device_time)
        return await self._response(order_id)

    async def rate(self, order_id: UUID, data: schemas.RatingRequest) -> schemas.WorkOrder:
        async with unit_of_work(self.actor, self.clock) as unit:
            await rate(unit, order_id, data.score, data.comment, data.device_time)
        return await self._response(order_id)

    async def gantt(self, order_id: UUID) -> schemas.Gantt:
        return await gantt(self.actor, order_id)

    async def set_dependencies(
        self, order_id: UUID, data: schemas.DependenciesUpdate
    ) -> schemas.Gantt:
        async with unit_of_work(self.actor, self.clock) as unit:
            await set_dependencies(unit, order_id, data.depends_on, data.device_time)
            parent = (await unit.order(order_id))["parent"]
        return await gantt(self.actor, parent)

    async def set_flags(self, order_id: UUID, data: schemas.FlagsUpdate) -> schemas.Flags:
        async with unit_of_work(self.actor, self.clock) as unit:
            await OrderOperations(unit).set_flags(order_id, data)
        row = (
            await OrderFlag.select(OrderFlag.starred, OrderFlag.important)
            .where(OrderFlag.user == self.actor.user_id, OrderFlag.order == order_id)
            .first()
        )
        return schemas.Flags(
            starred=bool(row and row["starred"]), important=bool(row and row["important"])
        )
