from piccolo.columns import (
    JSON,
    UUID,
    BigInt,
    Boolean,
    ForeignKey,
    Integer,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from server.accounts.tables import Department, User
from server.workorders.tables import WorkOrder


class Notification(Table):
    """Something a user should know, kept in the app whatever else delivers it.
    Stored without words: its text is made in the reader's language when read."""

    id = UUID(primary_key=True)
    user = ForeignKey(User, index=True, on_delete=OnDelete.cascade)
    kind = Varchar(length=32)
    order = ForeignKey(WorkOrder, null=True, index=True, on_delete=OnDelete.cascade)
    # What the text needs: the order's number and title, counts, reasons.
    params = JSON(default="{}")
    created_at = Timestamptz()
    read_at = Timestamptz(null=True, default=None)
    # The sync sequence value of the latest change (made, read): phones pull them.
    sync_seq = BigInt(default=0, index=True)


class PushSubscription(Table):
    """A browser or phone that receives Web Push for a user (one per device)."""

    id = UUID(primary_key=True)
    user = ForeignKey(User, index=True, on_delete=OnDelete.cascade)
    endpoint = Varchar(length=2000, unique=True)
    p256dh = Varchar(length=200)
    auth = Varchar(length=100)
    created_at = Timestamptz()
    last_success_at = Timestamptz(null=True, default=None)


class PushDelivery(Table):
    """Sending one notification to its user's devices, and what became of it. Made
    with the notification; the push outbox (server/notifications/outbox.py) sends it
    outside any transaction and records each device's answer in ``log``."""

    id = UUID(primary_key=True)
    notification = ForeignKey(Notification, unique=True, on_delete=OnDelete.cascade)
    state = Varchar(length=8, default="pending", index=True)
    attempts = Integer(default=0)
    next_at = Timestamptz(index=True)
    # A claim: another process leaves it alone until then (a crash frees it).
    lease_until = Timestamptz(null=True, default=None)
    # The subscriptions still to reach; null until the first attempt looks them up.
    waiting = JSON(null=True, default=None)
    log = JSON(default="[]")
    finished_at = Timestamptz(null=True, default=None)


class NotificationPreference(Table):
    """Which notifications a user wants pushed, and when not (P1 ignores quiet hours)."""

    id = UUID(primary_key=True)
    user = ForeignKey(User, unique=True, on_delete=OnDelete.cascade)
    muted = JSON(default="[]")
    quiet_from = Varchar(length=5, null=True, default=None)
    quiet_until = Varchar(length=5, null=True, default=None)
    timezone = Varchar(length=64, default="Asia/Shanghai")
    # The kinds also sent by SMS and by e-mail (to the user's phone and address).
    sms = JSON(default="[]")
    email = JSON(default="[]")
    # The summary e-mail a manager gets: off, daily or weekly.
    report = Varchar(length=8, default="off")


class Message(Table):
    """A text, e-mail or chat-group post to send, written in the same transaction as
    what it tells and sent by the message outbox (server/notifications/messages.py).
    Its words are made when it is sent, from its notification or its own params."""

    id = UUID(primary_key=True)
    channel = Varchar(length=8)
    # A phone number, an e-mail address, or a chat robot's id.
    target = Varchar(length=254)
    notification = ForeignKey(Notification, null=True, on_delete=OnDelete.cascade)
    kind = Varchar(length=32)
    params = JSON(default="{}")
    language = Varchar(length=8, default="zh-CN")
    # Makes a message once only (a report's period for its reader); null: no such rule.
    key = Varchar(length=200, null=True, default=None, unique=True)
    state = Varchar(length=8, default="pending", index=True)
    attempts = Integer(default=0)
    next_at = Timestamptz(index=True)
    lease_until = Timestamptz(null=True, default=None)
    log = JSON(default="[]")
    provider_id = Varchar(length=200, null=True, default=None)
    created_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)


class InboundSms(Table):
    """A text received from the SMS gateway, once per provider message id, with what
    it did and the reply it got."""

    id = UUID(primary_key=True)
    provider_id = Varchar(length=200, unique=True)
    sender = Varchar(length=32, index=True)
    text = Varchar(length=1000)
    user = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    order = ForeignKey(WorkOrder, null=True, on_delete=OnDelete.set_null)
    outcome = Varchar(length=32)
    reply = Varchar(length=500)
    received_at = Timestamptz()


class ChatRobot(Table):
    """A chat group's robot webhook (WeCom, DingTalk, Feishu) that gets a department's
    events of the chosen kinds; no department: every department's."""

    id = UUID(primary_key=True)
    name = Varchar(length=100)
    platform = Varchar(length=16)
    url = Varchar(length=2000)
    secret = Varchar(length=200, default="")
    department = ForeignKey(Department, null=True, index=True, on_delete=OnDelete.cascade)
    kinds = JSON(default="[]")
    language = Varchar(length=8, default="zh-CN")
    active = Boolean(default=True)
    created_at = Timestamptz()
