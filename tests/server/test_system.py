"""Health, the start page, the OpenAPI document and its offline Swagger UI."""

from __future__ import annotations

import re

import httpx
import pytest

from server.app import create_app
from server.migrations import SchemaOutdated
from server.settings import Settings

# What the app needs before anyone logs in.
PUBLIC = {"/api/health", "/api/client-config"}


async def test_health_checks_the_database(client: httpx.AsyncClient, engine_name: str) -> None:
    response = await client.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "engine": "sqlite" if engine_name == "sqlite" else "postgresql",
    }


async def test_start_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert "FieldOps" in response.text
    assert response.headers["content-type"].startswith("text/html")


async def test_swagger_ui_loads_nothing_from_outside(client: httpx.AsyncClient) -> None:
    page = await client.get("/schema/swagger")
    assert page.status_code == 200
    urls = re.findall(r"""(?:src|href)=['"]([^'"]+)['"]""", page.text)
    assert urls, "the page references its assets"
    for url in urls:
        assert url.startswith("/"), f"{url} is not served by us"
        asset = await client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 0


async def test_openapi_documents_every_operation(client: httpx.AsyncClient) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    operations = [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]
    assert len(operations) > 20
    ids = [operation["operationId"] for _, _, operation in operations]
    assert len(ids) == len(set(ids))
    for path, method, operation in operations:
        assert operation.get("description") or operation.get("summary"), (path, method)
        if path.startswith("/api/") and path not in PUBLIC and not path.startswith("/api/auth/"):
            assert operation.get("security"), (path, method)
            assert "401" in operation["responses"], (path, method)
    schemas = document["components"]["schemas"]
    assert schemas["WorkOrderCreate"]["properties"]["title"]["examples"]
    assert schemas["LoginRequest"]["properties"]["username"]["examples"] == ["tech01"]
    error_schema = schemas["ErrorBody"]
    assert set(error_schema["required"]) == {"code", "message"}


async def test_unknown_route_and_method_use_the_error_shape(client: httpx.AsyncClient) -> None:
    missing = await client.get("/api/nothing-here")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    wrong = await client.delete("/api/health")
    assert wrong.status_code == 405
    assert wrong.json()["code"] == "method_not_allowed"


async def test_outdated_schema_stops_the_start(tmp_path: object, settings: Settings) -> None:
    fresh = Settings(
        database_url=f"sqlite:///{tmp_path}/empty.sqlite",
        secret_key=settings.secret_key,
        var_dir=settings.var_dir,
    )
    app = create_app(fresh)
    with pytest.raises(ExceptionGroup) as raised:
        async with app.lifespan():
            pass
    (error,) = raised.value.exceptions
    assert isinstance(error, SchemaOutdated)
    assert "run 'fieldops migrate'" in str(error)
