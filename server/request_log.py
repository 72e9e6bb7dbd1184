"""Request ids and structured logs.

Every request gets an id: the caller's X-Request-ID when it looks sane (a proxy or a
client tying its own logs to ours), else a new one. It is echoed in the answer and
put on every log line written while the request runs, one JSON object per line.
Only the method and the path (never the query, headers or body) are logged by this
module, so tokens, passwords and keys stay out of the log.
"""

from __future__ import annotations

import logging
import re
import time
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import msgspec
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "x-request-id"
# Bounded and plain, so a caller cannot forge log lines or flood them.
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_ACCESS_FIELDS = ("method", "path", "status", "duration_ms")

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
access_log = logging.getLogger("fieldops.access")


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == HEADER.encode():
            text = value.decode("latin-1")
            return text if _SANE_ID.fullmatch(text) else None
    return None


def with_request_ids(app: ASGIApp) -> ASGIApp:
    """``app`` giving each HTTP request an id and writing its access line."""

    async def handle(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        current = _incoming_id(scope) or uuid4().hex
        token = request_id.set(current)
        started = time.perf_counter()
        status: int | None = None

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableScopeHeaders.from_message(message)[HEADER] = current
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            access_log.info(
                "%s %s %s",
                method,
                path,
                status,
                extra={
                    "method": method,
                    "path": path,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            request_id.reset(token)

    return handle


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the request id of the request being served."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        current = request_id.get()
        if current is not None:
            entry["request_id"] = current
        for field in _ACCESS_FIELDS:
            if field in record.__dict__:
                entry[field] = record.__dict__[field]
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return msgspec.json.encode(entry).decode()


def configure_logging() -> None:
    """JSON lines on stderr for everything the server process logs.

    Runs once uvicorn has set up its loggers from ``fieldops serve``'s options: its
    access logger has a handler exactly when --access-log was given, and our access
    line (with the request id and duration) then replaces uvicorn's.
    """
    uvicorn_access = logging.getLogger("uvicorn.access")
    access_log.disabled = not uvicorn_access.handlers
    uvicorn_access.handlers = []
    uvicorn_access.propagate = False
    # The formatter reads the request id where the line is written: a plain stream
    # handler, not a queue handed to another thread.
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(logging.INFO)
    for name in ("uvicorn", "litestar"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
