"""Texts to phones: the words of a notification as an SMS, sent through the gateway.

An assignment carries the reply menu, so that a worker without a smartphone can
move the order by answering (sms_inbox.py).
"""

from __future__ import annotations

from server.notifications.sending import Outgoing, Result
from server.notifications.sms_gateway import GatewayError, SmsGateway

# Long texts are split by the network and billed per part: a few parts at most.
MAX_LENGTH = 400
MENU = {
    "en": "Reply 1 {n} start, 2 {n} done, 3 {n} reason: suspend, 4 {n} reason: cancel, "
    "5 {n} text: summary",
    "zh-CN": "回复 1 {n} 开始，2 {n} 完成，3 {n} 原因 挂起，4 {n} 原因 取消，5 {n} 内容 总结",
}


def sms_text(message: Outgoing) -> str:
    if message.kind == "sms_reply":
        return str(message.params.get("text", ""))[:MAX_LENGTH]
    if message.kind == "assigned" and message.order_number:
        where = f" {message.site}" if message.site else ""
        menu = MENU.get(message.language, MENU["en"])
        number = message.order_number.removeprefix("WO-").lstrip("0")
        head = f"[FieldOps] {message.title}{where}: {message.body}"
        tail = "\n" + menu.format(n=number)
        return head[: MAX_LENGTH - len(tail)] + tail
    return f"[FieldOps] {message.title}: {message.body}"[:MAX_LENGTH]


class SmsSender:
    def __init__(self, gateway: SmsGateway) -> None:
        self.gateway = gateway

    async def send(self, message: Outgoing) -> Result:
        try:
            provider_id = await self.gateway.send(
                message.target, sms_text(message), str(message.id)
            )
        except GatewayError as exc:
            return Result("retry" if exc.retry else "failed", error=str(exc)[:200])
        return Result("delivered", provider_id=provider_id)
