"""Customer groups and customers."""

from __future__ import annotations

import httpx

from server.masterdata.tables import CustomerGroup
from tests.probes import assert_error
from tests.world import World


async def test_customer_group_crud_and_in_use(client: httpx.AsyncClient, world: World) -> None:
    auth = await world.headers("admin")
    created = await client.post("/api/customer-groups", json={"name": "Hospitals"}, headers=auth)
    assert created.status_code == 201, created.text
    group = created.json()
    assert (await client.get(f"/api/customer-groups/{group['id']}", headers=auth)).json() == group
    names = [
        g["name"] for g in (await client.get("/api/customer-groups", headers=auth)).json()["items"]
    ]
    assert names == ["Hospitals", "Retail"]
    assert_error(
        await client.post("/api/customer-groups", json={"name": "Retail"}, headers=auth),
        409,
        "name_taken",
    )
    renamed = await client.patch(
        f"/api/customer-groups/{group['id']}", json={"name": "Clinics"}, headers=auth
    )
    assert renamed.json()["name"] == "Clinics"

    retail = (await CustomerGroup.select(CustomerGroup.id).where(CustomerGroup.name == "Retail"))[0]
    # Acme Stores belongs to Retail.
    assert_error(
        await client.delete(f"/api/customer-groups/{retail['id']}", headers=auth), 409, "in_use"
    )
    deleted = await client.delete(f"/api/customer-groups/{group['id']}", headers=auth)
    assert deleted.status_code == 204


async def test_customer_crud_and_filters(client: httpx.AsyncClient, world: World) -> None:
    auth = await world.headers("north_manager")
    group = (await client.post("/api/customer-groups", json={"name": "Banks"}, headers=auth)).json()
    created = await client.post(
        "/api/customers",
        json={
            "name": "Bank of Pudong",
            "group_id": group["id"],
            "email": "facilities@pudong.example",
            "phone": "+86 21 5555 0100",
        },
        headers=auth,
    )
    assert created.status_code == 201, created.text
    customer = created.json()
    assert customer["group_id"] == group["id"]
    assert customer["email"] == "facilities@pudong.example"
    assert (await client.get(f"/api/customers/{customer['id']}", headers=auth)).json() == customer

    everyone = (await client.get("/api/customers", headers=auth)).json()["items"]
    assert [c["name"] for c in everyone] == ["Acme Stores", "Bank of Pudong"]
    by_group = await client.get("/api/customers", params={"group_id": group["id"]}, headers=auth)
    assert by_group.json()["items"] == [customer]
    by_text = await client.get("/api/customers", params={"q": "PUDONG.example"}, headers=auth)
    assert by_text.json()["items"] == [customer]

    changed = await client.patch(
        f"/api/customers/{customer['id']}", json={"email": None, "group_id": None}, headers=auth
    )
    assert changed.status_code == 200, changed.text
    assert changed.json() == {**customer, "email": None, "group_id": None}

    assert (
        await client.delete(f"/api/customers/{customer['id']}", headers=auth)
    ).status_code == 204


async def test_customer_validation(client: httpx.AsyncClient, world: World) -> None:
    auth = await world.headers("admin")
    bad_email = await client.post(
        "/api/customers", json={"name": "X", "email": "not-an-email"}, headers=auth
    )
    assert_error(bad_email, 400, "validation_error")
    extra = await client.post("/api/customers", json={"name": "X", "vip": True}, headers=auth)
    assert_error(extra, 400, "validation_error")
    unknown_group = await client.post(
        "/api/customers",
        json={"name": "X", "group_id": "00000000-0000-4000-8000-000000000009"},
        headers=auth,
    )
    body = assert_error(unknown_group, 422, "unknown_reference")
    assert body["details"] == {"group_id": "00000000-0000-4000-8000-000000000009"}
    duplicate = await client.post("/api/customers", json={"name": "Acme Stores"}, headers=auth)
    assert_error(duplicate, 409, "name_taken")
    # Acme has a site.
    in_use = await client.delete(f"/api/customers/{world.customers['acme']}", headers=auth)
    assert_error(in_use, 409, "in_use")
