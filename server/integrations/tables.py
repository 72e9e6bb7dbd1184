from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from server.accounts.tables import User
from server.workorders.tables import WorkOrder


class ApiKey(Table):
    """A machine client's key: it acts as its user, limited to its scopes. Only the
    SHA-256 of the secret is kept; the whole key is shown once, when it is made."""

    id = UUID(primary_key=True)
    name = Varchar(length=100)
    secret_hash = Varchar(length=64)
    scopes = JSON(default="[]")
    user = ForeignKey(User, index=True, on_delete=OnDelete.cascade)
    created_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz()
    expires_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    # Written at most once a minute per key (server/integrations/api_keys.py).
    last_used_at = Timestamptz(null=True, default=None)


class IdempotencyKey(Table):
    """The first answer to a request sent with an Idempotency-Key header, answered
    again to its repeats for a day. (owner, key) is unique (see the migrations)."""

    id = UUID(primary_key=True)
    # The API key that sent it, or the user when a person did.
    owner = UUID()
    key = Varchar(length=255)
    # SHA-256 of the request as decoded: a repeat with another body is refused.
    fingerprint = Varchar(length=64)
    status = Integer()
    body = Text()
    created_at = Timestamptz()
    expires_at = Timestamptz(index=True)


class WebhookSubscription(Table):
    """Another system's URL that gets the chosen order events, signed with the
    subscription's secret (server/signatures.py)."""

    id = UUID(primary_key=True)
    name = Varchar(length=100)
    url = Varchar(length=2000)
    # Kept as given: signing needs it. Answered once, when it is made.
    secret = Varchar(length=100)
    events = JSON(default="[]")
    active = Boolean(default=True)
    created_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz()


class WebhookDelivery(Table):
    """One event for one subscription: written with the change it tells, sent by the
    webhook outbox (server/integrations/outbox.py), every attempt's answer in ``log``."""

    id = UUID(primary_key=True)
    subscription = ForeignKey(WebhookSubscription, index=True, on_delete=OnDelete.cascade)
    # The payload's id: the same for every subscription and every redelivery.
    event_id = UUID()
    event_type = Varchar(length=32)
    order = ForeignKey(WorkOrder, on_delete=OnDelete.cascade)
    # The JSON body as sent, fixed when the event happened.
    payload = Text()
    state = Varchar(length=8, default="pending", index=True)
    attempts = Integer(default=0)
    next_at = Timestamptz(index=True)
    lease_until = Timestamptz(null=True, default=None)
    log = JSON(default="[]")
    last_status = Integer(null=True, default=None)
    created_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)


class CalendarFeed(Table):
    """A user's private calendar URL, by the SHA-256 of its token; a new token
    replaces the old one."""

    id = UUID(primary_key=True)
    user = ForeignKey(User, unique=True, on_delete=OnDelete.cascade)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
