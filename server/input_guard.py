"""Refusing NUL characters at the door.

PostgreSQL cannot store U+0000 in text while SQLite can: without this check the same
request would be stored on one engine and fail on the other.
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Request

from server.errors import DomainError

# A JSON \u0000 escape, not preceded by an escaping backslash.
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)
_BODY_METHODS = frozenset(["POST", "PUT", "PATCH"])


def _may_escape_nul(body: bytes) -> bool:
    # Plain substring searches first: the pattern's look-behind costs far more on
    # the large bodies of sync pushes, which almost never hold the escape.
    return b"\\u0000" in body or b"\\U0000" in body


async def refuse_nul(request: Request[Any, Any, Any]) -> None:
    if b"%00" in request.scope.get("query_string", b""):
        raise DomainError("the query contains a NUL character", code="invalid_character")
    # Uploads of files (``opt={"binary_body": True}``) carry bytes, not text.
    if request.method in _BODY_METHODS and not request.route_handler.opt.get("binary_body"):
        body = await request.body()
        if b"\x00" in body or (_may_escape_nul(body) and _JSON_NUL.search(body)):
            raise DomainError("the body contains a NUL character", code="invalid_character")
