"""Request ids: echoed, generated, refused when insane; JSON log lines that carry them
and never a secret."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator

import httpx
import pytest

from server import request_log
from server.request_log import JsonFormatter, configure_logging
from tests.server.integrations.keys import make_key
from tests.world import PASSWORD, World

NEW_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """What the server would write, formatted as `fieldops serve` formats it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def entries(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


async def test_a_new_id_for_each_request(client: httpx.AsyncClient) -> None:
    first = (await client.get("/api/health")).headers["x-request-id"]
    second = (await client.get("/api/no-such-route")).headers["x-request-id"]
    assert NEW_ID.fullmatch(first)
    assert NEW_ID.fullmatch(second)
    assert first != second


@pytest.mark.parametrize("sent", ["abc-123.DEF:4_5", "x" * 64])
async def test_a_sane_id_is_echoed(client: httpx.AsyncClient, sent: str) -> None:
    response = await client.get("/api/health", headers={"X-Request-ID": sent})
    assert response.headers["x-request-id"] == sent


@pytest.mark.parametrize(
    "sent", ["x" * 65, "two words", 'a"b', "<script>", "id\\u000a", "ünicode", ""]
)
async def test_an_insane_id_is_replaced(client: httpx.AsyncClient, sent: str) -> None:
    response = await client.get("/api/health", headers={"X-Request-ID": sent.encode("utf-8")})
    assert NEW_ID.fullmatch(response.headers["x-request-id"])


async def test_the_access_line(client: httpx.AsyncClient, log_lines: io.StringIO) -> None:
    response = await client.get("/api/work-orders?page=2", headers={"X-Request-ID": "req-1"})
    assert response.status_code == 401
    (access,) = [e for e in entries(log_lines) if e["logger"] == "fieldops.access"]
    duration = access.pop("duration_ms")
    assert isinstance(duration, float)
    assert duration >= 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", str(access.pop("time")))
    assert access == {
        "level": "INFO",
        "logger": "fieldops.access",
        "message": "GET /api/work-orders 401",
        "request_id": "req-1",
        "method": "GET",
        "path": "/api/work-orders",
        "status": 401,
    }


def test_lines_written_during_a_request_carry_its_id() -> None:
    record = logging.LogRecord("fieldops", logging.ERROR, __file__, 1, "boom %s", ("x",), None)
    token = request_log.request_id.set("req-7")
    try:
        during = json.loads(JsonFormatter().format(record))
    finally:
        request_log.request_id.reset(token)
    after = json.loads(JsonFormatter().format(record))
    assert (during["request_id"], during["message"], during["level"]) == (
        "req-7",
        "boom x",
        "ERROR",
    )
    assert "request_id" not in after


async def test_no_secret_is_logged(
    client: httpx.AsyncClient,
    world: World,
    log_lines: io.StringIO,
    caplog: pytest.LogCaptureFixture,
) -> None:
    logged_in = await client.post(
        "/api/auth/login", json={"username": "north.tech", "password": PASSWORD}
    )
    assert logged_in.status_code == 200, logged_in.text
    pair = logged_in.json()
    refreshed = await client.post(
        "/api/auth/refresh", json={"refresh_token": pair["refresh_token"]}
    )
    assert refreshed.status_code == 200
    me = await client.get(
        "/api/users/me", headers={"Authorization": f"Bearer {refreshed.json()['access_token']}"}
    )
    assert me.status_code == 200
    key = await make_key(client, world, scopes=("orders:read",))
    by_key = await client.get("/api/work-orders", headers={"X-API-Key": key["key"]})
    assert by_key.status_code == 200
    wrong = await client.post(
        "/api/auth/login", json={"username": "north.tech", "password": "nope-42"}
    )
    assert wrong.status_code == 401

    secrets = [
        PASSWORD,
        "nope-42",
        pair["access_token"],
        pair["refresh_token"],
        refreshed.json()["access_token"],
        refreshed.json()["refresh_token"],
        key["key"],
    ]
    written = log_lines.getvalue() + caplog.text
    paths = [e["path"] for e in entries(log_lines) if e["logger"] == "fieldops.access"]
    assert paths == [
        "/api/auth/login",
        "/api/auth/refresh",
        "/api/users/me",
        "/api/api-keys",
        "/api/work-orders",
        "/api/auth/login",
    ]
    for secret in secrets:
        assert secret not in written


@pytest.fixture
def saved_logging() -> Iterator[None]:
    loggers = [logging.getLogger(n) for n in ("", "uvicorn", "uvicorn.access", "litestar")]
    saved = [(lg, lg.handlers[:], lg.propagate, lg.level) for lg in loggers]
    disabled = request_log.access_log.disabled
    yield
    for logger, handlers, propagate, level in saved:
        logger.handlers, logger.propagate = handlers, propagate
        logger.setLevel(level)
    request_log.access_log.disabled = disabled


@pytest.mark.parametrize("access_log", [True, False])
@pytest.mark.usefixtures("saved_logging")
def test_serve_access_log_flag_switches_our_access_line(access_log: bool) -> None:
    # As uvicorn leaves its loggers for `fieldops serve --access-log/--no-access-log`.
    uvicorn_access = logging.getLogger("uvicorn.access")
    uvicorn_access.handlers = [logging.StreamHandler()] if access_log else []
    uvicorn_access.propagate = False
    configure_logging()
    assert request_log.access_log.disabled is not access_log
    # uvicorn's own access line gives way to ours.
    assert not uvicorn_access.hasHandlers()
    (handler,) = logging.getLogger().handlers
    assert isinstance(handler.formatter, JsonFormatter)
    assert logging.getLogger("uvicorn").propagate
