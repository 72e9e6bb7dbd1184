"""The real server the browser tests run against, and the demo logins on it."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from scripts.pwa_vendor import PWA, VendorError, vendored_files
from server.demo.loader import DEMO_PASSWORD
from server.settings import Settings
from tests.servers import ROOT, Server

# A demo login of each role (README, "Demo logins"), all with PASSWORD.
LOGINS = {
    "technician": "tech01",
    "inspector": "inspector1",
    "requester": "requester01",
    "manager": "manager1",
    "admin": "admin",
}
PASSWORD = DEMO_PASSWORD
DEMO_SCALE = 200


@dataclass(frozen=True)
class LiveServer:
    url: str
    settings: Settings
    log: Path
    process: Server


def require_vendored_files() -> None:
    try:
        missing = [path for path in vendored_files() if not (PWA / "app" / path).is_file()]
    except VendorError as exc:
        pytest.fail(f"{exc}: run scripts/lib/ensure-pwa")
    if missing:
        pytest.fail(
            f"pwa/app/{missing[0]} is missing ({len(missing)} vendored files in all): "
            "run scripts/lib/ensure-pwa"
        )


async def fieldops(server: Server, *args: str) -> None:
    command = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "server.cli", *args),
        cwd=ROOT,
        env=server.env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await command.communicate()
    if command.returncode != 0:
        pytest.fail(f"fieldops {' '.join(args)} failed:\n{output.decode()}")


@asynccontextmanager
async def serving(home: Path, scale: int = DEMO_SCALE, **env: str) -> AsyncIterator[LiveServer]:
    """``fieldops serve`` on a free port of 127.0.0.1, its files and SQLite database in
    ``home``, with ``scale`` demo orders loaded and ``env`` set; stopped (SIGTERM) on
    leaving."""
    require_vendored_files()
    settings = Settings(
        database_url=f"sqlite:///{home / 'e2e.sqlite'}",
        secret_key="e2e-secret-key-that-is-long-enough-0123456789",
        var_dir=str(home / "var"),
        blob_dir=str(home / "blobs"),
    )
    server = Server(
        settings,
        home / "server.log",
        FIELDOPS_BLOB_DIR=settings.blob_dir,
        # Push services the tests run listen on this machine.
        FIELDOPS_PUSH_ENDPOINTS=f"{settings.push_endpoints},http://127.0.0.1:*",
        **env,
    )
    await fieldops(server, "migrate")
    await fieldops(server, "demo", "--scale", str(scale))
    await server.start()
    assert server.process is not None
    try:
        yield LiveServer(server.url, settings, server.log, server)
    finally:
        await stop(server)


async def stop(server: Server) -> None:
    assert server.process is not None
    server.process.terminate()
    await asyncio.to_thread(server.process.wait, 10)
