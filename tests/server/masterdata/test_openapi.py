"""The master data endpoints in the OpenAPI document."""

from __future__ import annotations

import httpx

OPERATIONS = {
    f"{verb}{thing}"
    for thing in (
        "Department",
        "Team",
        "Skill",
        "CustomerGroup",
        "Customer",
        "Site",
        "Asset",
        "ServiceItem",
    )
    for verb in ("Get", "Create", "Update", "Delete")
} | {
    "ListDepartments",
    "ListTeams",
    "ListSkills",
    "ListCustomerGroups",
    "ListCustomers",
    "ListSites",
    "ListAssets",
    "ListServiceItems",
    "GetAssetByTag",
}


async def test_every_operation_is_documented_with_its_errors(client: httpx.AsyncClient) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    operations = {
        operation["operationId"]: operation
        for path, item in document["paths"].items()
        if not path.startswith(("/api/auth", "/api/users", "/api/orders", "/api/work-orders"))
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    assert set(operations) >= OPERATIONS
    for name in OPERATIONS:
        operation = operations[name]
        assert operation["security"] == [{"BearerToken": []}], name
        assert "401" in operation["responses"], name
        if name.startswith(("Create", "Update", "Delete")):
            assert "403" in operation["responses"], name
        if name.startswith(("Get", "Update", "Delete")):
            assert "404" in operation["responses"], name
    assert operations["CreateAsset"]["responses"].keys() >= {"201", "409", "422"}
    assert operations["DeleteSite"]["responses"].keys() >= {"204", "409"}
    limit = next(p for p in operations["ListAssets"]["parameters"] if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 200
