"""Posting to chat groups through their robots' webhooks: WeCom, DingTalk and Feishu.

Each platform has its own message format and its own signature (DingTalk signs in
the query, Feishu in the body, WeCom's URL key is the only credential). All three
answer HTTP 200 for most refusals and say what went wrong in the JSON body.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote
from uuid import UUID

import aiohttp
import msgspec

from server.notifications.endpoints import endpoint_allowed
from server.notifications.sending import Outgoing, Result, http_outcome
from server.notifications.tables import ChatRobot
from server.settings import Settings

TIMEOUT = aiohttp.ClientTimeout(total=10)
# The answers meaning "too many posts now". DingTalk's newer gateway says 410100.
RATE_LIMITED = {"wecom": {45009}, "dingtalk": {130101, 410100}, "feishu": {9499, 11232}}
# The platforms count a robot's posts per minute: a limited robot waits for the next.
RATE_WINDOW_SECONDS = 60
# A Retry-After beyond this is not believed (nor one too large to add to a time).
MAX_WAIT_SECONDS = 3600
FEISHU_LOCALES = {"zh-CN": "zh_cn", "en": "en_us"}

Request = tuple[str, dict[str, Any]]


def _hmac_base64(key: str, message: str) -> str:
    digest = hmac.new(key.encode(), message.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _label(message: Outgoing) -> str:
    return message.order_number or message.link


def markdown(message: Outgoing) -> str:
    """The post as markdown: the title in bold, the body, a link to the order."""
    parts = [f"**{message.title}**", message.body]
    if message.link:
        parts.append(f"[{_label(message)}]({message.link})")
    return "\n\n".join(part for part in parts if part)


def wecom(robot: dict[str, Any], message: Outgoing, now: float) -> Request:
    return robot["url"], {"msgtype": "markdown", "markdown": {"content": markdown(message)}}


def dingtalk(robot: dict[str, Any], message: Outgoing, now: float) -> Request:
    url, secret = robot["url"], robot["secret"]
    if secret:
        timestamp = str(int(now * 1000))
        # quote(safe=""): base64's "+" and "/" must reach DingTalk as they are.
        sign = quote(_hmac_base64(secret, f"{timestamp}\n{secret}"), safe="")
        url += ("&" if "?" in url else "?") + f"timestamp={timestamp}&sign={sign}"
    body = {"msgtype": "markdown", "markdown": {"title": message.title, "text": markdown(message)}}
    return url, body


def feishu(robot: dict[str, Any], message: Outgoing, now: float) -> Request:
    lines = [[{"tag": "text", "text": message.body}]]
    if message.link:
        lines.append([{"tag": "a", "text": _label(message), "href": message.link}])
    post = {
        FEISHU_LOCALES.get(message.language, "en_us"): {"title": message.title, "content": lines}
    }
    body: dict[str, Any] = {"msg_type": "post", "content": {"post": post}}
    secret = robot["secret"]
    if secret:
        timestamp = str(int(now))
        # Feishu signs an empty message with the timestamp and secret as the key.
        body = {"timestamp": timestamp, "sign": _hmac_base64(f"{timestamp}\n{secret}", ""), **body}
    return robot["url"], body


PLATFORMS: dict[str, Callable[[dict[str, Any], Outgoing, float], Request]] = {
    "wecom": wecom,
    "dingtalk": dingtalk,
    "feishu": feishu,
}


def _answer(platform: str, raw: bytes) -> Result:
    """What a platform's HTTP 200 answer says: its own code, 0 for posted."""
    try:
        answer = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        answer = None
    if not isinstance(answer, dict):
        return Result("failed", error="the answer is not a chat platform's")
    if platform == "feishu":
        code = answer.get("code", answer.get("StatusCode"))
        text = answer.get("msg", answer.get("StatusMessage", ""))
    else:
        code, text = answer.get("errcode"), answer.get("errmsg", "")
    if not isinstance(code, int):
        return Result("failed", error="the answer is not a chat platform's")
    if code == 0:
        return Result("delivered")
    error = f"{code} {text}"[:200]
    if code in RATE_LIMITED[platform]:
        return Result("retry", error=error, retry_after=RATE_WINDOW_SECONDS)
    return Result("failed", error=error)


class ChatSender:
    """The chat channel's sender: a message's target is its robot's id."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def send(self, message: Outgoing) -> Result:
        try:
            robot = await self._robot(message.target)
        except Exception as exc:
            # The database, not the robot: the post waits for it.
            return Result("retry", error=f"{type(exc).__name__}: {exc}"[:200])
        if robot is None:
            return Result("failed", error=f"no such chat robot: {message.target}")
        if not robot["active"]:
            return Result("skipped", error="the chat robot is switched off")
        if not endpoint_allowed(self.settings.chat_robot_urls, robot["url"]):
            # Made before the accepted hosts were narrowed.
            return Result("failed", error="the robot's URL is not an accepted chat platform")
        build = PLATFORMS.get(robot["platform"])
        if build is None:
            return Result("failed", error=f"unknown chat platform {robot['platform']!r}")
        # The platforms check the signature's time against their own clock (within
        # an hour): the wall clock, not the server's injectable one.
        url, body = build(robot, message, time.time())
        try:
            async with (
                aiohttp.ClientSession(timeout=TIMEOUT) as session,
                # A webhook never redirects; following one would post elsewhere.
                session.post(
                    url,
                    data=msgspec.json.encode(body),
                    headers={"Content-Type": "application/json"},
                    allow_redirects=False,
                ) as response,
            ):
                status, raw = response.status, await response.read()
                retry_after = response.headers.get("Retry-After", "")
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            return Result("retry", error=f"{type(exc).__name__}: {exc}"[:200])
        except ValueError as exc:
            # A host name no resolver takes (IDNA): it never will.
            return Result("failed", error=f"{type(exc).__name__}: {exc}"[:200])
        outcome = http_outcome(status)
        if outcome != "delivered":
            digits = retry_after.isascii() and retry_after.isdigit() and len(retry_after) < 8
            wait = min(int(retry_after), MAX_WAIT_SECONDS) if digits else None
            # Only the status: whatever else answered is not repeated to the caller.
            return Result(outcome, error=f"HTTP {status}", retry_after=wait)
        return _answer(robot["platform"], raw)

    async def _robot(self, target: str) -> dict[str, Any] | None:
        try:
            robot_id = UUID(target)
        except ValueError:
            return None
        return await (
            ChatRobot.select(ChatRobot.platform, ChatRobot.url, ChatRobot.secret, ChatRobot.active)
            .where(ChatRobot.id == robot_id)
            .first()
        )
