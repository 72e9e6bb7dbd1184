"""API keys: made by admins and shown once, kept as a hash, acting as their user within
their scopes, refused once revoked or expired, and used without a login."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any, get_args

import httpx
import pytest

from server.database import fetch
from server.integrations.scopes import SCOPES, Scope
from server.integrations.tables import ApiKey
from tests.clock import FakeClock
from tests.probes import assert_error
from tests.server.integrations.keys import bearer, make_key
from tests.server.workorders.orders import put_order
from tests.world import World


def test_every_scope_is_described() -> None:
    assert set(get_args(Scope)) == set(SCOPES)


async def test_the_key_is_shown_once_and_only_its_hash_is_stored(
    client: httpx.AsyncClient, world: World
) -> None:
    made = await make_key(client, world)
    key = made["key"]
    assert made["prefix"] == f"fo_live_{made['id'].replace('-', '')}"
    assert key.startswith(made["prefix"] + "_")
    secret = key.removeprefix(made["prefix"] + "_")
    assert len(secret) == 43  # 256 random bits
    admin = await world.headers("admin")
    shown = [
        (await client.get(f"/api/api-keys/{made['id']}", headers=admin)).json(),
        *(await client.get("/api/api-keys", headers=admin)).json()["items"],
    ]
    for later in shown:
        assert "key" not in later
        assert key not in str(later)
    (row,) = await fetch(ApiKey._meta.db, "SELECT * FROM api_key", [])
    assert all(secret not in str(value) for value in row.values())
    assert row["secret_hash"] == hashlib.sha256(secret.encode()).hexdigest()


async def test_a_key_acts_as_its_user_with_their_scope_of_orders(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    mine = await put_order(world, "assigned", assignee="north_tech", team="north")
    await put_order(world, "new", department="south")
    made = await make_key(client, world, user="north_tech", scopes=("orders:read",))
    for headers in (bearer(made), {"X-API-Key": made["key"]}):
        page = await client.get("/api/work-orders", headers=headers)
        assert page.status_code == 200, page.text
        assert [item["id"] for item in page.json()["items"]] == [str(mine)]
    detail = await client.get(f"/api/work-orders/{mine}", headers=bearer(made))
    assert detail.status_code == 200
    assert detail.json()["allowed_actions"]  # the technician's own actions on their order
    key = await client.get(f"/api/api-keys/{made['id']}", headers=await world.headers("admin"))
    assert key.json()["last_used_at"] == clock.now.isoformat().replace("+00:00", "Z")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/work-orders", {"title": "Leak"}),
        ("GET", "/api/webhooks", None),
        ("GET", "/api/api-keys", None),
        ("POST", "/api/api-keys", {"name": "x", "user_id": "", "scopes": ["orders:read"]}),
        ("GET", "/api/users/me", None),
        ("POST", "/api/me/calendar-token", None),
    ],
)
async def test_a_key_reaches_only_what_its_scopes_open(
    client: httpx.AsyncClient, world: World, method: str, path: str, body: Any
) -> None:
    made = await make_key(client, world, scopes=("orders:read",))
    answer = await client.request(method, path, json=body, headers=bearer(made))
    refused = assert_error(answer, 403, "scope_missing")
    assert refused["details"]["granted"] == ["orders:read"]


async def test_scopes_open_what_they_name(client: httpx.AsyncClient, world: World) -> None:
    writer = await make_key(client, world, scopes=("orders:write",))
    created = await client.post(
        "/api/work-orders",
        json={"title": "Leak", "department_id": str(world.departments["north"])},
        headers=bearer(writer),
    )
    assert created.status_code == 201, created.text
    assert created.json()["created_by_id"] == str(world.id("admin"))
    listing = await client.get("/api/work-orders", headers=bearer(writer))
    body = assert_error(listing, 403, "scope_missing")
    assert body["details"]["needed"] == "orders:read"
    manager = await make_key(client, world, scopes=("webhooks:manage",))
    assert (await client.get("/api/webhooks", headers=bearer(manager))).status_code == 200


async def test_the_key_has_no_more_rights_than_its_user(
    client: httpx.AsyncClient, world: World
) -> None:
    made = await make_key(client, world, user="requester", scopes=("webhooks:manage",))
    assert_error(await client.get("/api/webhooks", headers=bearer(made)), 403, "forbidden")


async def test_a_revoked_key_stops_at_once(client: httpx.AsyncClient, world: World) -> None:
    admin = await world.headers("admin")
    made = await make_key(client, world)
    assert (await client.get("/api/work-orders", headers=bearer(made))).status_code == 200
    answer = await client.post(f"/api/api-keys/{made['id']}/revoke", headers=admin)
    assert answer.status_code == 200
    assert answer.json()["revoked_at"] is not None
    for headers in (bearer(made), {"X-API-Key": made["key"]}):
        assert_error(await client.get("/api/work-orders", headers=headers), 401, "api_key_revoked")


async def test_a_key_stops_at_its_expiry(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    expiry = clock.now + timedelta(minutes=30)
    made = await make_key(client, world, expires_at=expiry.isoformat())
    assert (await client.get("/api/work-orders", headers=bearer(made))).status_code == 200
    clock.advance(hours=1)
    assert_error(await client.get("/api/work-orders", headers=bearer(made)), 401, "api_key_expired")


@pytest.mark.parametrize(
    "mangle",
    [
        lambda key: key[:-1] + ("A" if key[-1] != "A" else "B"),  # another secret
        lambda key: key[:8] + "0" * 32 + key[40:],  # another key's id
        lambda key: key + "x",  # not a key's shape
        lambda key: "fo_live_",
    ],
)
async def test_a_wrong_key_answers_401(
    client: httpx.AsyncClient, world: World, mangle: Any
) -> None:
    made = await make_key(client, world)
    wrong = mangle(made["key"])
    assert_error(
        await client.get("/api/work-orders", headers={"Authorization": f"Bearer {wrong}"}),
        401,
        "invalid_api_key",
    )
    assert_error(
        await client.get("/api/work-orders", headers={"X-API-Key": wrong}), 401, "invalid_api_key"
    )


async def test_a_disabled_users_keys_stop(client: httpx.AsyncClient, world: World) -> None:
    made = await make_key(client, world, user="north_manager")
    await client.patch(
        f"/api/users/{world.id('north_manager')}",
        json={"active": False},
        headers=await world.headers("admin"),
    )
    assert_error(await client.get("/api/work-orders", headers=bearer(made)), 401, "invalid_api_key")


async def test_only_admins_make_keys_and_only_for_active_users(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    body = {"name": "erp", "user_id": str(world.id("north_tech")), "scopes": ["orders:read"]}
    refused = await client.post(
        "/api/api-keys", json=body, headers=await world.headers("north_manager")
    )
    assert_error(refused, 403, "forbidden")
    admin = await world.headers("admin")
    past = {**body, "expires_at": clock.now.isoformat()}
    assert_error(
        await client.post("/api/api-keys", json=past, headers=admin), 422, "expiry_in_past"
    )
    unknown = {**body, "user_id": "00000000-0000-7000-8000-000000000000"}
    assert_error(
        await client.post("/api/api-keys", json=unknown, headers=admin), 422, "unknown_reference"
    )
    wrong_scope = {**body, "scopes": ["everything"]}
    assert_error(
        await client.post("/api/api-keys", json=wrong_scope, headers=admin),
        400,
        "validation_error",
    )
    assert_error(
        await client.get("/api/api-keys/00000000-0000-7000-8000-000000000000", headers=admin),
        404,
        "not_found",
    )


async def test_reports_and_exports_open_to_their_scopes(
    client: httpx.AsyncClient, world: World
) -> None:
    reader = bearer(await make_key(client, world, scopes=("reports:read",)))
    orders = bearer(await make_key(client, world, scopes=("orders:read",)))
    assert (await client.get("/api/reports/departments", headers=reader)).status_code == 200
    assert_error(await client.get("/api/reports/departments", headers=orders), 403, "scope_missing")
    assert (
        await client.get("/api/work-orders/export?format=csv", headers=orders)
    ).status_code == 200
    assert_error(
        await client.get("/api/work-orders/export?format=csv", headers=reader), 403, "scope_missing"
    )
