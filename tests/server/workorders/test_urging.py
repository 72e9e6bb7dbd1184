"""Urging (催单): who may urge, how often, what it tells whom, and the priority it
may raise; over the API and as an offline mutation."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
import msgspec
import pytest

from server.notifications.tables import Notification
from server.settings import Settings
from server.workorders.tables import TimelineEvent
from tests.clock import FakeClock
from tests.probes import assert_error
from tests.server.sla.rules import add_rule
from tests.server.workorders.orders import put_order
from tests.sync.device import Device
from tests.world import World


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(settings, urge_interval_minutes=30, urge_raises_priority_after=2)


async def urge(
    client: httpx.AsyncClient, world: World, order_id: UUID, caller: str = "requester"
) -> httpx.Response:
    return await client.post(
        f"/api/work-orders/{order_id}/urge",
        json={"note": "still leaking"},
        headers=await world.headers(caller),
    )


async def urged_events(order_id: UUID) -> int:
    return await TimelineEvent.count().where(
        TimelineEvent.order == order_id, TimelineEvent.kind == "urged"
    )


async def test_a_requester_urges_once_per_interval(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    order_id = await put_order(world, "assigned", assignee="north_tech")
    first = await urge(client, world, order_id)
    assert first.status_code == 200, first.text
    assert (first.json()["urge_count"], first.json()["last_urged_at"]) == (
        1,
        clock.now.isoformat().replace("+00:00", "Z"),
    )
    for user in ("north_tech", "north_manager"):
        notes = await Notification.select(Notification.kind, Notification.params).where(
            Notification.user == world.id(user)
        )
        assert [n["kind"] for n in notes] == ["urged"]

    clock.advance(minutes=20)
    again = await urge(client, world, order_id)
    assert_error(again, 429, "urge_too_soon")
    assert again.headers["Retry-After"] == str(10 * 60)
    allowed = datetime.fromisoformat(again.json()["details"]["next_allowed_at"])
    assert allowed == clock.now + timedelta(minutes=10)
    assert await urged_events(order_id) == 1

    clock.advance(minutes=10)
    third = await urge(client, world, order_id)
    assert third.status_code == 200
    assert third.json()["urge_count"] == 2
    assert await urged_events(order_id) == 2


@pytest.mark.parametrize(
    ("caller", "status", "code"),
    [
        ("requester", 200, None),
        ("north_manager", 200, None),
        ("admin", 200, None),
        ("north_tech", 403, "urge_forbidden"),  # the assignee does not urge themself
        ("other_requester", 404, "not_found"),  # not theirs: not found
        ("south_manager", 404, "not_found"),
    ],
)
async def test_who_may_urge(
    client: httpx.AsyncClient, world: World, caller: str, status: int, code: str | None
) -> None:
    order_id = await put_order(world, "assigned", assignee="north_tech")
    answer = await urge(client, world, order_id, caller)
    if code is None:
        assert answer.status_code == status, answer.text
    else:
        assert_error(answer, status, code)
        assert await urged_events(order_id) == 0


@pytest.mark.parametrize("status", ["resolved", "closed", "cancelled"])
async def test_only_open_orders_are_urged(
    client: httpx.AsyncClient, world: World, status: str
) -> None:
    order_id = await put_order(world, status, assignee="north_tech")
    assert_error(await urge(client, world, order_id), 409, "not_open")


async def test_every_second_urge_raises_the_priority_and_moves_the_due_times(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    await add_rule(client, world)
    created = await client.post(
        "/api/work-orders/",
        json={"title": "No heating", "priority": "P3", "requester_id": str(world.id("requester"))},
        headers=await world.headers("north_manager"),
    )
    assert created.status_code == 201, created.text
    order: dict[str, Any] = created.json()
    order_id = UUID(order["id"])
    assert (await urge(client, world, order_id)).json()["priority"] == "P3"
    clock.advance(minutes=30)
    raised = (await urge(client, world, order_id)).json()
    assert raised["priority"] == "P2"
    start = datetime.fromisoformat(order["created_at"])
    assert datetime.fromisoformat(raised["resolution_due_at"]) == start + timedelta(minutes=240)
    listed = await client.get("/api/work-orders?view=all", headers=await world.headers("requester"))
    assert [(o["urge_count"], o["priority"]) for o in listed.json()["items"]] == [(2, "P2")]


async def test_an_offline_urge_too_soon_is_rejected_not_delayed(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    order_id = await put_order(world, "assigned", assignee="north_tech")
    phone = Device(client, world, "requester")
    phone.make("urge_order", order_id=order_id, note="please")
    phone.make("urge_order", order_id=order_id, note="please!!")
    answer = await phone.push()
    assert [(r["outcome"], r.get("code")) for r in answer["results"]] == [
        ("applied", ""),
        ("rejected", "urge_too_soon"),
    ]
    assert await urged_events(order_id) == 1
