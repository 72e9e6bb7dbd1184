"""Password changes end the other sessions; refresh tokens rotate, and a used one
presented again ends its session."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.server.accounts.test_auth import login
from tests.world import PASSWORD, World

NEW_PASSWORD = "battery-staple-77"


async def session(client: httpx.AsyncClient, username: str) -> dict[str, Any]:
    response = await login(client, username)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def bearer(pair: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {pair['access_token']}"}


async def me(client: httpx.AsyncClient, pair: dict[str, Any]) -> httpx.Response:
    return await client.get("/api/users/me", headers=bearer(pair))


async def refresh(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/api/auth/refresh", json={"refresh_token": token})


async def change_password(
    client: httpx.AsyncClient, pair: dict[str, Any], current: str, new: str = NEW_PASSWORD
) -> httpx.Response:
    return await client.put(
        "/api/users/me/password",
        json={"current_password": current, "new_password": new},
        headers=bearer(pair),
    )


async def test_a_password_change_ends_the_other_sessions(
    client: httpx.AsyncClient, world: World
) -> None:
    phone, laptop = await session(client, "north.tech"), await session(client, "north.tech")
    colleague = await session(client, "south.tech")

    changed = await change_password(client, phone, PASSWORD)
    assert changed.status_code == 204, changed.text

    ended = await me(client, laptop)
    assert ended.status_code == 401
    assert ended.json()["code"] == "session_ended"
    refused = await refresh(client, laptop["refresh_token"])
    assert refused.status_code == 401
    assert refused.json()["code"] == "invalid_refresh_token"

    # The session that made the change goes on, and renews.
    assert (await me(client, phone)).json()["username"] == "north.tech"
    renewed = await refresh(client, phone["refresh_token"])
    assert renewed.status_code == 200
    assert (await me(client, renewed.json())).status_code == 200
    assert (await me(client, colleague)).status_code == 200

    assert (await login(client, "north.tech")).json()["code"] == "invalid_credentials"
    assert (await login(client, "north.tech", NEW_PASSWORD)).status_code == 200


async def test_a_wrong_current_password_changes_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    phone, laptop = await session(client, "north.tech"), await session(client, "north.tech")
    wrong = await change_password(client, phone, "not-the-password")
    assert wrong.status_code == 403
    assert wrong.json() == {
        "code": "wrong_password",
        "message": "the current password is wrong",
        "details": None,
    }
    assert (await me(client, laptop)).status_code == 200
    assert (await login(client, "north.tech", NEW_PASSWORD)).status_code == 401
    short = await change_password(client, phone, PASSWORD, "short")
    assert short.status_code == 400
    assert short.json()["code"] == "validation_error"


async def test_wrong_current_passwords_count_as_failed_logins(
    client: httpx.AsyncClient, world: World
) -> None:
    phone = await session(client, "north.tech")
    for _ in range(5):
        assert (await change_password(client, phone, "not-the-password")).status_code == 403
    locked = await change_password(client, phone, PASSWORD)
    assert locked.status_code == 429
    assert locked.headers["retry-after"] == "900"
    assert (await login(client, "north.tech")).json()["code"] == "too_many_attempts"


async def test_an_admin_reset_ends_every_session(client: httpx.AsyncClient, world: World) -> None:
    phone = await session(client, "north.tech")
    admin = await session(client, "admin")
    reset = await client.patch(
        f"/api/users/{world.id('north_tech')}",
        json={"password": NEW_PASSWORD},
        headers=bearer(admin),
    )
    assert reset.status_code == 200
    assert (await me(client, phone)).json()["code"] == "session_ended"
    assert (await refresh(client, phone["refresh_token"])).status_code == 401
    assert (await me(client, admin)).status_code == 200


async def test_a_reused_refresh_token_ends_the_session(
    client: httpx.AsyncClient, world: World
) -> None:
    first = await session(client, "north.tech")
    other = await session(client, "north.tech")
    second = (await refresh(client, first["refresh_token"])).json()
    third = (await refresh(client, second["refresh_token"])).json()
    assert (await me(client, third)).status_code == 200

    # The first token again, two rotations later (a thief's copy).
    replayed = await refresh(client, first["refresh_token"])
    assert replayed.status_code == 401
    assert replayed.json() == {
        "code": "refresh_token_reused",
        "message": "the refresh token was used before; the session has ended, log in again",
        "details": None,
    }
    # Both holders are logged out: the current access and refresh tokens stop working.
    assert (await me(client, third)).json()["code"] == "session_ended"
    assert (await refresh(client, third["refresh_token"])).json()["code"] == (
        "invalid_refresh_token"
    )
    # The user's other sessions go on.
    assert (await me(client, other)).status_code == 200
    assert (await refresh(client, other["refresh_token"])).status_code == 200


async def test_two_refreshes_of_one_token_at_once(client: httpx.AsyncClient, world: World) -> None:
    pair = await session(client, "north.tech")
    answers = await asyncio.gather(
        refresh(client, pair["refresh_token"]), refresh(client, pair["refresh_token"])
    )
    winner, loser = sorted(answers, key=lambda response: response.status_code)
    assert (winner.status_code, loser.status_code) == (200, 401)
    assert loser.json()["code"] == "refresh_token_reused"
    # The loser's replay ended the session the winner renewed.
    assert (await me(client, winner.json())).json()["code"] == "session_ended"
    assert (await refresh(client, winner.json()["refresh_token"])).status_code == 401
