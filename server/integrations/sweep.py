"""The hourly sweep: forget idempotency keys past their day and finished webhook
deliveries past ``DELIVERY_RETENTION`` (their logs go with them)."""

from __future__ import annotations

from datetime import timedelta

from server.integrations.tables import IdempotencyKey, WebhookDelivery
from server.scheduler.kinds import JobContext, JobKind, Tick

DELIVERY_RETENTION = timedelta(days=30)


async def sweep(context: JobContext, ticks: list[Tick]) -> None:
    now = context.clock()
    await IdempotencyKey.delete().where(IdempotencyKey.expires_at <= now)
    await WebhookDelivery.delete().where(
        WebhookDelivery.state != "pending",
        WebhookDelivery.finished_at < now - DELIVERY_RETENTION,
    )


INTEGRATIONS_SWEEP = JobKind(
    name="integrations.sweep", payload=Tick, run=sweep, every=timedelta(hours=1)
)
