from __future__ import annotations

import httpx

from tests.clock import FakeClock
from tests.world import PASSWORD, World


async def login(client: httpx.AsyncClient, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return await client.post("/api/auth/login", json={"username": username, "password": password})


async def test_login_me_refresh_logout(client: httpx.AsyncClient, world: World) -> None:
    response = await login(client, "north.tech")
    assert response.status_code == 200, response.text
    pair = response.json()
    assert pair["token_type"] == "Bearer"
    assert pair["expires_in"] == 15 * 60
    auth = {"Authorization": f"Bearer {pair['access_token']}"}

    me = await client.get("/api/users/me", headers=auth)
    assert me.status_code == 200
    assert me.json()["username"] == "north.tech"
    assert me.json()["role"] == "technician"
    assert "password_hash" not in me.json()

    refreshed = await client.post(
        "/api/auth/refresh", json={"refresh_token": pair["refresh_token"]}
    )
    assert refreshed.status_code == 200
    assert refreshed.json()["refresh_token"] != pair["refresh_token"]

    assert (await client.post("/api/auth/logout", headers=auth)).status_code == 204
    after = await client.get("/api/users/me", headers=auth)
    assert after.status_code == 401
    assert after.json()["code"] == "session_ended"
    new_refresh = refreshed.json()["refresh_token"]
    assert (
        await client.post("/api/auth/refresh", json={"refresh_token": new_refresh})
    ).status_code == 401


async def test_wrong_password_and_unknown_user_answer_alike(
    client: httpx.AsyncClient, world: World
) -> None:
    wrong = await login(client, "north.tech", "not-the-password")
    unknown = await login(client, "nobody", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["code"] == "invalid_credentials"


async def test_access_token_expires_on_the_clock(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    pair = (await login(client, "admin")).json()
    auth = {"Authorization": f"Bearer {pair['access_token']}"}
    assert (await client.get("/api/users/me", headers=auth)).status_code == 200
    clock.advance(minutes=16)
    expired = await client.get("/api/users/me", headers=auth)
    assert expired.status_code == 401
    assert expired.json()["code"] == "invalid_token"


async def test_missing_or_garbage_token(client: httpx.AsyncClient, world: World) -> None:
    assert (await client.get("/api/users/me")).json()["code"] == "unauthorized"
    garbage = await client.get("/api/users/me", headers={"Authorization": "Bearer abc.def.ghi"})
    assert garbage.status_code == 401
    assert garbage.json()["code"] == "invalid_token"
