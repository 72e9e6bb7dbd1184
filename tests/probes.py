"""Assertions and probes shared by the API tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from server.workorders.tables import WorkOrder


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The answer is the one error shape with this status and code; returns the body."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code, body
    assert isinstance(body["message"], str)
    assert body["message"]
    return body


@contextmanager
def counting_queries() -> Iterator[list[str]]:
    """Record every statement the app's engine runs inside the block, through piccolo
    and through the engine's converter-free read path (the session lookup included)."""
    engine = WorkOrder._meta.db
    engine_class = type(engine)  # engines use __slots__: patch the class
    seen: list[str] = []
    patched = {}
    for name in ("run_querystring", "fetch_plain"):
        original = getattr(engine_class, name, None)
        if original is None:
            continue

        async def counted(
            self: Any, query: Any, *args: Any, _original: Any = original, **kwargs: Any
        ) -> Any:
            if self is engine:
                seen.append(str(query))
            return await _original(self, query, *args, **kwargs)

        patched[name] = original
        setattr(engine_class, name, counted)
    try:
        yield seen
    finally:
        for name, original in patched.items():
            setattr(engine_class, name, original)
