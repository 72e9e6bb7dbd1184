"""The OpenAPI document and its Swagger UI, served with local assets only.

Litestar's UI plugins load JavaScript, CSS and a favicon from a CDN by default,
which renders a blank page on an intranet; the swagger-ui-bundle wheel ships
the same files and we serve them ourselves.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import swagger_ui_bundle
from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router

from server.errors import ErrorBody
from server.signatures import HEADER

ASSETS_PATH = "/schema/assets"
SECURITY: list[dict[str, list[str]]] = [{"BearerToken": []}]
# Webhooks from other systems prove themselves by signing the body (server/signatures.py).
SIGNED: list[dict[str, list[str]]] = [{"WebhookSignature": []}]

ERROR_TEXT = {
    400: "malformed request or wrong field types",
    401: "not logged in, or the token has expired",
    403: "the caller's role may not do this",
    404: "no such object in the caller's scope",
    409: "conflicts with the current state or existing data",
    413: "the request body is too large",
    415: "the content is not of an accepted type",
    422: "the values break a rule",
    429: "asked again too soon: see Retry-After",
    503: "a service the request needs is off or not answering",
}


def errors(*statuses: int) -> dict[int, ResponseSpec]:
    """Document the error answers of a handler, all in the one error shape."""
    return {
        status: ResponseSpec(data_container=ErrorBody, description=ERROR_TEXT[status])
        for status in statuses
    }


def openapi_config() -> OpenAPIConfig:
    plugin = SwaggerRenderPlugin(
        js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
        css_url=f"{ASSETS_PATH}/swagger-ui.css",
        standalone_preset_js_url=f"{ASSETS_PATH}/swagger-ui-standalone-preset.js",
        favicon=f"<link rel='icon' type='image/png' href='{ASSETS_PATH}/favicon-32x32.png'>",
        path="/swagger",
    )
    return OpenAPIConfig(
        title="FieldOps API",
        version="0.1.0",
        description=(
            "Work orders for field service. Log in at POST /api/auth/login and send the "
            "access token as 'Authorization: Bearer <token>'. Every error answers "
            '{"code", "message", "details"}.'
        ),
        path="/schema",
        use_handler_docstrings=True,
        render_plugins=[plugin],
        components=Components(
            security_schemes={
                "BearerToken": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT"),
                "WebhookSignature": SecurityScheme(
                    type="apiKey",
                    name=HEADER,
                    security_scheme_in="header",
                    description="t=<unix seconds>,v1=<hex HMAC-SHA256 of '<t>.' + body>",
                ),
            }
        ),
    )


def swagger_assets_router() -> Any:
    return create_static_files_router(
        path=ASSETS_PATH,
        directories=[Path(swagger_ui_bundle.swagger_ui_path)],
        include_in_schema=False,
        opt={"public": True},
    )
