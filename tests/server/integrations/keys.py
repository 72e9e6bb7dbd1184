"""API keys for tests, made through the API as an admin would."""

from __future__ import annotations

from typing import Any

import httpx

from tests.world import World


async def make_key(
    client: httpx.AsyncClient,
    world: World,
    user: str = "admin",
    scopes: tuple[str, ...] = ("orders:read", "orders:write"),
    **fields: Any,
) -> dict[str, Any]:
    answer = await client.post(
        "/api/api-keys",
        json={"name": f"{user} client", "user_id": str(world.id(user)), "scopes": list(scopes)}
        | fields,
        headers=await world.headers("admin"),
    )
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


def bearer(key: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {key['key']}"}
