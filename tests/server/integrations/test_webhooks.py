"""Outbound webhooks end to end: order events reach a receiver on 127.0.0.1 signed with
the subscription's secret, retried on 503 until the receiver takes them, each attempt
in the delivery log, redelivered on request; subscriptions are the admins' and name
only accepted URLs and known events."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import msgspec
import pytest
from aiohttp import web

from server.integrations.outbox import WebhookOutbox
from server.integrations.tables import WebhookDelivery
from server.notifications.endpoints import endpoint_allowed
from server.settings import Settings
from server.signatures import HEADER, verify
from tests.clock import FakeClock
from tests.http_stub import serving
from tests.probes import assert_error, counting_queries
from tests.scheduling import run_due
from tests.server.integrations.keys import bearer, make_key
from tests.server.sla.rules import add_rule
from tests.server.workorders.orders import put_order
from tests.world import World


@dataclass
class Receiver:
    """Another system's webhook endpoint: checks each signature against the secret
    it was given, and answers the statuses queued in ``answers`` before 200."""

    clock: FakeClock
    secret: str = ""
    answers: list[int] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        signature = request.headers.get(HEADER, "")
        now = int(self.clock().timestamp())
        self.received.append(
            {
                "body": msgspec.json.decode(body),
                "valid": verify(self.secret, body, signature, now),
                "stamp": int(signature.split(",")[0].removeprefix("t=")),
                "event": request.headers.get("X-FieldOps-Event"),
                "delivery": request.headers.get("X-FieldOps-Delivery"),
            }
        )
        status = self.answers.pop(0) if self.answers else 200
        return web.Response(status=status, text="ok" if status < 300 else "busy")

    def types(self) -> list[str]:
        return [item["body"]["type"] for item in self.received]


@asynccontextmanager
async def receiving(clock: FakeClock) -> AsyncIterator[tuple[Receiver, str]]:
    receiver = Receiver(clock)
    app = web.Application()
    app.router.add_post("/hooks", receiver.handle)
    async with serving(app) as base:
        yield receiver, f"{base}/hooks"


async def subscribe(
    client: httpx.AsyncClient, world: World, url: str, events: list[str]
) -> dict[str, Any]:
    answer = await client.post(
        "/api/webhooks",
        json={"name": "CRM", "url": url, "events": events},
        headers=await world.headers("admin"),
    )
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def create_order(client: httpx.AsyncClient, world: World, **fields: Any) -> dict[str, Any]:
    answer = await client.post(
        "/api/work-orders",
        json={"title": "Chiller down", "department_id": str(world.departments["north"]), **fields},
        headers=await world.headers("north_manager"),
    )
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def deliveries(
    client: httpx.AsyncClient, world: World, webhook: dict[str, Any]
) -> list[dict[str, Any]]:
    answer = await client.get(
        f"/api/webhooks/{webhook['id']}/deliveries", headers=await world.headers("admin")
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]  # type: ignore[no-any-return]


def outbox(settings: Settings, clock: FakeClock) -> WebhookOutbox:
    return WebhookOutbox(settings, clock)


async def test_events_reach_the_receiver_signed(
    client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    async with receiving(clock) as (receiver, url):
        webhook = await subscribe(client, world, url, ["order.created", "order.status_changed"])
        receiver.secret = webhook["secret"]
        assert webhook["secret"].startswith("whsec_")
        made = await create_order(client, world)
        assert await outbox(settings, clock).run_due() == 1
        assert await outbox(settings, clock).run_due() == 0
    (received,) = receiver.received
    assert received["valid"]
    assert received["stamp"] == int(clock.now.timestamp())
    body = received["body"]
    assert set(body) == {"id", "type", "created_at", "data"}
    assert body["type"] == received["event"] == "order.created"
    assert datetime.fromisoformat(body["created_at"]) == clock.now
    assert body["data"]["order"]["id"] == made["id"]
    assert body["data"]["order"]["number"] == made["number"]
    assert body["data"]["event"]["kind"] == "created"
    (logged,) = await deliveries(client, world, webhook)
    assert logged["id"] == received["delivery"]
    assert logged["event_id"] == body["id"]
    assert logged["payload"] == body
    assert (logged["state"], logged["attempts"], logged["last_status"]) == ("sent", 1, 200)
    assert [(a["outcome"], a["status"]) for a in logged["log"]] == [("delivered", 200)]


async def test_a_wrong_secret_fails_the_receivers_check(
    client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    async with receiving(clock) as (receiver, url):
        webhook = await subscribe(client, world, url, ["order.created"])
        receiver.secret = webhook["secret"] + "x"
        await create_order(client, world)
        await outbox(settings, clock).run_due()
    assert [item["valid"] for item in receiver.received] == [False]


async def test_each_change_is_its_kind_of_event(
    client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    everything = [
        "order.created",
        "order.status_changed",
        "order.assigned",
        "order.breached",
        "order.rated",
    ]
    async with receiving(clock) as (receiver, url):
        webhook = await subscribe(client, world, url, everything)
        receiver.secret = webhook["secret"]
        await add_rule(client, world)
        made = await create_order(client, world, assignee_id=str(world.id("north_tech")))
        clock.advance(minutes=61)  # P3: an hour to respond
        await run_due(settings, clock)
        accepted = await client.post(
            f"/api/work-orders/{made['id']}/transitions",
            json={"action": "accept"},
            headers=await world.headers("north_tech"),
        )
        assert accepted.status_code == 200, accepted.text
        await outbox(settings, clock).run_due()
    assert all(item["valid"] for item in receiver.received)
    assert sorted(receiver.types()) == sorted(
        [
            "order.created",
            "order.assigned",
            "order.status_changed",  # new -> assigned
            "order.breached",
            "order.status_changed",  # assigned -> accepted
        ]
    )
    statuses = [
        item["body"]["data"]["event"]["changes"]["status"]
        for item in receiver.received
        if item["body"]["type"] == "order.status_changed"
    ]
    assert sorted(statuses) == [["assigned", "accepted"], ["new", "assigned"]]
    # Every subscription and redelivery of one event carries one id; events differ.
    assert len({item["body"]["id"] for item in receiver.received}) == 5


async def test_only_the_chosen_events_of_active_subscriptions_are_sent(
    client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    async with receiving(clock) as (receiver, url):
        created = await subscribe(client, world, url, ["order.created"])
        moved = await subscribe(client, world, url, ["order.status_changed"])
        off = await subscribe(client, world, url, ["order.created"])
        switched = await client.patch(
            f"/api/webhooks/{off['id']}",
            json={"active": False},
            headers=await world.headers("admin"),
        )
        assert switched.json()["active"] is False
        await create_order(client, world)
        await outbox(settings, clock).run_due()
    assert receiver.types() == ["order.created"]
    assert len(await deliveries(client, world, created)) == 1
    assert await deliveries(client, world, moved) == []
    assert await deliveries(client, world, off) == []


async def test_a_busy_receiver_gets_the_event_again_after_the_backoff(
    client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    async with receiving(clock) as (receiver, url):
        webhook = await subscribe(client, world, url, ["order.created"])
        receiver.secret = webhook["secret"]
        receiver.answers = [503, 503]
        await create_order(client, world)
        await outbox(settings, clock).run_due()
        (pending,) = await deliveries(client, world, webhook)
        assert (pending["state"], pending["attempts"], pending["last_status"]) == (
            "pending",
            1,
            503,
        )
        # 30 s after the first failure.
        assert datetime.fromisoformat(pending["next_at"]) == clock.now + timedelta(seconds=30)
        clock.advance(seconds=29)
        assert await outbox(settings, clock).run_due() == 0
        clock.advance(seconds=1)
        assert await outbox(settings, clock).run_due() == 1  # 503 again: 60 s more
        clock.advance(seconds=59)
        assert await outbox(settings, clock).run_due() == 0
        clock.advance(seconds=1)
        assert await outbox(settings, clock).run_due() == 1
    assert len(receiver.received) == 3
    # One event: the same id and body each time, signed anew at each attempt's time.
    assert len({msgspec.json.encode(item["body"]) for item in receiver.received}) == 1
    assert all(item["valid"] for item in receiver.received)
    assert [item["stamp"] for item in receiver.received] == [
        int(clock.now.timestamp()) - 90,
        int(clock.now.timestamp()) - 60,
        int(clock.now.timestamp()),
    ]
    (sent,) = await deliveries(client, world, webhook)
    assert (sent["state"], sent["attempts"], sent["last_status"]) == ("sent", 3, 200)
    assert [(a["outcome"], a["status"], a["error"]) for a in sent["log"]] == [
        ("retry", 503, "HTTP 503"),
        ("retry", 503, "HTTP 503"),
        ("delivered", 200, ""),
    ]


async def test_a_refusal_fails_for_good_and_can_be_redelivered(
    client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    admin = await world.headers("admin")
    async with receiving(clock) as (receiver, url):
        webhook = await subscribe(client, world, url, ["order.created"])
        receiver.secret = webhook["secret"]
        receiver.answers = [400]
        await create_order(client, world)
        await outbox(settings, clock).run_due()
        (failed,) = await deliveries(client, world, webhook)
        assert (failed["state"], failed["last_status"]) == ("failed", 400)
        path = f"/api/webhooks/{webhook['id']}/deliveries/{failed['id']}"
        clock.advance(minutes=5)
        again = await client.post(f"{path}/redeliver", headers=admin)
        assert again.status_code == 200, again.text
        assert (again.json()["state"], again.json()["attempts"]) == ("pending", 0)
        assert_error(await client.post(f"{path}/redeliver", headers=admin), 409, "delivery_pending")
        assert await outbox(settings, clock).run_due() == 1
    first, second = receiver.received
    assert first["body"] == second["body"]
    assert second["valid"]
    assert second["stamp"] == int(clock.now.timestamp())
    done = (await client.get(path, headers=admin)).json()
    assert (done["state"], done["attempts"], done["last_status"]) == ("sent", 1, 200)
    assert [entry["outcome"] for entry in done["log"]] == ["failed", "redelivery", "delivered"]


async def test_a_receiver_that_does_not_answer_is_retried(
    client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    async with receiving(clock) as (_, url):
        webhook = await subscribe(client, world, url, ["order.created"])
    # The receiver has stopped: nothing listens at its address any more.
    await create_order(client, world)
    await outbox(settings, clock).run_due()
    (pending,) = await deliveries(client, world, webhook)
    assert (pending["state"], pending["last_status"]) == ("pending", None)
    assert pending["log"][0]["outcome"] == "retry"
    assert "ClientConnectorError" in pending["log"][0]["error"]


async def test_the_hook_reads_the_subscriptions_once_per_flush_and_only_for_events(
    client: httpx.AsyncClient, world: World
) -> None:
    headers = await world.headers("north_manager")
    with counting_queries() as seen:
        answer = await client.post(
            "/api/work-orders",
            json={"title": "Leak", "department_id": str(world.departments["north"])},
            headers=headers,
        )
    assert answer.status_code == 201
    assert sum("webhook_subscription" in statement for statement in seen) == 1
    assert await WebhookDelivery.count() == 0
    with counting_queries() as seen:
        flags = await client.put(
            f"/api/work-orders/{answer.json()['id']}/flags", json={"starred": True}, headers=headers
        )
    assert flags.status_code == 200
    assert not any("webhook_subscription" in statement for statement in seen)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (
            {"name": "x", "url": "ftp://crm.example.com/x", "events": ["order.created"]},
            400,
            "validation_error",
        ),
        (
            {"name": "x", "url": "http://crm.example.com/x", "events": ["order.created"]},
            422,
            "invalid_url",
        ),
        (
            {"name": "x", "url": "https://crm.example.com/x", "events": ["order.deleted"]},
            400,
            "validation_error",
        ),
        ({"name": "x", "url": "https://crm.example.com/x", "events": []}, 400, "validation_error"),
    ],
)
async def test_subscriptions_name_accepted_urls_and_known_events(
    client: httpx.AsyncClient, world: World, body: dict[str, Any], status: int, code: str
) -> None:
    answer = await client.post("/api/webhooks", json=body, headers=await world.headers("admin"))
    assert_error(answer, status, code)


async def test_webhooks_are_the_admins_and_their_secret_is_shown_once(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    for user in ("north_manager", "north_tech", "requester"):
        answer = await client.get("/api/webhooks", headers=await world.headers(user))
        assert_error(answer, 403, "forbidden")
    admin = await world.headers("admin")
    webhook = await subscribe(client, world, "https://crm.example.com/hooks", ["order.created"])
    shown = [
        (await client.get(f"/api/webhooks/{webhook['id']}", headers=admin)).json(),
        *(await client.get("/api/webhooks", headers=admin)).json()["items"],
    ]
    for later in shown:
        assert "secret" not in later
    rotated = await client.post(f"/api/webhooks/{webhook['id']}/secret", headers=admin)
    assert rotated.json()["secret"] not in (webhook["secret"], "")
    deleted = await client.delete(f"/api/webhooks/{webhook['id']}", headers=admin)
    assert deleted.status_code == 204
    assert_error(
        await client.get(f"/api/webhooks/{webhook['id']}", headers=admin), 404, "not_found"
    )


async def test_an_api_key_with_the_scope_manages_webhooks(
    client: httpx.AsyncClient, world: World
) -> None:
    made = await make_key(client, world, scopes=("webhooks:manage",))
    answer = await client.post(
        "/api/webhooks",
        json={"name": "ERP", "url": "https://erp.example.com/in", "events": ["order.created"]},
        headers=bearer(made),
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["created_by_id"] == str(world.id("admin"))


async def test_a_rating_is_an_event(
    client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    order = await put_order(world, "resolved", requester="requester")
    async with receiving(clock) as (receiver, url):
        webhook = await subscribe(client, world, url, ["order.rated"])
        receiver.secret = webhook["secret"]
        rated = await client.post(
            f"/api/work-orders/{order}/rating",
            json={"score": 4, "comment": "quick and tidy"},
            headers=await world.headers("requester"),
        )
        assert rated.status_code == 200, rated.text
        await outbox(settings, clock).run_due()
    (received,) = receiver.received
    assert received["valid"]
    assert received["body"]["type"] == "order.rated"
    assert received["body"]["data"]["order"]["rating"] == 4
    assert received["body"]["data"]["event"]["changes"] == {"rating": [None, 4]}


def test_no_target_is_accepted_until_the_deployment_names_its_systems() -> None:
    default = Settings().webhook_urls
    for url in (
        "https://127.0.0.1:6443/api",
        "https://169.254.169.254/",
        "https://crm.example.com",
    ):
        assert not endpoint_allowed(default, url)
