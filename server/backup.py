"""Backup and restore of the embedded mode: the SQLite database and the blob files.

A backup is a directory (simple to rsync or to keep several of):
``fieldops.sqlite``, ``blobs/ab/abcdef...`` (content-addressed, so a later backup
into the same directory copies only the new files) and ``manifest.json``, written
last: a directory without a manifest is an unfinished backup and is not restored.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import msgspec
from piccolo.apps.migrations.commands.base import BaseMigrationManager

from server.settings import Settings
from server.tables import app_configs

MANIFEST = "manifest.json"
DATABASE = "fieldops.sqlite"
BLOBS = "blobs"
FORMAT = 1
_BLOB_NAME = re.compile(r"^[0-9a-f]{64}$")


class BackupRefused(Exception):
    """The backup or restore cannot go ahead; nothing was changed."""


class Manifest(msgspec.Struct, frozen=True, kw_only=True):
    format: int
    created_at: datetime
    database_sha256: str
    database_bytes: int
    # "app:migration id" of every migration the database has run.
    migrations: list[str]
    counts: dict[str, int]
    blobs: int
    blob_bytes: int


def pg_dump_command(dest: Path) -> str:
    # The URL stays in the variable: it may hold a password.
    return f'pg_dump --format=custom --no-owner --file={dest / "fieldops.dump"} "$FIELDOPS_DATABASE_URL"'


def pg_restore_command(src: Path) -> str:
    return (
        "pg_restore --no-owner --clean --if-exists "
        f'--dbname="$FIELDOPS_DATABASE_URL" {src / "fieldops.dump"}'
    )


def code_migrations() -> set[str]:
    """Every migration this version of FieldOps ships, as "app:migration id"."""
    manager = BaseMigrationManager()
    return {
        f"{config.app_name}:{migration_id}"
        for config in app_configs()
        for migration_id in manager.get_migration_modules(str(config.migrations_folder_path))
    }


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def blob_files(root: Path) -> Iterator[Path]:
    """Finished blobs only: unfinished uploads (``partial/``) are the phones' to resend."""
    if not root.is_dir():
        return
    for folder in sorted(root.iterdir()):
        if folder.is_dir() and len(folder.name) == 2:
            yield from (
                path
                for path in sorted(folder.iterdir())
                if _BLOB_NAME.match(path.name) and path.name.startswith(folder.name)
            )


def copy_atomically(source: Path, target: Path) -> None:
    """Copy through a temporary file and a rename, so ``target`` is whole or absent."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    with open(source, "rb") as reading, open(partial, "wb") as writing:
        shutil.copyfileobj(reading, writing, 1 << 20)
        writing.flush()
        os.fsync(writing.fileno())
    os.replace(partial, target)


def _describe(connection: sqlite3.Connection) -> tuple[list[str], dict[str, int]]:
    tables = [
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    counts = {
        table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        for table in tables
    }
    migrations = (
        [
            f"{app}:{name}"
            for app, name in connection.execute(
                "SELECT app_name, name FROM migration ORDER BY app_name, name"
            )
        ]
        if "migration" in counts
        else []
    )
    return migrations, counts


def backup(settings: Settings, dest: Path, now: datetime) -> Manifest:
    """Copy the live database and the blobs into ``dest`` while the server runs."""
    if not settings.is_sqlite:
        raise BackupRefused(
            "fieldops backup copies the embedded SQLite database; on PostgreSQL run: "
            + pg_dump_command(dest)
            + f" and copy the blob directory {settings.blob_path} (see docs/deployment.md)"
        )
    source_path = settings.sqlite_path
    if not source_path.is_file():
        raise BackupRefused(f"no database at {source_path}")
    dest.mkdir(parents=True, exist_ok=True)
    # From here until the new manifest is written, the directory is not restorable.
    (dest / MANIFEST).unlink(missing_ok=True)
    partial = dest / f".{DATABASE}.partial"
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
    copy = sqlite3.connect(partial)
    try:
        # One step, one read snapshot: in WAL mode writers go on meanwhile. A backup
        # in several steps restarts whenever another connection commits, so under a
        # steady stream of sync pushes it would never finish.
        source.backup(copy)
        migrations, counts = _describe(copy)
    finally:
        copy.close()
        source.close()
    with open(partial, "rb+") as file:
        os.fsync(file.fileno())
    os.replace(partial, dest / DATABASE)
    for blob in blob_files(settings.blob_path):
        target = dest / BLOBS / blob.parent.name / blob.name
        if not target.exists():
            copy_atomically(blob, target)
    kept = list(blob_files(dest / BLOBS))
    manifest = Manifest(
        format=FORMAT,
        created_at=now,
        database_sha256=sha256_file(dest / DATABASE),
        database_bytes=(dest / DATABASE).stat().st_size,
        migrations=migrations,
        counts=counts,
        blobs=len(kept),
        blob_bytes=sum(path.stat().st_size for path in kept),
    )
    written = dest / f".{MANIFEST}.partial"
    written.write_bytes(msgspec.json.format(msgspec.json.encode(manifest)) + b"\n")
    os.replace(written, dest / MANIFEST)
    return manifest


def read_manifest(src: Path) -> Manifest:
    try:
        manifest = msgspec.json.decode((src / MANIFEST).read_bytes(), type=Manifest)
    except FileNotFoundError:
        raise BackupRefused(f"{src} has no {MANIFEST}: not a finished backup") from None
    except msgspec.ValidationError as exc:
        raise BackupRefused(f"{src / MANIFEST} is not a FieldOps manifest: {exc}") from None
    if manifest.format != FORMAT:
        raise BackupRefused(f"backup format {manifest.format} is not supported")
    return manifest


def server_running(database: Path) -> bool:
    """Whether some process has the database open (a running server keeps its
    connections open). An exclusive lock is refused while any connection is open,
    even an idle one, in WAL mode."""
    if not database.exists():
        return False
    probe = sqlite3.connect(database, timeout=0, isolation_level=None)
    try:
        probe.execute("PRAGMA locking_mode = EXCLUSIVE")
        probe.execute("BEGIN EXCLUSIVE")
        probe.execute("COMMIT")
    except sqlite3.OperationalError:
        return True
    except sqlite3.DatabaseError:
        # Not a database at all: nothing can be serving it, and restoring is the cure.
        return False
    finally:
        probe.close()
    return False


def verify(src: Path, blob_root: Path) -> tuple[Manifest, list[Path]]:
    """Check the backup against its manifest and this code; returns the manifest and
    the backed-up blobs missing from ``blob_root`` (each checked against its name)."""
    manifest = read_manifest(src)
    if (src / DATABASE).stat().st_size != manifest.database_bytes or sha256_file(
        src / DATABASE
    ) != manifest.database_sha256:
        raise BackupRefused(f"{src / DATABASE} does not match its checksum in the manifest")
    if unknown := sorted(set(manifest.migrations) - code_migrations()):
        raise BackupRefused(
            f"the backup comes from a newer FieldOps (unknown migrations: {', '.join(unknown)}); "
            "upgrade FieldOps before restoring it"
        )
    blobs = list(blob_files(src / BLOBS))
    if len(blobs) != manifest.blobs:
        raise BackupRefused(
            f"the manifest lists {manifest.blobs} blobs, the backup has {len(blobs)}"
        )
    missing = [blob for blob in blobs if not (blob_root / blob.parent.name / blob.name).exists()]
    for blob in missing:
        if sha256_file(blob) != blob.name:
            raise BackupRefused(f"blob {blob.name} does not match its checksum")
    return manifest, missing


def restore(settings: Settings, src: Path) -> Manifest:
    """Replace the database and add the missing blobs from a verified backup.

    The caller runs the migrations the backup lacks afterwards.
    """
    if not settings.is_sqlite:
        raise BackupRefused(
            "fieldops restore replaces the embedded SQLite database; on PostgreSQL run: "
            + pg_restore_command(src)
            + " and copy the blobs back into "
            + str(settings.blob_path)
            + " (see docs/deployment.md)"
        )
    target = settings.sqlite_path
    manifest, missing = verify(src, settings.blob_path)
    if server_running(target):
        raise BackupRefused(f"{target} is in use: stop every fieldops server and worker first")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.restoring")
    copy_atomically(src / DATABASE, partial)
    # The old database's log would be replayed into the restored file: drop it first.
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(partial, target)
    # Blobs after the database: extra blobs are harmless, missing ones would be listed.
    for blob in missing:
        copy_atomically(blob, settings.blob_path / blob.parent.name / blob.name)
    return manifest
