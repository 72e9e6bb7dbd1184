"""SMS work orders: an assignment texted through an HTTP gateway on this machine,
and replies from the technician's phone moving the order through the state machine,
each answered, each handled once."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import httpx
import msgspec
import pytest
from aiohttp import web
from asgi_lifespan import LifespanManager

from server.accounts.tables import User
from server.app import create_app
from server.notifications.messages import MessageOutbox
from server.notifications.sms import SmsSender
from server.notifications.sms_gateway import HttpGateway, InboundText, load_gateway
from server.notifications.tables import InboundSms, Message
from server.settings import Settings, SettingsError
from server.signatures import HEADER, sign, verify
from server.workorders.tables import TimelineEvent, WorkOrder
from tests.clock import FakeClock
from tests.http_stub import serving
from tests.probes import assert_error
from tests.server.notifications.assigning import assign
from tests.server.workorders.orders import put_order
from tests.world import World

GATEWAY_SECRET = "gateway-signing-secret"
WEBHOOK_SECRET = "webhook-signing-secret"
PHONE = "+86 138 0013 8000"


@dataclass
class Gateway:
    """An SMS provider's API: checks our signature, keeps the texts, can be busy."""

    base: str = ""
    texts: list[dict[str, Any]] = field(default_factory=list)
    busy: int = 0

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        if not verify(GATEWAY_SECRET, body, request.headers.get(HEADER, ""), int(time.time())):
            return web.json_response({"error": "bad signature"}, status=401)
        if self.busy:
            self.busy -= 1
            return web.json_response({"error": "busy"}, status=503)
        text = msgspec.json.decode(body)
        self.texts.append(text)
        return web.json_response({"id": f"gw-{len(self.texts)}"})


@asynccontextmanager
async def gateway() -> AsyncIterator[Gateway]:
    stub = Gateway()
    app = web.Application()
    app.router.add_post("/sms", stub.handle)
    async with serving(app) as base:
        stub.base = base
        yield stub


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(
        settings, sms_webhook_secret=WEBHOOK_SECRET, public_url="https://ops.example.com"
    )


def outbox(settings: Settings, clock: FakeClock, stub: Gateway) -> MessageOutbox:
    sender = SmsSender(HttpGateway(settings, url=f"{stub.base}/sms", secret=GATEWAY_SECRET))
    return MessageOutbox(settings, clock, {"sms": sender})


async def texting(client: httpx.AsyncClient, world: World, name: str = "north_tech") -> None:
    """Give the technician a phone, and (as their manager) have assignments texted."""
    await User.update({User.phone: PHONE}).where(User.id == world.id(name))
    answer = await client.put(
        f"/api/users/{world.id(name)}/notification-preferences",
        json={"sms": ["assigned"]},
        headers=await world.headers("north_manager"),
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["sms"] == ["assigned"]


async def text_in(
    client: httpx.AsyncClient, message_id: str, text: str, sender: str = "+8613800138000"
) -> httpx.Response:
    body = msgspec.json.encode({"message_id": message_id, "from": sender, "text": text})
    signature = sign(WEBHOOK_SECRET, body, int(time.time()))
    return await client.post(
        "/api/sms/inbound",
        content=body,
        headers={HEADER: signature, "Content-Type": "application/json"},
    )


async def number_of(order_id: UUID) -> int:
    row = await WorkOrder.select(WorkOrder.number).where(WorkOrder.id == order_id).first()
    assert row is not None
    return int(row["number"])


async def status_of(order_id: UUID) -> str:
    row = await WorkOrder.select(WorkOrder.status).where(WorkOrder.id == order_id).first()
    assert row is not None
    return str(row["status"])


async def replies() -> list[str]:
    rows = (
        await Message.select(Message.params)
        .where(Message.kind == "sms_reply")
        .order_by(Message.created_at)
    )
    return [msgspec.json.decode(row["params"])["text"] for row in rows]


async def test_an_assignment_is_texted_with_the_reply_menu(
    client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    await texting(client, world)
    order_id = await assign(
        client, world, title="Chiller 2 leaking", site=world.sites["central"], priority="P2"
    )
    number = await number_of(order_id)
    async with gateway() as stub:
        stub.busy = 1
        sending = outbox(settings, clock, stub)
        assert await sending.run_due() == 1
        assert stub.texts == []  # the gateway was busy: tried again later, not lost
        row = await Message.select().where(Message.channel == "sms").first()
        assert row is not None
        assert row["state"] == "pending"
        assert row["attempts"] == 1
        assert await sending.run_due() == 0
        clock.advance(seconds=31)
        assert await sending.run_due() == 1
    [text] = stub.texts
    assert text["to"] == PHONE
    body = text["text"]
    assert f"WO-{number:06d}" in body
    assert "Acme Central" in body
    assert "Chiller 2 leaking" in body
    assert f"回复 1 {number} 开始" in body  # the technician reads Chinese
    row = await Message.select().where(Message.channel == "sms").first()
    assert row is not None
    assert (row["state"], row["provider_id"], row["attempts"]) == ("sent", "gw-1", 2)


async def test_replies_move_the_order_once_each(
    client: httpx.AsyncClient, world: World, settings: Settings
) -> None:
    await texting(client, world)
    order_id = await put_order(world, "assigned", assignee="north_tech", team="north")
    number = await number_of(order_id)

    started = await text_in(client, "m-1", f"1 {number}")
    assert started.status_code == 200, started.text
    assert started.json() == {
        "outcome": "start",
        "reply": f"WO-{number:06d} 已开始处理。",
        "order_id": str(order_id),
        "duplicate": False,
    }
    assert await status_of(order_id) == "in_progress"
    steps = await TimelineEvent.select(TimelineEvent.changes, TimelineEvent.actor).where(
        TimelineEvent.order == order_id, TimelineEvent.kind == "status"
    )
    assert [msgspec.json.decode(s["changes"])["status"][1] for s in steps] == [
        "accepted",
        "en_route",
        "on_site",
        "in_progress",
    ]
    assert {s["actor"] for s in steps} == {world.id("north_tech")}

    again = await text_in(client, "m-1", f"1 {number}")
    assert again.json()["duplicate"] is True
    assert await TimelineEvent.count().where(TimelineEvent.order == order_id) == len(steps)

    assert (await text_in(client, "m-2", f"3 WO-{number:06d}")).json()["outcome"] == (
        "reason_required"
    )
    assert (await text_in(client, "m-3", f"３ {number} 等备件")).json()["outcome"] == "suspend"
    row = await WorkOrder.select(WorkOrder.status_reason).where(WorkOrder.id == order_id).first()
    assert row == {"status_reason": "等备件"}
    assert (await text_in(client, "m-4", f"2 {number}")).json()["outcome"] == ("illegal_transition")
    assert (await text_in(client, "m-5", f"1 {number}")).json()["outcome"] == "start"
    assert (await text_in(client, "m-6", f"5 {number} replaced the seal")).json()[
        "outcome"
    ] == "summary"
    assert (await text_in(client, "m-7", f"2 {number}")).json()["outcome"] == "complete"
    assert await status_of(order_id) == "resolved"
    assert (await text_in(client, "m-8", f"4 {number} wrong site")).json()["outcome"] == (
        "illegal_transition"
    )
    assert await replies() == [
        f"WO-{number:06d} 已开始处理。",
        f"请附上原因：3 {number} 原因。",
        f"WO-{number:06d} 已挂起。",
        f"WO-{number:06d} 当前状态为已挂起，无法完成。",
        f"WO-{number:06d} 已开始处理。",
        f"已为 WO-{number:06d} 添加总结。",
        f"WO-{number:06d} 已完成，谢谢。",
        f"WO-{number:06d} 当前状态为已解决，无法取消。",
    ]
    assert await InboundSms.count() == 8


async def test_wrong_texts_get_helpful_answers_and_change_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    await texting(client, world)
    await User.update({User.language: "en"}).where(User.id == world.id("north_tech"))
    mine = await put_order(world, "in_progress", assignee="north_tech", team="north")
    theirs = await put_order(
        world, "in_progress", assignee="south_tech", team="south", department="south"
    )
    outcomes = {
        "hello": "unknown_command",
        f"9 {await number_of(mine)}": "unknown_command",
        "2 999999": "unknown_order",
        f"2 {await number_of(theirs)}": "unknown_order",  # not the sender's to see
        f"4 {await number_of(mine)} duplicate": "transition_forbidden",  # staff only
    }
    for index, (text, outcome) in enumerate(outcomes.items()):
        answer = await text_in(client, f"w-{index}", text)
        assert answer.json()["outcome"] == outcome, (text, answer.json())
    assert (await replies())[0].startswith("Not understood. Reply 1 <number> start")
    assert await status_of(mine) == await status_of(theirs) == "in_progress"

    stranger = await text_in(client, "w-9", f"2 {await number_of(mine)}", sender="+8613999999999")
    assert stranger.json()["outcome"] == "unknown_sender"
    assert stranger.json()["reply"] == ""  # no answer to numbers we do not know
    assert len(await replies()) == len(outcomes)
    # The same digits abroad are someone else: +1 351 234 5678 is not 135 1234 5678.
    await User.update({User.phone: "135 1234 5678"}).where(User.id == world.id("north_tech2"))
    abroad = await text_in(client, "w-a", f"5 {await number_of(mine)} hi", sender="+13512345678")
    assert abroad.json()["outcome"] == "unknown_sender"
    local = await text_in(client, "w-b", "hello", sender="0086 135-1234-5678")
    assert local.json()["outcome"] == "unknown_command"
    await User.update({User.phone: None}).where(User.id == world.id("north_tech2"))

    await User.update({User.phone: "138-0013-8000"}).where(User.id == world.id("north_tech2"))
    shared = await text_in(client, "w-10", f"2 {await number_of(mine)}")
    assert shared.json()["outcome"] == "ambiguous_sender"
    assert await status_of(mine) == "in_progress"


async def test_an_auto_responder_cannot_keep_us_texting(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    await texting(client, world)
    answers = [(await text_in(client, f"a-{i}", "Out of office")).json() for i in range(12)]
    assert [a["outcome"] for a in answers] == ["unknown_command"] * 12
    assert [bool(a["reply"]) for a in answers] == [True] * 10 + [False] * 2
    clock.advance(minutes=11)
    assert (await text_in(client, "a-later", "Out of office")).json()["reply"]


async def test_the_webhook_takes_only_signed_texts(
    client: httpx.AsyncClient, world: World, settings: Settings
) -> None:
    body = msgspec.json.encode({"message_id": "x", "from": PHONE, "text": "1 1"})
    forged = sign("not-the-secret", body, int(time.time()))
    stale = sign(WEBHOOK_SECRET, body, int(time.time()) - 3600)
    for signature in (forged, stale, ""):
        answer = await client.post("/api/sms/inbound", content=body, headers={HEADER: signature})
        assert_error(answer, 401, "bad_signature")
    junk = b'{"from": "+86"}'
    answer = await client.post(
        "/api/sms/inbound",
        content=junk,
        headers={HEADER: sign(WEBHOOK_SECRET, junk, int(time.time()))},
    )
    assert_error(answer, 400, "invalid_inbound")
    assert await InboundSms.count() == 0


async def test_inbound_texts_are_off_without_a_secret(
    client: httpx.AsyncClient, world: World
) -> None:
    plain = create_app(msgspec.structs.replace(world.settings, sms_webhook_secret=""), world.clock)
    async with LifespanManager(plain):
        transport = httpx.ASGITransport(app=plain)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as other:
            answer = await other.post("/api/sms/inbound", content=b"{}")
    assert_error(answer, 404, "sms_inbound_disabled")


async def test_preferences_need_a_phone_and_known_kinds(
    client: httpx.AsyncClient, world: World
) -> None:
    url = f"/api/users/{world.id('north_tech')}/notification-preferences"
    manager = await world.headers("north_manager")
    assert_error(
        await client.put(url, json={"sms": ["assigned"]}, headers=manager), 422, "no_phone"
    )
    assert_error(
        await client.put(url, json={"email": ["nonsense"]}, headers=manager), 422, "unknown_kind"
    )
    assert_error(
        await client.put(url, json={"report": "daily"}, headers=manager),
        422,
        "report_not_available",
    )
    other = await world.headers("south_manager")
    assert_error(await client.put(url, json={}, headers=other), 404, "not_found")
    # A manager looks after field staff, not after other managers or admins.
    await world.add_user("north_lead", "manager", department="north")
    for staff in ("admin", "north_lead"):
        peer = f"/api/users/{world.id(staff)}/notification-preferences"
        assert_error(await client.put(peer, json={}, headers=manager), 404, "not_found")
    admin = await world.headers("admin")
    assert (await client.put(url, json={}, headers=admin)).status_code == 200
    tech2 = await world.headers("north_tech2")
    assert_error(await client.get(url, headers=tech2), 404, "not_found")


class ProviderGateway:
    """A provider plugged in by configuration."""

    def __init__(self, settings: Settings, account: str) -> None:
        self.account = account

    async def send(self, to: str, text: str, message_id: str) -> str:
        return f"{self.account}:{to}"

    def inbound(self, body: bytes, headers: Mapping[str, str]) -> InboundText:
        return msgspec.json.decode(body, type=InboundText)


class SendOnlyGateway:
    def __init__(self, settings: Settings) -> None:
        pass

    async def send(self, to: str, text: str, message_id: str) -> str:
        return to


def test_a_provider_is_plugged_in_by_configuration(settings: Settings) -> None:
    plugged = msgspec.structs.replace(
        settings,
        sms_gateway=f"{__name__}:ProviderGateway",
        sms_gateway_options='{"account": "acme"}',
    )
    gateway = load_gateway(plugged)
    assert isinstance(gateway, ProviderGateway)
    assert gateway.account == "acme"
    for name, options, problem in (
        ("nowhere:Gateway", "{}", "FIELDOPS_SMS_GATEWAY"),
        (f"{__name__}:ProviderGateway", "[1]", "must be a JSON object"),
        (f"{__name__}:ProviderGateway", "{oops", "is not JSON"),
        (f"{__name__}:ProviderGateway", '{"colour": "red"}', "FIELDOPS_SMS_GATEWAY_OPTIONS"),
        (f"{__name__}:SendOnlyGateway", "{}", "has no inbound"),
    ):
        wrong = msgspec.structs.replace(settings, sms_gateway=name, sms_gateway_options=options)
        with pytest.raises(SettingsError, match=problem):
            load_gateway(wrong)
