"""The ``fieldops`` command, run as a real process against a throwaway SQLite file (or the
suite's PostgreSQL database, where PostgreSQL is what is checked)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pypdfium2
import pytest
import zxingcpp

ROOT = Path(__file__).resolve().parents[2]


def fieldops(
    env: dict[str, str], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FIELDOPS_")}
    return {
        **clean,
        "FIELDOPS_DATABASE_URL": f"sqlite:///{tmp_path / 'fieldops.sqlite'}",
        "FIELDOPS_VAR_DIR": str(tmp_path / "var"),
    }


def one_line_error(result: subprocess.CompletedProcess[str], code: int) -> str:
    assert result.returncode == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_migrate_demo_and_create_user(env: dict[str, str]) -> None:
    outdated = fieldops(env, "demo", "--scale", "5")
    assert "fieldops migrate" in one_line_error(outdated, 2)

    migrated = fieldops(env, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert "Applied workorders:" in migrated.stdout
    assert fieldops(env, "migrate").stdout.strip() == "No pending migrations."

    demo = fieldops(env, "demo", "--scale", "30")
    assert demo.returncode == 0, demo.stderr
    assert "work_order 30," in demo.stdout
    assert "fieldops-demo" in demo.stdout
    for username in ("admin", "manager3", "tech20", "inspector2", "requester10"):
        assert username in demo.stdout
    # The demo's chillers on a printed sheet, every label readable.
    sheet = Path(env["FIELDOPS_VAR_DIR"]) / "chillers.pdf"
    printed = fieldops(env, "labels", "--asset-type", "chiller", "--out", str(sheet))
    assert printed.returncode == 0, printed.stderr
    assert "Wrote 16 labels on 1 pages" in printed.stdout
    page = pypdfium2.PdfDocument(sheet.read_bytes())[0].render(scale=300 / 72).to_pil()
    assert len(zxingcpp.read_barcodes(page)) == 16
    assert "no asset matches" in one_line_error(
        fieldops(env, "labels", "--asset-type", "none", "--out", str(sheet)), 1
    )
    skipped = fieldops(env, "demo", "--if-empty")
    assert skipped.returncode == 0
    assert "not loaded" in skipped.stdout
    assert "empty database" in one_line_error(fieldops(env, "demo"), 1)

    created = fieldops(
        env,
        "create-user",
        "Alice",
        "--role",
        "manager",
        "--name",
        "Alice Wang",
        "--password",
        "long-enough-1",
        "--department",
        "Facilities",
        "--manages",
        "Facilities",
    )
    assert created.returncode == 0, created.stderr
    assert "manager 'alice'" in created.stdout
    prompted = fieldops(
        env,
        "create-user",
        "bob",
        "--role",
        "technician",
        "--name",
        "Bob",
        stdin="long-enough-2\nlong-enough-2\n",
    )
    assert prompted.returncode == 0, prompted.stderr

    taken = fieldops(
        env, "create-user", "alice", "--role", "admin", "--name", "A", "--password", "long-enough-1"
    )
    assert "taken" in one_line_error(taken, 1)
    unknown = fieldops(
        env,
        "create-user",
        "carol",
        "--role",
        "technician",
        "--name",
        "C",
        "--password",
        "long-enough-1",
        "--department",
        "Nowhere",
    )
    assert "Facilities" in one_line_error(unknown, 1)
    short = fieldops(
        env, "create-user", "dave", "--role", "admin", "--name", "D", "--password", "short"
    )
    assert "password" in one_line_error(short, 2)


def test_purge_tombstones(env: dict[str, str]) -> None:
    assert fieldops(env, "migrate").returncode == 0
    done = fieldops(env, "purge-tombstones", "--days", "30")
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        "Tombstones are kept after sequence value 0.\n"
        "Forgot 0 recorded push outcomes and 0 finished jobs.\n"
    )
    assert fieldops(env, "purge-tombstones", "--days", "0").returncode == 2


def test_wrong_setting_is_one_line_naming_it(env: dict[str, str]) -> None:
    for command in (["migrate"], ["serve"], ["demo"]):
        line = one_line_error(fieldops({**env, "FIELDOPS_PORT": "abc"}, *command), 2)
        assert "FIELDOPS_PORT" in line


def test_unreachable_database_is_one_line(env: dict[str, str]) -> None:
    env = {**env, "FIELDOPS_DATABASE_URL": "postgresql://fieldops@127.0.0.1:1/fieldops"}
    assert "cannot open the database" in one_line_error(fieldops(env, "migrate"), 2)


def test_unreachable_redis_or_a_wrong_geocoder_stop_serving_in_one_line(
    env: dict[str, str],
) -> None:
    assert fieldops(env, "migrate").returncode == 0
    redis = {**env, "FIELDOPS_REDIS_URL": "redis://127.0.0.1:1/0"}
    for command in ("serve", "worker"):
        assert "FIELDOPS_REDIS_URL does not answer" in one_line_error(fieldops(redis, command), 2)
    geocoder = {**env, "FIELDOPS_GEOCODER": "no-such-service"}
    assert "FIELDOPS_GEOCODER" in one_line_error(fieldops(geocoder, "serve"), 2)


def test_serve_refuses_more_connections_than_postgresql_takes(
    env: dict[str, str], pg_url: str
) -> None:
    postgres = {**env, "FIELDOPS_DATABASE_URL": pg_url, "FIELDOPS_DB_POOL_SIZE": "50"}
    line = one_line_error(fieldops(postgres, "serve", "--workers", "1000"), 2)
    assert "1000 processes x FIELDOPS_DB_POOL_SIZE=50 = 50000 connections" in line
    assert "max_connections=" in line


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_answers(env: dict[str, str]) -> None:
    assert fieldops(env, "migrate").returncode == 0
    port = free_port()
    with subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as server:
        try:
            assert server.stdout is not None
            seen = []
            for line in server.stdout:  # uvicorn logs its start-up; EOF if it died
                seen.append(line)
                if "Application startup complete" in line:
                    break
            else:
                pytest.fail("the server did not start:\n" + "".join(seen))
            response = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=10)
            assert response.status_code == 200
            assert response.json()["database"] == "ok"
        finally:
            server.terminate()
            server.communicate(timeout=10)


def test_vapid_keys_are_made_once_and_kept_private(env: dict[str, str]) -> None:
    first = fieldops(env, "vapid-keys")
    assert first.returncode == 0, first.stderr
    public = first.stdout.split("public key:")[1].strip()
    assert len(public) == 87
    again = fieldops(env, "vapid-keys")
    assert again.stdout.split("public key:")[1].strip() == public
    key = Path(env["FIELDOPS_VAR_DIR"]) / "vapid_private.pem"
    assert key.stat().st_mode & 0o777 == 0o600
    missing = {**env, "FIELDOPS_VAPID_PRIVATE_KEY": str(key.with_name("nope.pem"))}
    assert "FIELDOPS_VAPID_PRIVATE_KEY" in one_line_error(fieldops(missing, "vapid-keys"), 2)
