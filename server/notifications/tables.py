from piccolo.columns import JSON, UUID, BigInt, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from server.accounts.tables import User
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
