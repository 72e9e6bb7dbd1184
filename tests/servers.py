"""Real server processes for the tests that need them (crashes, several processes)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from server.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """``fieldops serve`` in its own process, on the test's database."""

    def __init__(self, settings: Settings, log: Path, **env: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("FIELDOPS_")},
            "FIELDOPS_DATABASE_URL": settings.database_url,
            "FIELDOPS_SECRET_KEY": settings.secret_key,
            "FIELDOPS_VAR_DIR": settings.var_dir,
            "FIELDOPS_PORT": str(self.port),
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def launch(self) -> subprocess.Popen[bytes]:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "server.cli", "serve"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self.process

    async def start(self) -> None:
        process = self.launch()
        # A bound for a wedged start, not a timing: a loaded CI machine took over 20 s.
        async with httpx.AsyncClient(base_url=self.url) as http:
            for _ in range(1200):
                try:
                    if (await http.get("/api/health")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                assert process.poll() is None, "the server exited at start"
                await asyncio.sleep(0.05)
        raise AssertionError("the server did not start in 60 s")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()


def worker(settings: Settings, log: Path, **env: str) -> subprocess.Popen[bytes]:
    """``fieldops worker`` in its own process on the test's database, polling every 0.1 s."""
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("FIELDOPS_")},
        "FIELDOPS_DATABASE_URL": settings.database_url,
        "FIELDOPS_SECRET_KEY": settings.secret_key,
        "FIELDOPS_VAR_DIR": settings.var_dir,
        "FIELDOPS_SCHEDULER_POLL_SECONDS": "0.1",
        **env,
    }
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "server.cli", "worker"],
            cwd=ROOT,
            env=environment,
            stdout=out,
            stderr=out,
        )
