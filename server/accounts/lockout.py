"""Login rate limiting and lockout.

Failures are rows in the database, so every server process of a deployment counts
the same ones. A username, or a client address (password spraying across many
usernames), with its limit of failures within the window is locked out for the
lockout period after the last of them; meanwhile every login answers 429, even with
the right password, and is not counted.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from server.accounts.tables import LoginFailure
from server.clock import Clock
from server.errors import TooSoon
from server.ids import new_id
from server.settings import Settings


class LoginGuard:
    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.clock = clock
        self.limit = settings.login_max_failures
        self.limit_per_ip = settings.login_max_failures_per_ip
        self.window = timedelta(minutes=settings.login_failure_window_minutes)
        self.lockout = timedelta(minutes=settings.login_lockout_minutes)

    async def check(self, username: str, client_ip: str) -> None:
        """Refuse (429 ``too_many_attempts``) while the username or the address is locked."""
        now = self.clock()
        until = max(
            await self._locked_until(LoginFailure.username == username, self.limit, now),
            await self._locked_until(LoginFailure.client_ip == client_ip, self.limit_per_ip, now),
        )
        if until > now:
            retry_after = math.ceil((until - now).total_seconds())
            raise TooSoon(
                "too many failed logins; try again later",
                {"retry_after": retry_after},
                code="too_many_attempts",
                retry_after=retry_after,
            )

    async def begin(self, username: str, client_ip: str) -> None:
        """Count an attempt as failed before its password is checked (which takes tens
        of milliseconds), so that attempts running alongside already see it;
        :meth:`succeeded` takes it back."""
        now = self.clock()
        # Rows older than this cannot lock anything any more (see _locked_until).
        await LoginFailure.delete().where(LoginFailure.failed_at < now - self.window - self.lockout)
        await LoginFailure.insert(
            LoginFailure(id=new_id(), username=username, client_ip=client_ip, failed_at=now)
        )

    async def succeeded(self, username: str) -> None:
        """A success resets the username's count (and so its share of its address's)."""
        await LoginFailure.delete().where(LoginFailure.username == username)

    async def _locked_until(self, where: Any, limit: int, now: datetime) -> datetime:
        rows = (
            await LoginFailure.select(LoginFailure.failed_at)
            .where(where, LoginFailure.failed_at > now - self.window - self.lockout)
            .order_by(LoginFailure.failed_at, ascending=False)
            .limit(limit)
        )
        if len(rows) < limit or rows[0]["failed_at"] - rows[-1]["failed_at"] > self.window:
            return now
        return rows[0]["failed_at"] + self.lockout
