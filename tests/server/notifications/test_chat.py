"""Chat-group robots end to end: an order's event is posted once to its department's
robots and to company-wide ones, signed the way DingTalk and Feishu check it; refusals,
rate limits and switched-off robots are answered as each platform does; robots are
set up by admins and by managers for their own departments, and secrets never leave."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import pytest
from aiohttp import web

from server.database import json_column
from server.notifications.chat import ChatSender
from server.notifications.messages import MessageOutbox
from server.notifications.tables import Message
from server.settings import Settings
from server.workorders.documents import order_number
from server.workorders.tables import WorkOrder
from tests.clock import FakeClock
from tests.probes import assert_error
from tests.server.notifications.assigning import assign
from tests.world import World

SECRET = "SEC" + "5f0e" * 16
HOUR = 3600

RATE_LIMITS = {
    "wecom": {"errcode": 45009, "errmsg": "api freq out of limit"},
    "dingtalk": {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"},
    "feishu": {"code": 11232, "msg": "frequency limited", "data": {}},
}
POSTED = {
    "wecom": {"errcode": 0, "errmsg": "ok"},
    "dingtalk": {"errcode": 0, "errmsg": "ok"},
    "feishu": {
        "StatusCode": 0,
        "StatusMessage": "success",
        "code": 0,
        "data": {},
        "msg": "success",
    },
}


def signature(key: str, message: str) -> str:
    return base64.b64encode(
        hmac.new(key.encode(), message.encode(), hashlib.sha256).digest()
    ).decode()


@dataclass
class Hook:
    platform: str
    # The secret the platform holds for this robot; empty: it checks no signature.
    secret: str
    # What the next posts get instead of success, in turn: "limited" or "500".
    answers: list[str] = field(default_factory=list)


@dataclass
class Post:
    hook: str
    body: dict[str, Any]
    query: str


class ChatPlatforms:
    """WeCom, DingTalk and Feishu robot webhooks on 127.0.0.1, checking signatures
    as the platforms do and refusing with their words."""

    def __init__(self) -> None:
        self.hooks: dict[str, Hook] = {}
        self.posts: list[Post] = []
        self.base = ""

    def hook(self, name: str, platform: str, secret: str = "") -> str:
        self.hooks[name] = Hook(platform, secret)
        return {
            "wecom": f"{self.base}/cgi-bin/webhook/send?key={name}",
            "dingtalk": f"{self.base}/robot/send?access_token={name}",
            "feishu": f"{self.base}/open-apis/bot/v2/hook/{name}",
        }[platform]

    def bodies(self, name: str) -> list[dict[str, Any]]:
        return [post.body for post in self.posts if post.hook == name]

    async def wecom(self, request: web.Request) -> web.Response:
        return await self._answer(request, request.query["key"], None)

    async def dingtalk(self, request: web.Request) -> web.Response:
        name = request.query["access_token"]
        secret = self.hooks[name].secret
        refusal = None
        if secret:
            # timestamp in ms within an hour; sign = urlencode(base64(HMAC(secret, ts\nsecret))).
            stamp, sign = request.query.get("timestamp", ""), request.query.get("sign", "")
            fresh = stamp.isdigit() and abs(time.time() * 1000 - int(stamp)) < HOUR * 1000
            if not (fresh and hmac.compare_digest(sign, signature(secret, f"{stamp}\n{secret}"))):
                refusal = {"errcode": 310000, "errmsg": "sign not match"}
        return await self._answer(request, name, refusal)

    async def feishu(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        secret = self.hooks[name].secret
        refusal = None
        if secret:
            # timestamp in s within an hour; sign = base64(HMAC(key=ts\nsecret, msg="")).
            body = await request.json()
            stamp, sign = str(body.get("timestamp", "")), str(body.get("sign", ""))
            fresh = stamp.isdigit() and abs(time.time() - int(stamp)) < HOUR
            if not (fresh and hmac.compare_digest(sign, signature(f"{stamp}\n{secret}", ""))):
                refusal = {
                    "code": 19021,
                    "msg": "sign match fail or timestamp is not within one hour from current time",
                    "data": {},
                }
        return await self._answer(request, name, refusal)

    async def _answer(
        self, request: web.Request, name: str, refusal: dict[str, Any] | None
    ) -> web.Response:
        hook = self.hooks[name]
        assert request.content_type == "application/json"
        if refusal is not None:
            return web.json_response(refusal)
        answer = hook.answers.pop(0) if hook.answers else "posted"
        if answer == "500":
            return web.json_response({"error": "busy"}, status=500)
        if answer == "limited":
            return web.json_response(RATE_LIMITS[hook.platform])
        self.posts.append(Post(name, await request.json(), request.query_string))
        return web.json_response(POSTED[hook.platform])


@asynccontextmanager
async def chat_platforms() -> AsyncIterator[ChatPlatforms]:
    platforms = ChatPlatforms()
    app = web.Application()
    app.router.add_post("/cgi-bin/webhook/send", platforms.wecom)
    app.router.add_post("/robot/send", platforms.dingtalk)
    app.router.add_post("/open-apis/bot/v2/hook/{name}", platforms.feishu)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    platforms.base = f"http://127.0.0.1:{port}"
    try:
        yield platforms
    finally:
        await runner.cleanup()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def create_robot(
    client: httpx.AsyncClient,
    world: World,
    url: str,
    *,
    platform: str,
    department: str | None = "north",
    kinds: tuple[str, ...] = ("assigned",),
    secret: str = "",
    language: str = "zh-CN",
    by: str = "admin",
) -> dict[str, Any]:
    body = {
        "name": f"{platform} {department or 'all'} {'+'.join(kinds)}",
        "platform": platform,
        "url": url,
        "secret": secret,
        "department_id": str(world.departments[department]) if department else None,
        "kinds": list(kinds),
        "language": language,
    }
    answer = await client.post("/api/chat-robots", json=body, headers=await world.headers(by))
    assert answer.status_code == 201, answer.text
    assert SECRET not in answer.text
    robot: dict[str, Any] = answer.json()
    return robot


async def message_of(robot: dict[str, Any]) -> dict[str, Any]:
    rows = await Message.select().where(Message.target == robot["id"])
    assert len(rows) == 1, rows
    row: dict[str, Any] = rows[0]
    return row


def outbox(settings: Settings, clock: FakeClock) -> MessageOutbox:
    return MessageOutbox(settings, clock, {"chat": ChatSender(settings)})


def log_of(row: dict[str, Any]) -> list[dict[str, Any]]:
    log: list[dict[str, Any]] = json_column(row["log"])
    return log


async def test_an_event_posts_once_to_its_departments_and_company_wide_robots(
    client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    async with chat_platforms() as platforms:
        north = await create_robot(
            client,
            world,
            platforms.hook("north", "dingtalk", SECRET),
            platform="dingtalk",
            secret=SECRET,
        )
        everyone = await create_robot(
            client,
            world,
            platforms.hook("all", "feishu", SECRET),
            platform="feishu",
            secret=SECRET,
            department=None,
            kinds=("urged", "assigned"),
            language="en",
        )
        await create_robot(
            client, world, platforms.hook("south", "wecom"), platform="wecom", department="south"
        )
        await create_robot(
            client, world, platforms.hook("urges", "wecom"), platform="wecom", kinds=("urged",)
        )
        order_id = await assign(client, world)
        assert await outbox(settings, clock).run_due() == 2
        assert sorted(post.hook for post in platforms.posts) == ["all", "north"]

        number = order_number(
            (await WorkOrder.select(WorkOrder.number).where(WorkOrder.id == order_id))[0]["number"]
        )
        link = f"{settings.base_url}/#/orders/{order_id}"
        [ding] = platforms.bodies("north")
        assert ding == {
            "msgtype": "markdown",
            "markdown": {
                "title": f"{number} 已派给 North Tech",
                "text": f"**{number} 已派给 North Tech**\n\nOrder in new\n\n[{number}]({link})",
            },
        }
        # The signature went percent-encoded, so base64's "+" cannot arrive as a space.
        [query] = [post.query for post in platforms.posts if post.hook == "north"]
        assert re.fullmatch(r"access_token=north&timestamp=\d{13}&sign=[A-Za-z0-9%/]+", query)
        [lark] = platforms.bodies("all")
        assert set(lark) == {"timestamp", "sign", "msg_type", "content"}
        assert lark["msg_type"] == "post"
        assert lark["content"]["post"]["en_us"] == {
            "title": f"{number} assigned to North Tech",
            "content": [
                [{"tag": "text", "text": "Order in new"}],
                [{"tag": "a", "text": number, "href": link}],
            ],
        }
        for robot in (north, everyone):
            row = await message_of(robot)
            assert (row["state"], row["attempts"]) == ("sent", 1)
            assert [entry["outcome"] for entry in log_of(row)] == ["delivered"]
        assert await outbox(settings, clock).run_due() == 0  # nothing twice


@pytest.mark.parametrize(
    ("platform", "refusal"),
    [
        ("dingtalk", "310000 sign not match"),
        ("feishu", "19021 sign match fail or timestamp is not within one hour"),
    ],
)
async def test_a_wrong_secret_fails_with_the_platforms_words(
    client: httpx.AsyncClient,
    world: World,
    clock: FakeClock,
    settings: Settings,
    platform: str,
    refusal: str,
) -> None:
    async with chat_platforms() as platforms:
        robot = await create_robot(
            client,
            world,
            platforms.hook("north", platform, SECRET),
            platform=platform,
            secret="SEC-not-the-one-the-group-has",
        )
        await assign(client, world)
        await outbox(settings, clock).run_due()
        row = await message_of(robot)
        assert (row["state"], row["attempts"]) == ("failed", 1)
        [entry] = log_of(row)
        assert entry["outcome"] == "failed"
        assert entry["error"].startswith(refusal)
        tried = await client.post(
            f"/api/chat-robots/{robot['id']}/test", headers=await world.headers("admin")
        )
        assert tried.status_code == 200, tried.text
        assert tried.json()["outcome"] == "failed"
        assert tried.json()["error"].startswith(refusal)
        assert platforms.posts == []


@pytest.mark.parametrize(
    ("platform", "answer", "wait"),
    [
        ("wecom", "limited", 60),
        ("dingtalk", "limited", 60),
        ("feishu", "limited", 60),
        ("feishu", "500", 30),
    ],
)
async def test_a_busy_platform_is_tried_again_later(
    client: httpx.AsyncClient,
    world: World,
    clock: FakeClock,
    settings: Settings,
    platform: str,
    answer: str,
    wait: int,
) -> None:
    async with chat_platforms() as platforms:
        url = platforms.hook("north", platform, SECRET)
        robot = await create_robot(client, world, url, platform=platform, secret=SECRET)
        platforms.hooks["north"].answers = [answer]
        await assign(client, world)
        started = clock()
        sender = outbox(settings, clock)
        assert await sender.run_due() == 1
        row = await message_of(robot)
        assert (row["state"], row["attempts"]) == ("pending", 1)
        assert row["next_at"] == started + timedelta(seconds=wait)
        assert log_of(row)[0]["outcome"] == "retry"
        assert platforms.posts == []
        clock.advance(seconds=wait - 1)
        assert await sender.run_due() == 0
        clock.advance(seconds=1)
        assert await sender.run_due() == 1
        row = await message_of(robot)
        assert (row["state"], row["attempts"]) == ("sent", 2)
        assert len(platforms.bodies("north")) == 1


async def test_switched_off_deleted_and_unreachable_robots(
    client: httpx.AsyncClient, world: World, clock: FakeClock, settings: Settings
) -> None:
    async with chat_platforms() as platforms:
        off = await create_robot(client, world, platforms.hook("off", "wecom"), platform="wecom")
        gone = await create_robot(client, world, platforms.hook("gone", "wecom"), platform="wecom")
        away = await create_robot(
            client,
            world,
            f"http://127.0.0.1:{closed_port()}/cgi-bin/webhook/send?key=away",
            platform="wecom",
        )
        await assign(client, world)
        headers = await world.headers("admin")
        answer = await client.patch(
            f"/api/chat-robots/{off['id']}", json={"active": False}, headers=headers
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["active"] is False
        answer = await client.delete(f"/api/chat-robots/{gone['id']}", headers=headers)
        assert answer.status_code == 204, answer.text
        assert await outbox(settings, clock).run_due() == 3
        assert (await message_of(off))["state"] == "skipped"
        row = await message_of(gone)
        assert row["state"] == "failed"
        assert log_of(row)[0]["error"].startswith("no such chat robot")
        row = await message_of(away)
        assert row["state"] == "pending"
        assert log_of(row)[0]["outcome"] == "retry"
        assert platforms.posts == []


async def test_admins_and_managers_of_the_department_set_robots_up(
    client: httpx.AsyncClient, world: World
) -> None:
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"
    north = await create_robot(client, world, url, platform="wecom", by="north_manager")
    assert north["department_id"] == str(world.departments["north"])
    south = await create_robot(client, world, url, platform="wecom", department="south")
    everyone = await create_robot(client, world, url, platform="wecom", department=None)
    manager = await world.headers("north_manager")
    for department in ("south", None):
        body = {
            "name": "not mine",
            "platform": "wecom",
            "url": url,
            "kinds": ["assigned"],
            "department_id": str(world.departments[department]) if department else None,
        }
        assert_error(
            await client.post("/api/chat-robots", json=body, headers=manager), 403, "forbidden"
        )

    listed = await client.get("/api/chat-robots", headers=manager)
    assert [robot["id"] for robot in listed.json()["items"]] == [north["id"]]
    admin = await world.headers("admin")
    listed = await client.get("/api/chat-robots", headers=admin)
    assert {robot["id"] for robot in listed.json()["items"]} == {
        north["id"],
        south["id"],
        everyone["id"],
    }
    listed = await client.get(
        "/api/chat-robots", params={"department_id": str(world.departments["south"])}, headers=admin
    )
    assert [robot["id"] for robot in listed.json()["items"]] == [south["id"]]

    # Another department's robot, or a company-wide one, is not there for a manager.
    other = await world.headers("south_manager")
    for robot, headers in ((north, other), (everyone, manager)):
        path = f"/api/chat-robots/{robot['id']}"
        assert_error(await client.get(path, headers=headers), 404, "not_found")
        answer = await client.patch(path, json={"name": "mine now"}, headers=headers)
        assert_error(answer, 404, "not_found")
        assert_error(await client.delete(path, headers=headers), 404, "not_found")
        assert_error(await client.post(f"{path}/test", headers=headers), 404, "not_found")
    moved = await client.patch(
        f"/api/chat-robots/{north['id']}",
        json={"department_id": str(world.departments["south"])},
        headers=manager,
    )
    assert_error(moved, 403, "forbidden")

    for name in ("north_tech", "requester"):
        headers = await world.headers(name)
        assert_error(await client.get("/api/chat-robots", headers=headers), 403, "forbidden")
        path = f"/api/chat-robots/{north['id']}"
        assert_error(await client.get(path, headers=headers), 403, "forbidden")
        body = {"name": "x", "platform": "wecom", "url": url, "kinds": ["assigned"]}
        assert_error(
            await client.post("/api/chat-robots", json=body, headers=headers), 403, "forbidden"
        )
    assert_error(await client.get("/api/chat-robots"), 401, "unauthorized")

    renamed = await client.patch(
        f"/api/chat-robots/{north['id']}", json={"name": "North desk"}, headers=manager
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "North desk"
    gone = await client.delete(f"/api/chat-robots/{north['id']}", headers=manager)
    assert gone.status_code == 204, gone.text
    assert_error(
        await client.get(f"/api/chat-robots/{north['id']}", headers=manager), 404, "not_found"
    )


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"kinds": ["assigned", "horoscope"]}, 422, "unknown_kind"),
        ({"url": "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"}, 422, "invalid_url"),
        ({"url": "ftp://files.example.com/robot"}, 422, "invalid_url"),
        ({"url": "https://exa mple.com/robot"}, 422, "invalid_url"),
        ({"url": "https://[::1/robot"}, 422, "invalid_url"),
        ({"department_id": "018f0000-0000-7000-8000-000000000000"}, 422, "unknown_reference"),
        ({"platform": "slack"}, 400, "validation_error"),
        ({"language": "fr"}, 400, "validation_error"),
        ({"kinds": []}, 400, "validation_error"),
        ({"name": "n" * 101}, 400, "validation_error"),
        ({"secret": "s" * 201}, 400, "validation_error"),
        ({"token": "abc"}, 400, "validation_error"),
    ],
)
async def test_robots_are_checked(
    client: httpx.AsyncClient, world: World, change: dict[str, Any], status: int, code: str
) -> None:
    headers = await world.headers("admin")
    url = "https://oapi.dingtalk.com/robot/send?access_token=abc"
    body = {"name": "North ops", "platform": "dingtalk", "url": url, "kinds": ["assigned"]}
    created = await client.post("/api/chat-robots", json={**body, **change}, headers=headers)
    assert_error(created, status, code)
    robot = await create_robot(client, world, url, platform="dingtalk")
    changed = await client.patch(f"/api/chat-robots/{robot['id']}", json=change, headers=headers)
    assert_error(changed, status, code)


async def test_the_secret_is_never_answered_and_a_test_post_says_how_it_went(
    client: httpx.AsyncClient, world: World
) -> None:
    answers: list[httpx.Response] = []
    headers = await world.headers("north_manager")
    async with chat_platforms() as platforms:
        url = platforms.hook("north", "dingtalk", SECRET)
        robot = await create_robot(
            client, world, url, platform="dingtalk", secret=SECRET, by="north_manager"
        )
        assert robot["has_secret"] is True
        assert "secret" not in robot
        path = f"/api/chat-robots/{robot['id']}"
        answers.append(await client.get(path, headers=headers))
        answers.append(await client.get("/api/chat-robots", headers=headers))
        answers.append(await client.patch(path, json={"language": "en"}, headers=headers))
        answers.append(await client.post(f"{path}/test", headers=headers))
        assert answers[-1].json() == {"outcome": "delivered", "error": ""}
        [test] = platforms.bodies("north")
        assert test["markdown"]["title"] == "FieldOps test message"
        assert "assigned" in test["markdown"]["text"]
        for answer in answers:
            assert answer.status_code == 200, answer.text
            assert SECRET not in answer.text
            assert "has_secret" in answer.text or "outcome" in answer.text
        unsigned = await client.patch(path, json={"secret": ""}, headers=headers)
        assert unsigned.json()["has_secret"] is False
        # The group still wants a signature: the platform's refusal is answered.
        refused = await client.post(f"{path}/test", headers=headers)
        assert refused.json() == {"outcome": "failed", "error": "310000 sign not match"}
