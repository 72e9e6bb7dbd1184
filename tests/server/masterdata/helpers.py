"""Small assertions and probes shared by the master data tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from server.masterdata.tables import Asset


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The answer is the one error shape with this status and code; returns the body."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code, body
    assert body["message"]
    return body


@contextmanager
def count_queries(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Record every statement the app's engine runs inside the block."""
    engine = Asset._meta.db
    original = type(engine).run_querystring
    statements: list[str] = []

    async def counting(self: Any, querystring: Any, *args: Any, **kwargs: Any) -> Any:
        if self is engine:
            statements.append(str(querystring))
        return await original(self, querystring, *args, **kwargs)

    # Engines have slots: patch the class, count only the app's engine.
    with monkeypatch.context() as patch:
        patch.setattr(type(engine), "run_querystring", counting)
        yield statements
