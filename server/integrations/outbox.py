"""The webhook outbox: posts pending deliveries to their subscriptions' URLs.

The push and message outboxes' way (server/notifications/outbox.py): due deliveries
are claimed under a lease in a short transaction, so several processes share the
work and a crash only delays it; they are posted outside any transaction,
concurrently, each body signed at sending time (``X-FieldOps-Signature``, with the
time of the attempt, so a retry an hour later still passes the receiver's
five-minute window); then every answer is recorded in another short transaction:

- 2xx: sent; 429, 5xx or no answer: tried again after the outbox's backoff (30 s
  doubling, at most an hour, or the receiver's Retry-After), up to ``MAX_ATTEMPTS``;
- any other answer (a redirect too: it is not followed): failed for good;
- a subscription switched off meanwhile: skipped.

Each attempt lands in the delivery's log with the receiver's status code.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp
import msgspec

from server.clock import Clock
from server.database import (
    execute_many,
    fetch,
    json_column,
    write_transaction,
)
from server.integrations.tables import WebhookDelivery
from server.leases import LEASE, claim, poll_forever
from server.notifications.endpoints import endpoint_allowed
from server.notifications.outbox import MAX_ATTEMPTS, backoff
from server.notifications.sending import Outcome, http_outcome
from server.settings import Settings
from server.signatures import HEADER, sign

log = logging.getLogger(__name__)

CONCURRENCY = 20
TIMEOUT = aiohttp.ClientTimeout(total=10)
# A Retry-After beyond this is not believed.
MAX_WAIT_SECONDS = 3600
DUE_SQL = "SELECT id FROM webhook_delivery WHERE state = 'pending' AND next_at <= {} LIMIT 1"
CLAIM_SQL = (
    "SELECT d.id, d.event_id, d.event_type, d.payload, d.attempts, d.log, "
    "s.url, s.secret, s.active FROM webhook_delivery d "
    "JOIN webhook_subscription s ON s.id = d.subscription "
    "WHERE d.state = 'pending' AND d.next_at <= {} AND "
    "(d.lease_until IS NULL OR d.lease_until < {}) ORDER BY d.next_at "
)
# Only while the claim is still ours: a lease that ran out and was taken by another
# process leaves the record to that one.
RECORD_SQL = (
    "UPDATE webhook_delivery SET state = {}, attempts = {}, next_at = {}, "
    "lease_until = NULL, log = {}, last_status = {}, finished_at = {} "
    "WHERE id = {} AND lease_until = {}"
)


@dataclass(frozen=True)
class Attempt:
    outcome: Outcome
    status: int | None = None
    error: str = ""
    retry_after: int | None = None
    ms: int | None = None


class WebhookOutbox:
    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self.engine = WebhookDelivery._meta.db

    async def run_due(self) -> int:
        """Post what is due now; the number of deliveries handled."""
        now = self.clock()
        # A plain read first: an idle outbox takes no write lock each poll.
        if not await fetch(self.engine, DUE_SQL, [now]):
            return 0
        claimed = await self._claim(now)
        if not claimed:
            return 0
        limit = asyncio.Semaphore(CONCURRENCY)
        async with aiohttp.ClientSession(timeout=TIMEOUT) as session:

            async def post(row: dict[str, Any]) -> Attempt:
                async with limit:
                    return await self._post(session, row)

            attempts = await asyncio.gather(*(post(row) for row in claimed))
        await self._record(now + LEASE, claimed, attempts)
        return len(claimed)

    async def run_forever(self) -> None:
        await poll_forever(self.run_due, self.settings.scheduler_poll_seconds, "webhook outbox")

    async def _claim(self, now: datetime) -> list[dict[str, Any]]:
        async with write_transaction(self.engine):
            return await claim(
                self.engine, "webhook_delivery", "d", CLAIM_SQL, [now, now], now + LEASE
            )

    async def _post(self, session: aiohttp.ClientSession, row: dict[str, Any]) -> Attempt:
        if not row["active"]:
            return Attempt("skipped", error="the subscription is switched off")
        url = row["url"]
        if not endpoint_allowed(self.settings.webhook_urls, url):
            # Made before the accepted targets were narrowed.
            return Attempt("failed", error="the URL is not an accepted webhook target")
        body = row["payload"].encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "FieldOps-Webhooks",
            HEADER: sign(row["secret"], body, int(self.clock().timestamp())),
            "X-FieldOps-Event": row["event_type"],
            "X-FieldOps-Delivery": str(row["id"]),
        }
        started = time.monotonic()
        try:
            async with session.post(
                url, data=body, headers=headers, allow_redirects=False
            ) as response:
                status = response.status
                retry_after = response.headers.get("Retry-After", "")
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            # The kind of failure only: its words could map the network behind.
            return Attempt("retry", error=type(exc).__name__)
        except ValueError as exc:
            # A host name no resolver takes: it never will.
            return Attempt("failed", error=type(exc).__name__)
        ms = round((time.monotonic() - started) * 1000)
        outcome = http_outcome(status)
        digits = retry_after.isascii() and retry_after.isdigit() and len(retry_after) < 8
        wait = min(int(retry_after), MAX_WAIT_SECONDS) if digits else None
        error = "" if outcome == "delivered" else f"HTTP {status}"
        return Attempt(outcome, status=status, error=error, retry_after=wait, ms=ms)

    async def _record(
        self, lease: datetime, rows: list[dict[str, Any]], attempts: list[Attempt]
    ) -> None:
        now = self.clock()
        updates = []
        for row, attempt in zip(rows, attempts, strict=True):
            tried = int(row["attempts"]) + 1
            entry = {
                "at": now.isoformat(),
                "outcome": attempt.outcome,
                "status": attempt.status,
                "error": attempt.error,
                "ms": attempt.ms,
            }
            history = [*json_column(row["log"]), entry]
            state, next_at = "sent", now
            finished: datetime | None = now
            if attempt.outcome == "retry" and tried < MAX_ATTEMPTS:
                wait = max(backoff(tried), timedelta(seconds=attempt.retry_after or 0))
                state, next_at, finished = "pending", now + wait, None
            elif attempt.outcome in ("retry", "failed"):
                state = "failed"
            elif attempt.outcome == "skipped":
                state = "skipped"
            updates.append(
                (
                    state,
                    tried,
                    next_at,
                    msgspec.json.encode(history).decode(),
                    attempt.status,
                    finished,
                    row["id"],
                    lease,
                )
            )
        async with write_transaction(self.engine):
            await execute_many(self.engine, RECORD_SQL, updates)
