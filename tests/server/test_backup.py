"""fieldops backup / restore of the embedded mode (SQLite only, by design)."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import httpx
import msgspec
import pytest
from asgi_lifespan import LifespanManager

from server.app import create_app
from server.backup import BackupRefused, backup, code_migrations, restore, server_running
from server.settings import Settings
from tests.clock import FakeClock
from tests.server.test_cli import fieldops, one_line_error
from tests.server.workorders.orders import put_order
from tests.sync.device import Device
from tests.sync.test_blobs import image
from tests.world import World

NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


@pytest.fixture
def engine_name() -> str:
    return "sqlite"


def elsewhere(settings: Settings, root: Path) -> Settings:
    """The same installation's settings, pointing at another (empty) directory."""
    return msgspec.structs.replace(
        settings,
        database_url=f"sqlite:///{root / 'fieldops.sqlite'}",
        var_dir=str(root / "var"),
    )


def environment(settings: Settings) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FIELDOPS_")}
    return {
        **clean,
        "FIELDOPS_DATABASE_URL": settings.database_url,
        "FIELDOPS_VAR_DIR": settings.var_dir,
    }


class Writer:
    """Commits rows 1, 2, 3... into a table of its own, one per transaction."""

    def __init__(self, path: Path) -> None:
        self.connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.connection.execute("CREATE TABLE probe (n INTEGER PRIMARY KEY)")
        self.committed = 0
        self.warmed_up = threading.Event()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run)

    def run(self) -> None:
        while not self.stop.is_set():
            self.connection.execute("INSERT INTO probe VALUES (?)", (self.committed + 1,))
            self.committed += 1
            if self.committed == 200:
                self.warmed_up.set()

    @classmethod
    @contextmanager
    def running(cls, path: Path) -> Iterator[Writer]:
        writer = cls(path)
        writer.thread.start()
        try:
            yield writer
        finally:
            writer.stop.set()
            writer.thread.join()
            writer.connection.close()


def test_a_backup_while_a_writer_commits_is_consistent(settings: Settings, tmp_path: Path) -> None:
    live = settings.sqlite_path
    with sqlite3.connect(live) as filler:
        # As the server leaves it: readers and the writer do not wait for each other.
        filler.execute("PRAGMA journal_mode = WAL")
        # About 40 MB, so that the copy takes long enough for the writer to go on meanwhile.
        filler.execute("CREATE TABLE filler (data BLOB)")
        filler.execute(
            "INSERT INTO filler SELECT randomblob(4000) FROM "
            "(WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 10000) "
            "SELECT n FROM c)"
        )
    filler.close()
    with Writer.running(live) as writer:
        writer.warmed_up.wait()
        before = writer.committed
        manifest = backup(settings, tmp_path / "backup", NOW)
        after = writer.committed

    copy = sqlite3.connect(tmp_path / "backup" / "fieldops.sqlite")
    try:
        assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        count, top = copy.execute("SELECT count(*), max(n) FROM probe").fetchone()
    finally:
        copy.close()
    # Every commit before the backup began is in it, and it holds one snapshot: 1..top.
    assert top >= before
    assert count == top
    assert manifest.counts["probe"] == top
    assert manifest.counts["filler"] == 10_000
    # The writer was not held up by the copy.
    assert after > top
    assert set(manifest.migrations) == code_migrations()
    stored = json.loads((tmp_path / "backup" / "manifest.json").read_bytes())
    assert stored["created_at"] == "2026-11-28T09:30:00Z"
    assert (
        stored["database_sha256"]
        == hashlib.sha256((tmp_path / "backup" / "fieldops.sqlite").read_bytes()).hexdigest()
    )


async def test_restore_into_a_fresh_directory_serves_the_same_orders_and_blobs(
    client: httpx.AsyncClient, world: World, settings: Settings, tmp_path: Path
) -> None:
    order_id = await put_order(world, "in_progress", assignee="north_tech", team="north")
    photo = image("JPEG", 200)
    digest = hashlib.sha256(photo).hexdigest()
    phone = Device(client, world, "north_tech")
    phone.make("attach_file", order_id=order_id, id=uuid4(), sha256=digest, caption="meter")
    assert (await phone.push())["results"][0]["outcome"] == "applied"
    tech = await world.headers("north_tech")
    uploaded = await client.put(
        f"/api/blobs/{digest}",
        content=photo,
        headers={**tech, "Content-Range": f"bytes 0-{len(photo) - 1}/{len(photo)}"},
    )
    assert uploaded.status_code == 201
    order = (await client.get(f"/api/work-orders/{order_id}", headers=tech)).json()

    manifest = backup(settings, tmp_path / "backup", NOW)
    assert (manifest.blobs, manifest.blob_bytes) == (1, len(photo))
    assert (tmp_path / "backup" / "blobs" / digest[:2] / digest).read_bytes() == photo

    fresh = elsewhere(settings, tmp_path / "fresh")
    assert restore(fresh, tmp_path / "backup") == manifest
    app = create_app(fresh, FakeClock())
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://fieldops.test") as http:
            assert (await http.get(f"/api/work-orders/{order_id}", headers=tech)).json() == order
            served = await http.get(f"/api/blobs/{digest}", headers=tech)
            assert served.content == photo
            assert (await http.get("/api/blobs/missing", headers=tech)).json() == {"items": []}


def test_a_corrupted_backup_is_refused_and_changes_nothing(
    settings: Settings, tmp_path: Path
) -> None:
    blob = b"a photo"
    digest = hashlib.sha256(blob).hexdigest()
    (settings.blob_path / digest[:2]).mkdir(parents=True)
    (settings.blob_path / digest[:2] / digest).write_bytes(blob)
    backup(settings, tmp_path / "backup", NOW)
    database = tmp_path / "backup" / "fieldops.sqlite"
    original = database.read_bytes()
    damaged = bytearray(original)
    damaged[5000] ^= 0xFF
    database.write_bytes(bytes(damaged))

    target = elsewhere(settings, tmp_path / "target")
    target.sqlite_path.parent.mkdir(parents=True)
    target.sqlite_path.write_bytes(b"the old database")
    with pytest.raises(BackupRefused, match="does not match its checksum"):
        restore(target, tmp_path / "backup")
    assert target.sqlite_path.read_bytes() == b"the old database"
    assert not target.blob_path.exists()
    assert sorted(path.name for path in target.sqlite_path.parent.iterdir()) == ["fieldops.sqlite"]

    # A blob whose bytes no longer match its name is refused the same way.
    database.write_bytes(original)
    (tmp_path / "backup" / "blobs" / digest[:2] / digest).write_bytes(b"a photp")
    with pytest.raises(BackupRefused, match=f"blob {digest} does not match"):
        restore(target, tmp_path / "backup")
    assert target.sqlite_path.read_bytes() == b"the old database"

    manifest = (tmp_path / "backup" / "manifest.json").read_bytes()
    (tmp_path / "backup" / "manifest.json").unlink()
    with pytest.raises(BackupRefused, match="not a finished backup"):
        restore(target, tmp_path / "backup")
    (tmp_path / "backup" / "manifest.json").write_bytes(manifest)

    # Repaired, the same backup replaces the old (unreadable) file.
    (tmp_path / "backup" / "blobs" / digest[:2] / digest).write_bytes(blob)
    restore(target, tmp_path / "backup")
    assert target.sqlite_path.read_bytes() == original
    assert (target.blob_path / digest[:2] / digest).read_bytes() == blob


def test_a_backup_from_a_newer_schema_is_refused(settings: Settings, tmp_path: Path) -> None:
    with sqlite3.connect(settings.sqlite_path) as live:
        live.execute(
            "INSERT INTO migration (app_name, name, ran_on) "
            "VALUES ('workorders', '2099-01-01T00:00:00:000000', '2099-01-01')"
        )
    live.close()
    backup(settings, tmp_path / "backup", NOW)
    with pytest.raises(BackupRefused, match="workorders:2099-01-01T00:00:00:000000"):
        restore(elsewhere(settings, tmp_path / "target"), tmp_path / "backup")
    assert not (tmp_path / "target").exists()


def test_a_backup_from_an_older_schema_is_migrated_forward(
    settings: Settings, tmp_path: Path
) -> None:
    empty = elsewhere(settings, tmp_path / "old")
    empty.sqlite_path.parent.mkdir(parents=True)
    sqlite3.connect(empty.sqlite_path).close()
    backup(empty, tmp_path / "backup", NOW)
    target = elsewhere(settings, tmp_path / "target")
    restored = fieldops(environment(target), "restore", str(tmp_path / "backup"))
    assert restored.returncode == 0, restored.stderr
    assert f"applied {len(code_migrations())} newer migrations" in restored.stdout
    database = sqlite3.connect(target.sqlite_path)
    try:
        ran = database.execute("SELECT app_name || ':' || name FROM migration").fetchall()
    finally:
        database.close()
    assert {name for (name,) in ran} == code_migrations()


async def test_restore_refuses_while_a_server_runs(settings: Settings, tmp_path: Path) -> None:
    backup(settings, tmp_path / "backup", NOW)
    async with LifespanManager(create_app(settings, FakeClock())):
        assert server_running(settings.sqlite_path)
        with pytest.raises(BackupRefused, match="stop every fieldops server"):
            restore(settings, tmp_path / "backup")
    assert not server_running(settings.sqlite_path)


def test_postgresql_is_refused_with_the_pg_dump_command(tmp_path: Path) -> None:
    env = environment(
        Settings(
            database_url="postgresql://fieldops:s3cret@127.0.0.1:1/fieldops",
            var_dir=str(tmp_path / "var"),
        )
    )
    line = one_line_error(fieldops(env, "backup", str(tmp_path / "backup")), 1)
    assert (
        f"pg_dump --format=custom --no-owner --file={tmp_path / 'backup' / 'fieldops.dump'} "
        '"$FIELDOPS_DATABASE_URL"'
    ) in line
    assert "s3cret" not in line
    (tmp_path / "backup").mkdir()
    line = one_line_error(fieldops(env, "restore", str(tmp_path / "backup")), 1)
    assert "pg_restore --no-owner" in line
    assert "s3cret" not in line
