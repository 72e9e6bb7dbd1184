"""The loops that deliver notifications beyond the app: Web Push, and the texts,
e-mails and chat-group posts of the message outbox. Servers and `fieldops worker`
run them alike; several processes share the work through leases."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from py_vapid import Vapid02

from server.clock import Clock
from server.notifications.chat import ChatSender
from server.notifications.mail import MailSender
from server.notifications.messages import MessageOutbox
from server.notifications.outbox import Outbox
from server.notifications.sending import Sender
from server.notifications.sms import SmsSender
from server.notifications.sms_gateway import SmsGateway
from server.settings import Settings


def message_outbox(settings: Settings, clock: Clock, gateway: SmsGateway) -> MessageOutbox:
    senders: dict[str, Sender] = {
        "sms": SmsSender(gateway),
        "email": MailSender(settings),
        "chat": ChatSender(settings),
    }
    return MessageOutbox(settings, clock, senders)


def delivery_loops(
    settings: Settings, clock: Clock, vapid: Vapid02, gateway: SmsGateway
) -> list[Coroutine[Any, Any, None]]:
    return [
        Outbox(settings, clock, vapid).run_forever(),
        message_outbox(settings, clock, gateway).run_forever(),
    ]
