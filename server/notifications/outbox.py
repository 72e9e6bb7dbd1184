"""The push outbox: sends the pending Web Push deliveries to users' devices.

A delivery row is written with its notification, in the same transaction. The
outbox claims due deliveries in a short transaction (a lease, so that several
processes share the work and a crash only delays it), sends outside any transaction
(pywebpush, concurrently), then records each device's answer in another short one:

- 201/202: delivered; 404/410: the subscription is gone and is deleted;
- 429, 5xx or no answer: that device is tried again later (Retry-After, or 30 s
  doubling, at most an hour), up to ``MAX_ATTEMPTS``;
- any other answer: that device failed for good.

Before sending, the user's preferences apply: a muted kind is not pushed, and in
quiet hours only P1 orders are; the rest wait for the quiet hours' end.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import aiohttp
import msgspec
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush_async

from server.clock import Clock
from server.database import (
    execute_many,
    fetch,
    is_sqlite,
    json_column,
    one_of_ids,
    write_transaction,
)
from server.leases import BATCH, LEASE, poll_forever, stamp
from server.notifications.endpoints import endpoint_allowed
from server.notifications.tables import PushDelivery
from server.notifications.texts import render, with_number
from server.settings import Settings

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
SEND_TIMEOUT = 10  # seconds per request
CONCURRENCY = 50
TTL = 24 * 3600  # seconds a push service keeps an undelivered message
URGENT_KINDS = frozenset(["sla_breach", "sla_alarm", "sla_escalated"])
RECORD_SQL = (
    "UPDATE push_delivery SET state = {}, attempts = {}, next_at = {}, lease_until = NULL, "
    "waiting = {}, log = {}, finished_at = {} WHERE id = {}"
)
# After sending: only while the claim is still ours (a lease that ran out and was
# taken by another process leaves the record to that one).
LEASED_SQL = RECORD_SQL + " AND lease_until = {}"
SUCCESS_SQL = "UPDATE push_subscription SET last_success_at = {} WHERE id = {}"
GONE_SQL = "DELETE FROM push_subscription WHERE id = {}"


def backoff(attempt: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempt - 1), 3600))


@dataclass
class Send:
    delivery: dict[str, Any]
    subscription: dict[str, Any]
    payload: bytes
    headers: dict[str, str]
    lease: datetime
    status: int = 0
    retry_after: int | None = None
    error: str = ""


class Outbox:
    def __init__(self, settings: Settings, clock: Clock, vapid: Vapid02) -> None:
        self.settings = settings
        self.clock = clock
        self.vapid = vapid
        self.engine = PushDelivery._meta.db

    async def run_due(self) -> int:
        """Send what is due now; the number of deliveries handled."""
        now = self.clock()
        if not await fetch(
            self.engine,
            "SELECT id FROM push_delivery WHERE state = 'pending' AND next_at <= {} LIMIT 1",
            [now],
        ):
            return 0
        sends, handled = await self._claim(now)
        if sends:
            async with aiohttp.ClientSession() as session:
                limit = asyncio.Semaphore(CONCURRENCY)
                await asyncio.gather(*(self._send(session, limit, s) for s in sends))
            await self._record(sends)
        return handled

    async def run_forever(self) -> None:
        await poll_forever(self.run_due, self.settings.scheduler_poll_seconds, "push outbox")

    async def _claim(self, now: datetime) -> tuple[list[Send], int]:
        """Lease the due deliveries and decide what to send; settle the ones that
        need no sending (muted, no devices) and defer the quiet ones."""
        sqlite = is_sqlite(self.engine)
        # Only the deliveries' rows: the joined ones are read, not claimed.
        lock = "" if sqlite else " FOR UPDATE OF d SKIP LOCKED"
        async with write_transaction(self.engine):
            rows = await fetch(
                self.engine,
                "SELECT d.id, d.attempts, d.waiting, d.log, n.user AS user_id, n.kind, n.params, "
                'n."order" AS order_id, u.language, w.priority, w.number AS order_number '
                "FROM push_delivery d "
                "JOIN notification n ON n.id = d.notification JOIN app_user u ON u.id = n.user "
                'LEFT JOIN work_order w ON w.id = n."order" '
                "WHERE d.state = 'pending' AND d.next_at <= {} AND "
                "(d.lease_until IS NULL OR d.lease_until < {}) ORDER BY d.next_at "
                f"LIMIT {BATCH}{lock}",
                [now, now],
            )
            if not rows:
                return [], 0
            users = list({UUID(str(row["user_id"])) for row in rows})
            subscriptions = await self._subscriptions(users)
            preferences = await self._preferences(users)
            sends: list[Send] = []
            settled: list[tuple[Any, ...]] = []
            for row in rows:
                user = UUID(str(row["user_id"]))
                mine = subscriptions.get(user, {})
                waiting = json_column(row["waiting"])
                targets = list(mine) if waiting is None else [s for s in waiting if s in mine]
                history = json_column(row["log"])
                preference = preferences.get(user)
                if preference and row["kind"] in json_column(preference["muted"]):
                    settled.append(_row(row, "skipped", [], [*history, _note(now, "muted")], now))
                    continue
                if not targets:
                    settled.append(
                        _row(row, "skipped", [], [*history, _note(now, "no devices")], now)
                    )
                    continue
                quiet_end = _quiet_until(preference, now) if row["priority"] != "P1" else None
                if quiet_end is not None:
                    settled.append(
                        (
                            "pending",
                            row["attempts"],
                            quiet_end,
                            msgspec.json.encode(targets).decode(),
                            msgspec.json.encode([*history, _note(now, "quiet hours")]).decode(),
                            None,
                            row["id"],
                        )
                    )
                    continue
                payload, headers = _message(row)
                sends += [
                    Send({**row, "log": history}, mine[s], payload, headers, now + LEASE)
                    for s in targets
                ]
            leased = [r["id"] for r in rows if r["id"] not in {s[-1] for s in settled}]
            if settled:
                await execute_many(self.engine, RECORD_SQL, settled)
            if leased:
                await stamp(self.engine, "push_delivery", leased, now + LEASE)
        return sends, len(rows)

    async def _subscriptions(self, users: list[UUID]) -> dict[UUID, dict[str, dict[str, Any]]]:
        condition, bound = one_of_ids(is_sqlite(self.engine), '"user"', users)
        rows = await fetch(
            self.engine,
            f'SELECT id, "user", endpoint, p256dh, auth FROM push_subscription WHERE {condition}',
            [bound],
        )
        found: dict[UUID, dict[str, dict[str, Any]]] = {}
        for row in rows:
            found.setdefault(UUID(str(row["user"])), {})[str(row["id"])] = row
        return found

    async def _preferences(self, users: list[UUID]) -> dict[UUID, dict[str, Any]]:
        condition, bound = one_of_ids(is_sqlite(self.engine), '"user"', users)
        rows = await fetch(
            self.engine, f"SELECT * FROM notification_preference WHERE {condition}", [bound]
        )
        return {UUID(str(row["user"])): row for row in rows}

    async def _send(
        self, session: aiohttp.ClientSession, limit: asyncio.Semaphore, send: Send
    ) -> None:
        subscription = send.subscription
        if not endpoint_allowed(self.settings.push_endpoints, subscription["endpoint"]):
            # Subscribed before the accepted push services were narrowed.
            send.status = UNSENDABLE
            send.error = "the endpoint is not an accepted push service"
            return
        info = {
            "endpoint": subscription["endpoint"],
            "keys": {"p256dh": subscription["p256dh"], "auth": subscription["auth"]},
        }
        async with limit:
            try:
                response = await webpush_async(
                    info,
                    data=send.payload.decode(),
                    vapid_private_key=self.vapid,
                    vapid_claims={"sub": self.settings.vapid_subject},
                    ttl=TTL,
                    headers=send.headers,
                    timeout=SEND_TIMEOUT,
                    aiohttp_session=session,
                )
                send.status = response.status
            except WebPushException as exc:
                answer = exc.response
                send.status = getattr(answer, "status", 0) or getattr(answer, "status_code", 0)
                retry = answer.headers.get("Retry-After") if answer is not None else None
                send.retry_after = int(retry) if retry and retry.isdigit() else None
                send.error = str(exc).splitlines()[0][:200]
            except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                send.error = f"{type(exc).__name__}: {exc}"[:200]
            except Exception as exc:
                # Not the network: this subscription cannot be sent to (a bad key...).
                send.status = UNSENDABLE
                send.error = f"{type(exc).__name__}: {exc}"[:200]

    async def _record(self, sends: list[Send]) -> None:
        now = self.clock()
        by_delivery: dict[Any, list[Send]] = {}
        for send in sends:
            by_delivery.setdefault(send.delivery["id"], []).append(send)
        rows: list[tuple[Any, ...]] = []
        delivered: list[tuple[Any, ...]] = []
        gone: list[tuple[Any, ...]] = []
        for delivery_id, attempts in by_delivery.items():
            delivery = attempts[0].delivery
            attempt = int(delivery["attempts"]) + 1
            history = list(delivery["log"])
            again, waits = [], []
            for send in attempts:
                subscription = str(send.subscription["id"])
                outcome = _outcome(send.status)
                history.append(
                    {
                        "at": now.isoformat(),
                        "subscription": subscription,
                        "status": send.status,
                        "outcome": outcome,
                        "error": send.error,
                    }
                )
                if outcome == "delivered":
                    delivered.append((now, send.subscription["id"]))
                elif outcome == "gone":
                    gone.append((send.subscription["id"],))
                elif outcome == "retry":
                    again.append(subscription)
                    if send.retry_after:
                        waits.append(timedelta(seconds=send.retry_after))
            if again and attempt < MAX_ATTEMPTS:
                wait = max([backoff(attempt), *waits])
                rows.append(
                    (
                        "pending",
                        attempt,
                        now + wait,
                        msgspec.json.encode(again).decode(),
                        msgspec.json.encode(history).decode(),
                        None,
                        delivery_id,
                        attempts[0].lease,
                    )
                )
            else:
                ok = any(_outcome(s.status) == "delivered" for s in attempts) or (
                    not again and any(h.get("outcome") == "delivered" for h in history)
                )
                rows.append(
                    (
                        "sent" if ok else "failed",
                        attempt,
                        now,
                        "[]",
                        msgspec.json.encode(history).decode(),
                        now,
                        delivery_id,
                        attempts[0].lease,
                    )
                )
        async with write_transaction(self.engine):
            await execute_many(self.engine, LEASED_SQL, rows)
            if delivered:
                await execute_many(self.engine, SUCCESS_SQL, delivered)
            if gone:
                await execute_many(self.engine, GONE_SQL, gone)


UNSENDABLE = -1


def _outcome(status: int) -> str:
    if status == UNSENDABLE:
        return "failed"
    if status in (200, 201, 202):
        return "delivered"
    if status in (404, 410):
        return "gone"
    if status == 0 or status == 429 or status >= 500:
        return "retry"
    return "failed"


def _note(now: datetime, what: str) -> dict[str, Any]:
    return {"at": now.isoformat(), "outcome": what}


def _row(
    row: dict[str, Any], state: str, waiting: list[str], history: list[Any], now: datetime
) -> tuple[Any, ...]:
    return (
        state,
        row["attempts"],
        now,
        msgspec.json.encode(waiting).decode(),
        msgspec.json.encode(history).decode(),
        now,
        row["id"],
    )


def _message(row: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    """The payload in the user's language, and the Urgency and Topic headers."""
    params = with_number(json_column(row["params"]), row["order_number"])
    title, body = render(row["kind"], row["language"], params)
    order = str(row["order_id"]) if row["order_id"] else None
    payload = {
        "title": title,
        "body": body,
        "url": f"/#/orders/{order}" if order else "/#/notifications",
        "order_id": order,
        "kind": row["kind"],
    }
    urgent = row["priority"] in ("P1", "P2") or row["kind"] in URGENT_KINDS
    headers = {"Urgency": "high" if urgent else "normal"}
    if order:
        # A newer push about the same order replaces one not yet shown.
        headers["Topic"] = UUID(order).hex[:32]
    return msgspec.json.encode(payload), headers


def _quiet_until(preference: dict[str, Any] | None, now: datetime) -> datetime | None:
    """When the user's quiet hours end, if ``now`` falls in them."""
    if not preference or not preference["quiet_from"] or not preference["quiet_until"]:
        return None
    zone = ZoneInfo(preference["timezone"])
    local = now.astimezone(zone)
    start = time.fromisoformat(preference["quiet_from"])
    end = time.fromisoformat(preference["quiet_until"])
    clock = local.time()
    inside = start <= clock < end if start <= end else clock >= start or clock < end
    if not inside:
        return None
    day = local.date() if clock < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, zone)
