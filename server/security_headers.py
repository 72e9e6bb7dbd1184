"""Security headers on every answer: API, app files, the service worker, errors, 404s.

A ``before_send`` hook rather than a middleware: Litestar runs route middleware only
for matched routes, while the hook also sees 404s and the CORS preflight answers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

from server.settings import Settings

SCHEMA_PATH = "/schema"
# A year, as browsers' preload lists ask; without includeSubDomains, since other hosts
# of the same domain may not speak HTTPS.
HSTS = "max-age=31536000"


def tile_origin(map_tile_url: str) -> str:
    """The origin the map's tiles come from, as a CSP source; "" for tiles on this
    server. Leaflet's {s} subdomain becomes a wildcard."""
    if map_tile_url.startswith("/"):
        return ""
    parts = urlsplit(map_tile_url.replace("{s}", "*"))
    return f"{parts.scheme}://{parts.netloc}"


def policy(**sources: str) -> str:
    return "; ".join(f"{name.replace('_', '-')} {value}" for name, value in sources.items())


# What every page may do: nothing framed, embedded or posted elsewhere.
_LOCKED = {
    "frame_ancestors": "'none'",
    "base_uri": "'none'",
    "form_action": "'self'",
    "object_src": "'none'",
}


def app_policy(settings: Settings) -> str:
    """The PWA's policy. 'wasm-unsafe-eval' lets the ZXing barcode reader compile its
    WebAssembly and allows no eval() of JavaScript; styles set through the CSSOM
    (Preact's style props, Leaflet's positioning) are not subject to style-src."""
    images = " ".join(filter(None, ["'self' data: blob:", tile_origin(settings.map_tile_url)]))
    return policy(
        default_src="'self'",
        script_src="'self' 'wasm-unsafe-eval'",
        style_src="'self'",
        img_src=images,
        # The label sheets and photos the app opens as blob: URLs, read back in their
        # tabs (which inherit this policy).
        connect_src="'self' blob:",
        worker_src="'self'",
        manifest_src="'self'",
        **_LOCKED,
    )


def schema_policy() -> str:
    """The Swagger UI's policy. Litestar renders the page with the OpenAPI document
    inside an inline script and an inline style, different for each deployment's
    routes: only /schema gets 'unsafe-inline', and the page holds no user data."""
    return policy(
        default_src="'self'",
        script_src="'self' 'unsafe-inline'",
        style_src="'self' 'unsafe-inline'",
        img_src="'self' data:",
        connect_src="'self'",
        **_LOCKED,
    )


def security_headers(settings: Settings) -> Callable[[Message, Scope], Awaitable[None]]:
    """The hook adding the headers, built from ``settings`` once."""
    common = {
        "X-Content-Type-Options": "nosniff",
        # The origin, never the path, to other sites: OpenStreetMap's tile servers
        # require a Referer, and the app's own paths are fragments, never sent.
        "Referrer-Policy": "strict-origin-when-cross-origin",
        # Old browsers without frame-ancestors.
        "X-Frame-Options": "DENY",
        "Permissions-Policy": "camera=(self), geolocation=(self), microphone=(), payment=(), usb=()",
    }
    if settings.hsts:
        common["Strict-Transport-Security"] = HSTS
    app_headers = {**common, "Content-Security-Policy": app_policy(settings)}
    schema_headers = {**common, "Content-Security-Policy": schema_policy()}

    async def add(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        path = scope["path"]
        is_schema = path == SCHEMA_PATH or path.startswith(f"{SCHEMA_PATH}/")
        headers = MutableScopeHeaders.from_message(message)
        for name, value in (schema_headers if is_schema else app_headers).items():
            headers[name] = value

    return add
