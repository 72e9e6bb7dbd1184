"""What a channel (SMS, e-mail, chat group) is given to send, and what it answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol
from uuid import UUID

Outcome = Literal["delivered", "retry", "failed", "skipped"]


@dataclass(frozen=True)
class Outgoing:
    id: UUID
    channel: str
    # A phone number, an e-mail address or a chat robot's id.
    target: str
    kind: str
    language: str
    # The notification's words in ``language`` (texts.render).
    title: str
    body: str
    # Where to open what the message is about, absolute; "" for nothing.
    link: str
    params: dict[str, Any] = field(default_factory=dict)
    order_number: str | None = None
    site: str | None = None


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    provider_id: str | None = None
    error: str = ""
    # Seconds the provider asked to wait before trying again.
    retry_after: int | None = None


class Sender(Protocol):
    async def send(self, message: Outgoing) -> Result:
        """Send one message; problems are answered as a Result, never raised."""
        ...


def http_outcome(status: int) -> Outcome:
    """What an HTTP answer from a provider means for the message."""
    if 200 <= status < 300:
        return "delivered"
    if status == 429 or status >= 500:
        return "retry"
    return "failed"
