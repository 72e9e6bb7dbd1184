"""Live updates: after a write commits, tell every server process what changed.

A unit of work says which orders and whose positions it changed (``changed``);
once its transaction commits, the process's announcer turns them into events and
publishes them on a Litestar channel. The channel's backend is in memory in the
embedded mode and Redis when ``FIELDOPS_REDIS_URL`` is set, so a browser connected
to one process hears of a change made by another, or by a ``fieldops worker``.

Announcing is best effort: a failure is logged, never undoes or fails the write.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from uuid import UUID

from litestar.channels import ChannelsPlugin
from litestar.channels.backends.base import ChannelsBackend
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.channels.backends.redis import RedisChannelsPubSubBackend

from server.settings import Settings

log = logging.getLogger(__name__)
ANNOUNCE_SECONDS = 2.0


@dataclass
class Changed:
    orders: set[UUID] = field(default_factory=set)
    people: set[UUID] = field(default_factory=set)


Announcer = Callable[[ChannelsPlugin, Changed], Awaitable[None]]

# The write transaction's changes so far; None outside one.
_pending: ContextVar[Changed | None] = ContextVar("pending_changes", default=None)


@dataclass
class Feed:
    plugin: ChannelsPlugin
    announce: Announcer
    # Other processes may listen (Redis): announce everything.
    shared: bool
    # Browsers of this process listening now.
    listeners: int = 0

    @property
    def heard(self) -> bool:
        return self.shared or self.listeners > 0


# This process's feed, while it runs (see ``announcing``).
_live: list[Feed] = []


def channel_name(redis_url: str) -> str:
    """The channel a deployment's changes go out on. Redis hands a PUBLISH to every
    subscriber on the server, whatever database number either picked: naming the
    channel after the number keeps deployments that share a Redis server apart."""
    if not redis_url:
        return "changes"
    from redis.connection import parse_url

    return f"changes:{parse_url(redis_url).get('db', 0)}"


class _RedisBackend(RedisChannelsPubSubBackend):
    """Closes its client when the plugin stops: Litestar's backend leaves the
    connection it publishes on open."""

    def __init__(self, redis_url: str) -> None:
        from redis.asyncio import Redis

        self.client = Redis.from_url(redis_url)
        super().__init__(redis=self.client, key_prefix="fieldops")

    async def on_shutdown(self) -> None:
        await super().on_shutdown()
        await self.client.aclose()


def channels(settings: Settings) -> ChannelsPlugin:
    backend: ChannelsBackend = (
        _RedisBackend(settings.redis_url) if settings.redis_url else MemoryChannelsBackend()
    )
    # A slow browser loses its oldest updates rather than holding memory without bound.
    return ChannelsPlugin(
        backend,
        channels=[channel_name(settings.redis_url)],
        subscriber_max_backlog=1000,
        subscriber_backlog_strategy="dropleft",
    )


async def check_redis(settings: Settings) -> None:
    """Fail with a clear message when the configured Redis does not answer."""
    if not settings.redis_url:
        return
    from redis.asyncio import Redis
    from redis.exceptions import RedisError

    client = Redis.from_url(settings.redis_url, socket_connect_timeout=5)
    try:
        await client.ping()
    except (RedisError, OSError) as exc:
        raise RedisUnavailable(f"Redis at FIELDOPS_REDIS_URL does not answer: {exc}") from None
    finally:
        await client.aclose()


class RedisUnavailable(Exception):
    """The Redis of ``FIELDOPS_REDIS_URL`` cannot be reached at start-up."""


@contextmanager
def announcing(plugin: ChannelsPlugin, announce: Announcer, shared: bool) -> Iterator[Feed]:
    """Publish this process's committed changes on ``plugin`` while in the block
    (``shared``: other processes hear it too, so whether anyone listens is unknown)."""
    feed = Feed(plugin, announce, shared)
    _live.append(feed)
    try:
        yield feed
    finally:
        _live.remove(feed)


@contextmanager
def listener() -> Iterator[None]:
    """A browser of this process listening: announce changes even without Redis."""
    feed = _live[-1] if _live else None
    if feed is not None:
        feed.listeners += 1
    try:
        yield
    finally:
        if feed is not None:
            feed.listeners -= 1


def changed(orders: Iterable[UUID] = (), people: Iterable[UUID] = ()) -> None:
    """Note changes of the current write transaction, to announce once it commits."""
    pending = _pending.get()
    if pending is not None:
        pending.orders.update(orders)
        pending.people.update(people)


@asynccontextmanager
async def collecting() -> AsyncIterator[None]:
    """Around a write transaction: announce what it changed after it committed."""
    if _pending.get() is not None:  # an inner transaction: the outer one announces
        yield
        return
    pending = Changed()
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    feed = _live[-1] if _live else None
    # Building the events costs queries: not worth it when nobody can hear them.
    if feed is not None and feed.heard and (pending.orders or pending.people):
        try:
            # The write has committed: a slow Redis must not hold its answer for long.
            # (asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a
            # cancellation that arrives as the announcement ends, and a stopping
            # worker would then never stop.)
            async with asyncio.timeout(ANNOUNCE_SECONDS):
                await feed.announce(feed.plugin, pending)
        except Exception:
            log.exception("could not announce %d orders' changes", len(pending.orders))
