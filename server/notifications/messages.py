"""The message outbox: sends the pending texts, e-mails and chat-group posts.

A message row is written in the same transaction as what it tells (fanout.py, the
SMS replies, the report e-mails). Like the push outbox, this one claims due rows
under a lease in a short transaction, sends outside any transaction through the
channel's sender, then records each answer: delivered, tried again later with
backoff (429, 5xx, no answer; at most ``MAX_ATTEMPTS``), failed for good, or
skipped (the channel is not set up, the chat robot is switched off).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import msgspec

from server.clock import Clock
from server.database import (
    execute_many,
    json_column,
    write_transaction,
)
from server.leases import LEASE, claim, poll_forever
from server.notifications.outbox import MAX_ATTEMPTS, backoff
from server.notifications.sending import Outgoing, Result, Sender
from server.notifications.tables import Message
from server.notifications.texts import render, with_number
from server.settings import Settings
from server.workorders.documents import order_number

log = logging.getLogger(__name__)

CONCURRENCY = 20
# Seconds one message may take: BATCH / CONCURRENCY of them in a row stay inside LEASE.
SEND_LIMIT = 60
RECORD_SQL = (
    "UPDATE message SET state = {}, attempts = {}, next_at = {}, lease_until = NULL, "
    "log = {}, provider_id = {}, finished_at = {} WHERE id = {} AND lease_until = {}"
)
CLAIM_SQL = (
    "SELECT m.id, m.channel, m.target, m.kind, m.params, m.language, m.attempts, m.log, "
    'n.params AS notice_params, n."order" AS order_id, w.number AS order_number, '
    "s.name AS site_name FROM message m "
    "LEFT JOIN notification n ON n.id = m.notification "
    'LEFT JOIN work_order w ON w.id = n."order" LEFT JOIN site s ON s.id = w.site '
    "WHERE m.state = 'pending' AND m.next_at <= {} AND "
    "(m.lease_until IS NULL OR m.lease_until < {}) ORDER BY m.next_at "
)


class MessageOutbox:
    def __init__(self, settings: Settings, clock: Clock, senders: Mapping[str, Sender]) -> None:
        self.settings = settings
        self.clock = clock
        self.senders = senders
        self.engine = Message._meta.db

    async def run_due(self) -> int:
        """Send what is due now; the number of messages handled."""
        now = self.clock()
        claimed = await self._claim(now)
        if not claimed:
            return 0
        limit = asyncio.Semaphore(CONCURRENCY)

        async def send(item: tuple[dict[str, Any], Outgoing]) -> Result:
            async with limit:
                return await self._send(item[1])

        results = await asyncio.gather(*(send(item) for item in claimed))
        await self._record(now + LEASE, [row for row, _ in claimed], results)
        return len(claimed)

    async def run_forever(self) -> None:
        await poll_forever(self.run_due, self.settings.scheduler_poll_seconds, "message outbox")

    async def _claim(self, now: datetime) -> list[tuple[dict[str, Any], Outgoing]]:
        async with write_transaction(self.engine):
            rows = await claim(self.engine, "message", "m", CLAIM_SQL, [now, now], now + LEASE)
        return [(row, self._outgoing(row)) for row in rows]

    def _outgoing(self, row: dict[str, Any]) -> Outgoing:
        notice = row["notice_params"]
        params = json_column(notice if notice is not None else row["params"])
        params = with_number(params, row["order_number"])
        title, body = render(row["kind"], row["language"], params, row["channel"] == "chat")
        order = row["order_id"]
        return Outgoing(
            id=UUID(str(row["id"])),
            channel=row["channel"],
            target=row["target"],
            kind=row["kind"],
            language=row["language"],
            title=title,
            body=body,
            link=f"{self.settings.base_url}/#/orders/{order}" if order else "",
            params=params,
            order_number=order_number(row["order_number"]) if row["order_number"] else None,
            site=row["site_name"],
        )

    async def _send(self, message: Outgoing) -> Result:
        sender = self.senders.get(message.channel)
        if sender is None:
            return Result("failed", error=f"no sender for channel {message.channel!r}")
        try:
            # Bounded, so that a batch always ends well inside its lease.
            return await asyncio.wait_for(sender.send(message), SEND_LIMIT)
        except TimeoutError:
            return Result("retry", error=f"no answer within {SEND_LIMIT} s")
        except Exception as exc:
            # A sender's own bug must not stop the others: the message is tried again.
            log.exception("sending message %s failed", message.id)
            return Result("retry", error=f"{type(exc).__name__}: {exc}"[:200])

    async def _record(
        self, lease: datetime, rows: list[dict[str, Any]], results: list[Result]
    ) -> None:
        now = self.clock()
        updates = []
        for row, result in zip(rows, results, strict=True):
            attempt = int(row["attempts"]) + 1
            history = [
                *json_column(row["log"]),
                {"at": now.isoformat(), "outcome": result.outcome, "error": result.error},
            ]
            state, next_at = "sent", now
            finished: datetime | None = now
            if result.outcome == "retry" and attempt < MAX_ATTEMPTS:
                wait = max(backoff(attempt), timedelta(seconds=result.retry_after or 0))
                state, next_at, finished = "pending", now + wait, None
            elif result.outcome in ("retry", "failed"):
                state = "failed"
            elif result.outcome == "skipped":
                state = "skipped"
            updates.append(
                (
                    state,
                    attempt,
                    next_at,
                    msgspec.json.encode(history).decode(),
                    # The column's width: a provider's longer id must not fail the batch.
                    result.provider_id[:200] if result.provider_id else None,
                    finished,
                    row["id"],
                    lease,
                )
            )
        async with write_transaction(self.engine):
            await execute_many(self.engine, RECORD_SQL, updates)
