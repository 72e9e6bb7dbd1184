"""The unit of work: changes decided in memory, seen by later operations, written once."""

from __future__ import annotations

from uuid import uuid4

import httpx
import msgspec
import pytest

from server.accounts.actor import Actor
from server.errors import NotFound
from server.workorders import schemas
from server.workorders.comments import add_comment
from server.workorders.operations import OrderOperations
from server.workorders.tables import Comment, OrderExit, TimelineEvent, WorkOrder
from server.workorders.unit import unit_of_work
from tests.server.workorders.orders import put_order
from tests.world import World


def _actor(world: World, name: str, role: str, team: str | None, manages: str | None) -> Actor:
    return Actor(
        user_id=world.id(name),
        session_id=uuid4(),
        username=name,
        display_name=name,
        role=role,
        department_id=world.departments["north"],
        team_id=world.teams[team] if team else None,
        language="en",
        managed_departments=(world.departments[manages],) if manages else (),
    )


async def _events(order_id: object) -> list[tuple[int, str, object]]:
    rows = await (
        TimelineEvent.select(TimelineEvent.version, TimelineEvent.kind, TimelineEvent.changes)
        .where(TimelineEvent.order == order_id)
        .order_by(TimelineEvent.version)
    )
    return [(r["version"], r["kind"], msgspec.json.decode(r["changes"])) for r in rows]


async def test_a_restored_checkpoint_forgets_what_came_after_it(
    client: httpx.AsyncClient, world: World
) -> None:
    order_id = await put_order(world, "in_progress", assignee="north_tech", team="north")
    tech = _actor(world, "north_tech", "technician", "north", None)
    async with unit_of_work(tech, world.clock) as unit:
        orders = OrderOperations(unit)
        await orders.update(order_id, schemas.WorkOrderUpdate(description="first"))
        checkpoint = unit.checkpoint()
        await orders.update(order_id, schemas.WorkOrderUpdate(description="second"))
        await add_comment(unit, order_id, schemas.CommentCreate(body="forgotten"))
        unit.restore(checkpoint)
        await orders.update(order_id, schemas.WorkOrderUpdate(description="third"))
    row = await WorkOrder.select(WorkOrder.description, WorkOrder.version).first()
    assert row == {"description": "third", "version": 3}
    # The third edit saw the order as the first left it, not as the second did.
    assert await _events(order_id) == [
        (2, "edited", {"description": ["", "first"]}),
        (3, "edited", {"description": ["first", "third"]}),
    ]
    assert await Comment.count() == 0


async def test_later_operations_see_earlier_ones_and_each_order_is_written_once(
    client: httpx.AsyncClient, world: World
) -> None:
    tech = _actor(world, "north_tech", "technician", "north", None)
    async with unit_of_work(tech, world.clock) as unit:
        orders = OrderOperations(unit)
        order_id = await orders.create(
            schemas.WorkOrderCreate(title="Made and worked in one go", assignee_id=tech.user_id)
        )
        await orders.transition(order_id, schemas.TransitionRequest(action="accept"))
        await add_comment(unit, order_id, schemas.CommentCreate(body="on my way"))
        assert await WorkOrder.count() == 0  # nothing written before the flush
    row = await WorkOrder.select(
        WorkOrder.status, WorkOrder.version, WorkOrder.number, WorkOrder.first_response_at
    ).first()
    assert row is not None
    assert (row["status"], row["version"]) == ("accepted", 4)
    assert row["number"] > 0
    assert row["first_response_at"] is not None
    assert [(v, k) for v, k, _ in await _events(order_id)] == [
        (1, "created"),
        (2, "assigned"),
        (3, "status"),
        (4, "comment"),
    ]


async def test_a_change_that_moves_an_order_away_takes_it_out_of_scope_at_once(
    client: httpx.AsyncClient, world: World
) -> None:
    order_id = await put_order(world, "new", department="north")
    manager = _actor(world, "north_manager", "manager", None, "north")
    async with unit_of_work(manager, world.clock) as unit:
        orders = OrderOperations(unit)
        assert not await unit.had(order_id)
        await orders.update(
            order_id, schemas.WorkOrderUpdate(department_id=world.departments["south"])
        )
        with pytest.raises(NotFound):
            await unit.order(order_id)
        assert not await unit.visible(order_id)
        # The scope it had is kept (for tombstones), and known before the flush.
        assert await unit.had(order_id)
    exits = await OrderExit.select(OrderExit.department).where(OrderExit.order == order_id)
    assert exits == [{"department": world.departments["north"]}]
