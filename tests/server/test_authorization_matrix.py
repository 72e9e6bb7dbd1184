"""Every operation x every kind of outsider, against objects that belong to someone
else (issue 10): 401 without a live session, 403 for a role that may not call it,
403/404 for another's object as the table says, and never the victim's data.

The endpoints come from the app's own OpenAPI document, so a new one without a row
in tests/server/authorization_table.py fails here. One organisation per engine is
built once for the module; each row checks its outsiders first and compares the whole
database before and after their refused calls, then the allowed outsiders and the
owner's positive control (on spare objects where that call destroys).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import sqlite3
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio
from litestar import Litestar

from server.app import create_app
from server.migrations import migrate
from server.settings import Settings
from server.workorders.tables import WorkOrder
from tests import databases
from tests.clock import FakeClock
from tests.server import authorization_world as victim
from tests.server.authorization_table import EVERYONE, PARAMS, ROLES, TABLE, Row
from tests.server.authorization_world import Victims
from tests.serving import serving
from tests.world import PASSWORD, World

# Marker -> the outsiders (table letters) entitled to see it in a 2xx answer.
MARKERS: dict[str, str] = {
    victim.ORDER: "A",
    victim.COMMENT: "A",
    victim.BLOB: "A",
    victim.EXPENSE: "A",
    victim.LABOUR: "A",
    victim.CONFLICT: "A",
    victim.INSPECTION: "AM",
    victim.ROUND: "AM",
    victim.PLAN: "A",
    victim.PM_PLAN: "A",
    victim.DRAFT: "AM",
    victim.INTERNAL: "AMTI",
    victim.PUSH_ENDPOINT: "",
    victim.ROBOT_URL: "A",
    victim.WEBHOOK_URL: "A",
    victim.STORE: "A",
}
# Operations that end or re-key the caller's own sessions.
SESSION_ENDING = {"POST /api/auth/logout", "PUT /api/users/me/password"}


def operations(app: Litestar) -> dict[str, bool]:
    """``"METHOD /path"`` of every documented operation -> whether it takes a bearer token."""
    found = {}
    for path, item in (app.openapi_schema.paths or {}).items():
        for method in ("get", "post", "put", "patch", "delete"):
            operation = getattr(item, method, None)
            if operation is not None:
                bearer = any("BearerToken" in scheme for scheme in operation.security or [])
                found[f"{method.upper()} {path}"] = bearer
    return found


def test_every_endpoint_has_a_row() -> None:
    settings = Settings(secret_key="x" * 48, database_url="sqlite:///unused.sqlite")
    documented = set(operations(create_app(settings)))
    rows = [row.key for row in TABLE]
    assert len(rows) == len(set(rows)), "a row is in the table twice"
    missing = sorted(documented - set(rows))
    assert not missing, f"endpoints with no row in the authorization table: {missing}"
    stale = sorted(set(rows) - documented)
    assert not stale, f"rows for endpoints the app no longer has: {stale}"


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def database_url(
    request: pytest.FixtureRequest, sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        yield databases.sqlite_copy(sqlite_template, tmp_path_factory.mktemp("az") / "az.sqlite")
        return
    url = databases.run(_create_pg())
    yield url
    databases.run(databases.drop_pg_database(url))


async def _create_pg() -> str:
    name = f"fo_az_{uuid.uuid4().hex[:10]}"
    connection = await asyncpg.connect(databases.PG_ADMIN_URL, timeout=10)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    url = databases.PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    from piccolo.engine.postgres import PostgresEngine

    await migrate(PostgresEngine(config={"dsn": url}), quiet=True)
    return url


class Matrix:
    def __init__(
        self, app: Litestar, client: httpx.AsyncClient, world: World, victims: Victims
    ) -> None:
        self.client = client
        self.world = world
        self.victims = victims
        self.app = app
        self.bearer = operations(app)

    def value(self, name: str) -> Any:
        dynamic = {
            "now": lambda: self.world.clock().isoformat(),
            "today": lambda: self.world.clock().date().isoformat(),
            "password": lambda: PASSWORD,
            "client_id": lambda: str(uuid.uuid4()),
            "push_keys": self.victims.push_keys,
        }
        return dynamic[name]() if name in dynamic else self.victims.ids[name]

    def fill(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith("$"):
            return self.value(value[1:])
        if isinstance(value, str):
            # Names that must be new on every call.
            return value.replace("{u}", uuid.uuid4().hex[:8])
        if isinstance(value, dict):
            return {k: self.fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.fill(v) for v in value]
        return value

    def path(self, row: Row, control: bool) -> str:
        names = {**PARAMS, **(row.params or {}), **((row.control or {}) if control else {})}
        return re.sub(r"\{(\w+)\}", lambda m: str(self.value(names[m.group(1)])), row.path)

    async def headers(self, caller: str) -> dict[str, str]:
        if caller == "anonymous":
            return {}
        if caller == "revoked":
            return {"Authorization": f"Bearer {self.victims.revoked_token}"}
        return await self.world.headers(caller)

    async def call(self, row: Row, caller: str, control: bool = False) -> httpx.Response:
        if row.stream:
            return await self.open_stream(self.path(row, control), await self.headers(caller))
        body = row.control_body if control and row.control_body is not None else row.body
        return await self.client.request(
            row.method,
            self.path(row, control),
            params=self.fill(row.query),
            json=self.fill(body),
            content=row.content,
            headers=await self.headers(caller),
        )

    async def open_stream(self, path: str, headers: dict[str, str]) -> httpx.Response:
        """An event stream's status and first chunk, then the client goes away: the
        test transport would wait for the end of a stream that does not end."""
        started: dict[str, Any] = {}
        first = asyncio.Event()
        gone = asyncio.Event()

        async def receive() -> dict[str, Any]:
            await gone.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                started["status"] = message["status"]
                started["headers"] = message["headers"]
            elif message["type"] == "http.response.body":
                started["body"] = started.get("body", b"") + message.get("body", b"")
                first.set()

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "server": ("fieldops.test", 80),
            "client": ("127.0.0.1", 1),
            "headers": [(b"host", b"fieldops.test")]
            + [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        }
        asgi: Any = self.app  # plain dicts for the scope and the messages
        task = asyncio.create_task(asgi(scope, receive, send))
        waiting = asyncio.create_task(first.wait())
        await asyncio.wait([task, waiting], return_when=asyncio.FIRST_COMPLETED)
        gone.set()
        waiting.cancel()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return httpx.Response(
            started["status"], headers=started["headers"], content=started.get("body", b"")
        )

    async def fingerprint(self) -> dict[str, str]:
        """Every row of every table, as text (one digest per table on PostgreSQL)."""
        url = self.world.settings.database_url
        if url.startswith("sqlite:///"):
            with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as db:
                names = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                return {
                    name: repr(sorted(db.execute(f'SELECT * FROM "{name}"').fetchall()))
                    for (name,) in names.fetchall()
                }
        listing = "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'"
        tables = [r["t"] for r in await WorkOrder.raw(listing)]
        digest = " UNION ALL ".join(
            f"SELECT '{t}' AS t, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), ''))"
            f' AS h FROM "{t}" x'
            for t in tables
        )
        return {r["t"]: r["h"] for r in await WorkOrder.raw(digest)}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def matrix(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Matrix]:
    settings = Settings(
        database_url=database_url,
        secret_key="test-secret-key-that-is-long-enough-0123456789",
        var_dir=str(tmp_path_factory.mktemp("az_var")),
        db_pool_size=4,
        run_scheduler=False,
        push_endpoints="http://127.0.0.1:*",
        chat_robot_urls=f"{Settings().chat_robot_urls},http://127.0.0.1:*",
        webhook_urls="https://*",
    )
    clock = FakeClock()
    app = create_app(settings, clock)
    async with serving(app) as client:
        world = await World(settings, clock).build()
        victims = await Victims(client, world).build()
        matrix = Matrix(app, client, world, victims)
        before = await matrix.fingerprint()
        # Sessions made now, not while a row's refused calls are compared.
        for name in [
            *ROLES.values(),
            "north_manager",
            "north_tech",
            "north_inspector",
            "requester",
        ]:
            await world.token(name)
        assert await matrix.fingerprint() != before, "the fingerprint misses new rows"
        yield matrix


def leaks(response: httpx.Response, letter: str | None, sent: str) -> list[str]:
    """The markers in an answer that this caller (a table letter; None: nobody) may not
    see; one the caller sent itself may come back."""
    text = response.content.decode("utf-8", "replace")
    entitled = {
        marker
        for marker, who in MARKERS.items()
        if letter is not None and response.is_success and letter in who
    }
    return [m for m in MARKERS if m in text and m not in entitled and m not in sent]


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("row", TABLE, ids=[row.key for row in TABLE])
async def test_outsiders_are_refused_and_see_nothing(matrix: Matrix, row: Row) -> None:
    problems: list[str] = []
    bearer = matrix.bearer[row.key]
    secrets = list(matrix.victims.secrets.values())

    def check(caller: str, letter: str | None, answer: httpx.Response, expected: Any) -> None:
        ok = answer.is_success if expected == "2xx" else answer.status_code == expected
        if not ok:
            problems.append(
                f"{caller}: {answer.status_code} (expected {expected}) {answer.text[:200]}"
            )
        text = answer.content.decode("utf-8", "replace")
        shown = leaks(answer, letter, json.dumps(row.body)) + [s for s in secrets if s in text]
        if shown:
            problems.append(f"{caller}: {answer.status_code} carries {shown}")
        if not ok and (answer.status_code in (400, 422) or answer.status_code >= 500):
            problems.append(
                f"{caller}: table error, the request itself is wrong: {answer.text[:200]}"
            )

    before = await matrix.fingerprint()
    if bearer:
        for caller in ("anonymous", "revoked"):
            check(caller, None, await matrix.call(row, caller), 401)
    allowed = [letter for letter in EVERYONE if letter in row.allowed]
    for letter in EVERYONE:
        if letter in allowed or not bearer:
            continue
        expected = (row.special or {}).get(letter, row.denied)
        caller = ROLES[letter]
        check(caller, letter, await matrix.call(row, caller), expected)
    after = await matrix.fingerprint()
    changed = [table for table in before if before[table] != after.get(table)]
    if changed:
        problems.append(f"refused calls changed tables {changed}")
    # Allowed outsiders are positive controls too; where a call would destroy or move
    # the victim object (rows with a control) the owner's one call on a spare stands
    # for them.
    if bearer and row.control is None:
        for letter in allowed:
            if ROLES[letter] != row.owner:
                check(ROLES[letter], letter, await matrix.call(row, ROLES[letter]), "2xx")
    owner = await matrix.call(row, row.owner, control=True)
    if owner.status_code != (row.owner_status or owner.status_code) or (
        row.owner_status is None and not owner.is_success
    ):
        problems.append(f"owner {row.owner}: {owner.status_code} {owner.text[:200]}")
    if row.key in SESSION_ENDING:
        matrix.world._tokens.clear()  # the callers' sessions ended: mint new ones
    assert not problems, f"{row.key}:\n" + "\n".join(problems)
