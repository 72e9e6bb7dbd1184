"""Security headers on every kind of answer, and the policies built from settings."""

from __future__ import annotations

import httpx
import msgspec
import pytest

from server.app import create_app
from server.security_headers import app_policy, tile_origin
from server.settings import Settings
from tests.serving import serving

APP_POLICY = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' data: blob: https://tile.openstreetmap.org; connect-src 'self' blob:; "
    "worker-src 'self'; manifest-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'; object-src 'none'"
)
SCHEMA_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'; object-src 'none'"
)
COMMON = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(self), geolocation=(self), microphone=(), payment=(), usb=()",
}


def assert_secured(response: httpx.Response, policy: str = APP_POLICY) -> None:
    for name, value in COMMON.items():
        assert response.headers[name] == value, name
    assert response.headers["content-security-policy"] == policy
    # Each header once: a second copy would make browsers apply both.
    assert len(response.headers.get_list("content-security-policy")) == 1
    assert "strict-transport-security" not in response.headers


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/health", 200),
        ("GET", "/api/work-orders", 401),
        ("GET", "/api/no-such-route", 404),
        ("GET", "/no-such-file.js", 404),
        ("DELETE", "/api/health", 405),
        ("GET", "/", 200),
        ("GET", "/app.js", 200),
        ("GET", "/sw.js", 200),
        ("GET", "/manifest.webmanifest", 200),
    ],
)
async def test_every_answer_is_secured(
    client: httpx.AsyncClient, method: str, path: str, status: int
) -> None:
    response = await client.request(method, path)
    assert response.status_code == status
    assert_secured(response)


async def test_an_error_answer_is_secured(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/auth/login", content=b"{not json")
    assert response.status_code == 400
    assert set(response.json()) == {"code", "message", "details"}
    assert_secured(response)


@pytest.mark.parametrize("path", ["/schema/swagger", "/schema/assets/swagger-ui-bundle.js"])
async def test_the_swagger_ui_has_its_own_policy(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    assert_secured(response, SCHEMA_POLICY)


def test_scripts_of_the_app_run_only_from_its_own_files() -> None:
    directives = dict(part.split(" ", 1) for part in APP_POLICY.split("; "))
    assert directives["script-src"] == "'self' 'wasm-unsafe-eval'"
    assert "'unsafe-inline'" not in APP_POLICY
    assert "'unsafe-eval'" not in APP_POLICY


@pytest.mark.parametrize(
    ("template", "origin"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("https://{s}.tiles.example.com:8443/{z}/{x}/{y}.png", "https://*.tiles.example.com:8443"),
        ("http://10.0.0.5/osm/{z}/{x}/{y}.png", "http://10.0.0.5"),
        ("/tiles/{z}/{x}/{y}.png", ""),
    ],
)
def test_the_map_tiles_origin(template: str, origin: str) -> None:
    assert tile_origin(template) == origin


def test_tiles_on_this_server_need_no_extra_source() -> None:
    policy = app_policy(Settings(map_tile_url="/tiles/{z}/{x}/{y}.png"))
    assert "img-src 'self' data: blob:; " in policy


async def test_hsts_and_the_tile_server_come_from_settings(settings: Settings) -> None:
    configured = msgspec.structs.replace(
        settings, hsts=True, map_tile_url="https://{s}.tiles.example.com/{z}/{x}/{y}.png"
    )
    async with serving(create_app(configured)) as http:
        response = await http.get("/api/health")
    assert response.headers["strict-transport-security"] == "max-age=31536000"
    policy = response.headers["content-security-policy"]
    assert "; img-src 'self' data: blob: https://*.tiles.example.com; " in policy
