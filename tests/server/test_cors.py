"""CORS: off unless origins are configured, and then for exactly those origins."""

from __future__ import annotations

import httpx
import msgspec

from server.app import create_app
from server.settings import Settings
from tests.serving import serving

ALLOWED = "https://dispatch.example.com"
PREFLIGHT = {
    "Access-Control-Request-Method": "GET",
    "Access-Control-Request-Headers": "authorization",
}


def cors_headers(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.startswith("access-control-")}


async def test_no_cors_headers_by_default(client: httpx.AsyncClient) -> None:
    simple = await client.get("/api/health", headers={"Origin": ALLOWED})
    preflight = await client.options("/api/work-orders", headers={"Origin": ALLOWED, **PREFLIGHT})
    assert simple.status_code == 200
    assert cors_headers(simple) == {}
    assert cors_headers(preflight) == {}


async def test_configured_origins_only(settings: Settings) -> None:
    configured = msgspec.structs.replace(
        settings, cors_origins=f" {ALLOWED} , http://127.0.0.1:5173"
    )
    async with serving(create_app(configured)) as http:
        preflight = await http.options("/api/work-orders", headers={"Origin": ALLOWED, **PREFLIGHT})
        simple = await http.get("/api/health", headers={"Origin": ALLOWED})
        other = await http.get("/api/health", headers={"Origin": "https://evil.example.com"})
        other_preflight = await http.options(
            "/api/work-orders", headers={"Origin": "https://dispatch.example.com.evil", **PREFLIGHT}
        )
        second = await http.get("/api/health", headers={"Origin": "http://127.0.0.1:5173"})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == ALLOWED
    assert "GET" in preflight.headers["access-control-allow-methods"].split(", ")
    assert "authorization" in preflight.headers["access-control-allow-headers"].split(", ")
    assert "access-control-allow-credentials" not in preflight.headers
    # Preflights are answered before routing, and still carry the security headers.
    assert preflight.headers["x-content-type-options"] == "nosniff"
    assert simple.headers["access-control-allow-origin"] == ALLOWED
    assert simple.headers["access-control-expose-headers"] == "X-Request-ID"
    assert "access-control-allow-origin" not in other.headers
    assert other.status_code == 200
    assert "access-control-allow-origin" not in other_preflight.headers
    assert other_preflight.status_code == 400
    # Litestar's own plain-text refusal: browsers never show a preflight's body.
    assert other_preflight.text == "Disallowed CORS Origin"
    assert second.headers["access-control-allow-origin"] == "http://127.0.0.1:5173"
