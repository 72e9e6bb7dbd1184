"""Work orders by text message, for workers without a smartphone.

A reply to an assignment text reads ``<digit> <order number> [words]``:
``1`` start (takes the order to in progress by the state machine's own steps),
``2`` complete (resolve), ``3`` suspend and ``4`` cancel with a reason, ``5`` add the
words as a work summary (a comment). The sender is the active user with that
phone number; the change goes through the same rules and permissions as any
other, acting as that user, and the answer is texted back (what was done, or why
not). A text is handled once per provider message id: a gateway's redelivery is
answered with the first outcome and changes nothing. Texts from unknown numbers
are recorded but get no answer, so the gateway cannot be used to spam strangers.
"""

from __future__ import annotations

import dataclasses
import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from server.accounts.actor import Actor
from server.accounts.actors import active_actors
from server.accounts.system import SYSTEM
from server.accounts.tables import User
from server.clock import Clock
from server.database import fetch
from server.errors import DomainError, Invalid, NotFound
from server.ids import new_id
from server.notifications.sms_gateway import InboundText
from server.notifications.tables import InboundSms, Message
from server.settings import Settings
from server.workorders import schemas as order_schemas
from server.workorders.comments import add_comment
from server.workorders.documents import order_number
from server.workorders.lifecycle import STATUS_NAMES, Action
from server.workorders.operations import OrderOperations
from server.workorders.tables import WorkOrder
from server.workorders.unit import OrderUnit, unit_of_work

COMMAND = re.compile(r"^([1-5])\s*[#:]?\s*(?:WO-?)?(\d{1,9})(?:[\s,:]+(.*))?$", re.I | re.S)
# Texts answered per number at most, in this window.
MAX_REPLIES = 10
REPLY_WINDOW = timedelta(minutes=10)
COMMANDS = {"1": "start", "2": "complete", "3": "suspend", "4": "cancel", "5": "summary"}
COMMAND_ACTIONS: dict[str, Action] = {
    "complete": "resolve",
    "suspend": "suspend",
    "cancel": "cancel",
}
# The step that moves an order on towards in_progress, from where it stands.
START_STEPS: dict[str, Action] = {
    "assigned": "accept",
    "accepted": "start_travel",
    "en_route": "arrive",
    "on_site": "start_work",
    "suspended": "resume",
}
DIGITS = "REPLACE(REPLACE(REPLACE(REPLACE(phone, ' ', ''), '-', ''), '+', ''), '.', '')"
STATUS_WORDS = STATUS_NAMES["zh-CN"]
REPLIES = {
    "start": ("{number} is in progress.", "{number} 已开始处理。"),
    "complete": ("{number} is resolved. Thank you.", "{number} 已完成，谢谢。"),
    "suspend": ("{number} is suspended.", "{number} 已挂起。"),
    "cancel": ("{number} is cancelled.", "{number} 已取消。"),
    "summary": ("Summary added to {number}.", "已为 {number} 添加总结。"),
    "unknown_command": (
        "Not understood. Reply 1 <number> start, 2 <number> done, 3 <number> <reason> "
        "suspend, 4 <number> <reason> cancel, 5 <number> <text> summary.",
        "无法识别。请回复：1 工单号 开始，2 工单号 完成，3 工单号 原因 挂起，"
        "4 工单号 原因 取消，5 工单号 内容 总结。",
    ),
    "unknown_order": ("No order {number} of yours.", "找不到您的工单 {number}。"),
    "illegal_transition": (
        "{number} is {status}: it cannot be {action} now.",
        "{number} 当前状态为{status}，无法{action}。",
    ),
    "transition_forbidden": (
        "You may not {action} {number}; ask your dispatcher.",
        "您无权{action} {number}，请联系调度员。",
    ),
    "reason_required": (
        "Add a reason: {digit} {bare} <reason>.",
        "请附上原因：{digit} {bare} 原因。",
    ),
    "ambiguous_sender": (
        "This phone number belongs to several accounts; ask your dispatcher.",
        "此号码对应多个账号，请联系调度员。",
    ),
    "failed": ("{number}: {error}", "{number}：{error}"),
}
ACTION_WORDS = {
    "start": ("started", "开始"),
    "complete": ("completed", "完成"),
    "suspend": ("suspended", "挂起"),
    "cancel": ("cancelled", "取消"),
    "summary": ("summarised", "总结"),
}


@dataclass(frozen=True)
class Outcome:
    outcome: str
    reply: str
    order: UUID | None = None
    duplicate: bool = False


class SmsInbox:
    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock

    async def receive(self, text: InboundText) -> Outcome:
        known = await self._known(text.message_id)
        if known is not None:
            return known
        people = await self._senders(text.sender)
        actor = people[0] if len(people) == 1 else None
        try:
            async with unit_of_work(actor or SYSTEM, self.clock) as unit:
                if not people:
                    result = Outcome("unknown_sender", "")
                elif actor is None:
                    # Nobody to take the language from: both.
                    both = REPLIES["ambiguous_sender"]
                    result = Outcome("ambiguous_sender", f"{both[1]} {both[0]}")
                else:
                    result = await self._apply(unit, actor, text.text)
                if result.reply and await self._answered_lately(text.sender):
                    # An auto-responder on the other end would keep us texting forever.
                    result = dataclasses.replace(result, reply="")
                self._record(unit, text, actor, result)
        except (sqlite3.IntegrityError, asyncpg.UniqueViolationError):
            # The same text arrived twice at once: the other request recorded it.
            known = await self._known(text.message_id)
            if known is None:
                raise
            return known
        return result

    async def _answered_lately(self, sender: str) -> bool:
        since = self.clock() - REPLY_WINDOW
        answered = await InboundSms.count().where(
            InboundSms.sender == sender[:32], InboundSms.received_at > since, InboundSms.reply != ""
        )
        return answered >= MAX_REPLIES

    async def _known(self, provider_id: str) -> Outcome | None:
        row = await InboundSms.select().where(InboundSms.provider_id == provider_id).first()
        if row is None:
            return None
        return Outcome(row["outcome"], row["reply"], row["order"], duplicate=True)

    async def _senders(self, sender: str) -> list[Actor]:
        """The active users whose phone number is the sender's, compared in
        international form (``138…`` on an account is ``+86 138…``)."""
        code = self.settings.sms_country_code
        number = international(sender, code)
        if len(number) < 5:
            return []
        # The ways an account may hold it: international (+ or 00), or local.
        forms = {number, "00" + number}
        if code and number.startswith(code):
            forms |= {number[len(code) :], "0" + number[len(code) :]}
        marks = ", ".join("{}" for _ in forms)
        rows = await fetch(
            User._meta.db,
            f"SELECT id, phone FROM app_user WHERE active = {{}} AND {DIGITS} IN ({marks})",
            [True, *sorted(forms)],
        )
        ids = [row["id"] for row in rows if international(row["phone"], code) == number]
        return await active_actors(User.id.is_in(ids)) if ids else []

    async def _apply(self, unit: OrderUnit, actor: Actor, text: str) -> Outcome:
        language = actor.language
        match = COMMAND.match(unicodedata.normalize("NFKC", text).strip())
        if match is None:
            return Outcome("unknown_command", _words("unknown_command", language, {}))
        digit, number = match.group(1), int(match.group(2))
        words = (match.group(3) or "").strip()[:1000]
        command = COMMANDS[digit]
        values = {
            "number": order_number(number),
            "bare": number,
            "digit": digit,
            "action": ACTION_WORDS[command][language == "zh-CN"],
        }
        found = await WorkOrder.select(WorkOrder.id).where(WorkOrder.number == number).first()
        checkpoint = unit.checkpoint()
        try:
            if found is None:
                raise NotFound("no such work order")
            order_id = UUID(str(found["id"]))
            await self._command(unit, order_id, command, words)
        except DomainError as exc:
            unit.restore(checkpoint)
            return _refusal(exc, language, values)
        return Outcome(command, _words(command, language, values), order_id)

    async def _command(self, unit: OrderUnit, order_id: UUID, command: str, words: str) -> None:
        operations = OrderOperations(unit)
        if command == "summary":
            if not words:
                raise Invalid("a summary needs words", code="reason_required")
            await add_comment(unit, order_id, order_schemas.CommentCreate(body=words))
            return
        if command == "start":
            # At most one step per status on the way to in_progress.
            for _ in START_STEPS:
                status = (await unit.order(order_id))["status"]
                if status == "in_progress":
                    return
                await operations.transition(
                    order_id,
                    order_schemas.TransitionRequest(action=START_STEPS.get(status, "start_work")),
                )
            return
        action = COMMAND_ACTIONS[command]
        await operations.transition(
            order_id, order_schemas.TransitionRequest(action=action, reason=words[:500])
        )

    def _record(
        self, unit: OrderUnit, text: InboundText, actor: Actor | None, result: Outcome
    ) -> None:
        now = self.clock()
        unit.insert(
            InboundSms,
            {
                "id": new_id(),
                "provider_id": text.message_id,
                "sender": text.sender[:32],
                "text": text.text[:1000],
                "user": actor.user_id if actor else None,
                "order": result.order,
                "outcome": result.outcome,
                "reply": result.reply,
                "received_at": now,
            },
        )
        if not result.reply:
            return
        unit.insert(
            Message,
            {
                "id": new_id(),
                "channel": "sms",
                "target": text.sender[:254],
                "notification": None,
                "kind": "sms_reply",
                "params": msgspec.json.encode({"text": result.reply}).decode(),
                "language": actor.language if actor else "en",
                "next_at": now,
                "created_at": now,
            },
        )


def international(phone: str, country_code: str) -> str:
    """A phone number's digits as E.164 has them: a number without ``+`` or ``00`` is
    local (its trunk 0 dropped) and gets the country code."""
    text = unicodedata.normalize("NFKC", phone).strip()
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        return digits
    if digits.startswith("00"):
        return digits[2:]
    return country_code + digits.removeprefix("0")


def _refusal(exc: DomainError, language: str, values: dict[str, Any]) -> Outcome:
    details = exc.details if isinstance(exc.details, dict) else {}
    status = str(details.get("status", ""))
    if isinstance(exc, NotFound):
        return Outcome("unknown_order", _words("unknown_order", language, values))
    if exc.code in ("illegal_transition", "transition_forbidden", "reason_required"):
        words = {
            **values,
            "status": STATUS_WORDS.get(status, status) if language == "zh-CN" else status,
        }
        return Outcome(exc.code, _words(exc.code, language, words))
    return Outcome(exc.code, _words("failed", language, {**values, "error": exc.message}))


def _words(key: str, language: str, values: dict[str, Any]) -> str:
    english, chinese = REPLIES[key]
    return (chinese if language == "zh-CN" else english).format(**values)
