"""Login rate limiting and lockout (server/accounts/lockout.py), with the default
settings: 5 failures per username or 20 per client address within 15 minutes lock
it for 15 minutes after the last failure."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from litestar import Litestar

from server.accounts.tables import LoginFailure
from tests.clock import FakeClock
from tests.server.accounts.test_auth import login
from tests.world import World

WRONG = "not-the-password"
LOCKED = {
    "code": "too_many_attempts",
    "message": "too many failed logins; try again later",
    "details": {"retry_after": 900},
}


@pytest.fixture
async def elsewhere(app: Litestar, client: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """The same server (its lifespan run by ``client``) called from another address."""
    transport = httpx.ASGITransport(app=app, client=("10.0.0.9", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://fieldops.test") as http:
        yield http


async def fail(client: httpx.AsyncClient, username: str, times: int) -> None:
    for _ in range(times):
        response = await login(client, username, WRONG)
        assert response.status_code == 401, response.text
        assert response.json()["code"] == "invalid_credentials"


async def test_five_failures_lock_the_username_for_fifteen_minutes(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    await fail(client, "north.tech", 5)

    locked = await login(client, "north.tech")  # the right password
    assert locked.status_code == 429
    assert locked.headers["retry-after"] == "900"
    assert locked.json() == LOCKED

    clock.advance(minutes=10, seconds=0.5)
    later = await login(client, "north.tech")
    assert later.status_code == 429
    # 899.5 - 600 seconds left, rounded up.
    assert later.headers["retry-after"] == "300"
    assert later.json()["details"] == {"retry_after": 300}
    # Other accounts log in as usual meanwhile.
    assert (await login(client, "south.tech")).status_code == 200

    clock.advance(minutes=4, seconds=59.5)
    assert (await login(client, "north.tech")).status_code == 200


async def test_attempts_while_locked_do_not_extend_the_lockout(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    await fail(client, "north.tech", 5)
    clock.advance(minutes=14)
    refused = await login(client, "north.tech", WRONG)
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "60"
    clock.advance(minutes=1)
    assert (await login(client, "north.tech")).status_code == 200


async def test_unknown_usernames_lock_alike(client: httpx.AsyncClient, world: World) -> None:
    await fail(client, "north.tech", 5)
    await fail(client, "nobody", 5)
    known = await login(client, "north.tech", WRONG)
    unknown = await login(client, "nobody", WRONG)
    assert known.status_code == unknown.status_code == 429
    assert known.json() == unknown.json() == LOCKED
    assert known.headers["retry-after"] == unknown.headers["retry-after"] == "900"


async def test_a_name_longer_in_lower_case_is_a_plain_failure(
    client: httpx.AsyncClient, world: World
) -> None:
    # 64 characters that are 128 in lower case: more than the failure log's column.
    answer = await login(client, "İ" * 64, WRONG)
    assert answer.status_code == 401, answer.text
    assert answer.json()["code"] == "invalid_credentials"


async def test_failures_count_within_the_window_only(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    await fail(client, "north.tech", 4)
    clock.advance(minutes=15, seconds=1)
    # The fifth failure comes too late to lock with the first four.
    await fail(client, "north.tech", 1)
    assert (await login(client, "north.tech")).status_code == 200


async def test_a_success_resets_the_count(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    await fail(client, "north.tech", 4)
    assert (await login(client, "north.tech")).status_code == 200
    await fail(client, "north.tech", 4)
    assert (await login(client, "north.tech")).status_code == 200
    await fail(client, "north.tech", 5)
    assert (await login(client, "north.tech")).status_code == 429


async def test_twenty_failures_from_one_address_lock_it_across_usernames(
    client: httpx.AsyncClient, elsewhere: httpx.AsyncClient, world: World
) -> None:
    # Password spraying: four tries on each of five names, none locked by itself.
    for name in ("north.tech", "south.tech", "admin", "ghost1", "ghost2"):
        await fail(client, name, 4)
    sprayed = await login(client, "north.manager")
    assert sprayed.status_code == 429
    assert sprayed.headers["retry-after"] == "900"
    assert sprayed.json() == LOCKED
    # The same accounts from another address: the usernames are not locked.
    assert (await login(elsewhere, "north.tech")).status_code == 200
    assert (await login(elsewhere, "north.manager")).status_code == 200


async def test_old_failures_are_pruned_on_the_next_one(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    await fail(client, "north.tech", 5)
    await fail(client, "ghost", 2)
    assert await LoginFailure.count() == 7
    clock.advance(minutes=30, seconds=1)
    await fail(client, "south.tech", 1)
    rows = await LoginFailure.select(LoginFailure.username, LoginFailure.client_ip)
    assert rows == [{"username": "south.tech", "client_ip": "127.0.0.1"}]
