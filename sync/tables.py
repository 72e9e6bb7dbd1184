"""What the server keeps to sync devices: clients, the outcome of each of their
mutations, and conflicts awaiting a manager."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    UUID,
    BigInt,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from server.accounts.tables import User
from server.workorders.tables import WorkOrder


class SyncClient(Table, tablename="sync_client"):
    """A device, bound to the user who first pushed or pulled with it."""

    id = UUID(primary_key=True)
    user = ForeignKey(User, index=True, on_delete=OnDelete.cascade)
    last_mutation_id = BigInt(default=0)
    created_at = Timestamptz()
    last_seen_at = Timestamptz()


class SyncMutation(Table, tablename="sync_mutation"):
    """The outcome of one applied mutation, answered again when the device retries.
    Unique per (client, mutation_id): a mutation is applied once. Kept for the
    retention window (sync/retention.py), then forgotten by applied_at."""

    client = ForeignKey(SyncClient, on_delete=OnDelete.cascade)
    mutation_id = BigInt()
    name = Varchar(length=64)
    outcome = Varchar(length=16)
    code = Varchar(length=64, default="")
    message = Text(default="")
    details = JSON(default="null")
    applied_at = Timestamptz(index=True)


class SyncConflict(Table, tablename="sync_conflict"):
    """Both sides of a conflict the server resolved on its own, for a manager to
    review: the value or status that was kept and the one that lost."""

    id = UUID(primary_key=True)
    order = ForeignKey(WorkOrder, index=True, on_delete=OnDelete.cascade)
    kind = Varchar(length=16)
    field = Varchar(length=64, default="")
    base_version = Integer(null=True, default=None)
    kept = JSON(default="null")
    lost = JSON(default="null")
    author = ForeignKey(User, on_delete=OnDelete.restrict)
    client = UUID(null=True, default=None)
    mutation_id = BigInt(null=True, default=None)
    created_at = Timestamptz()
    resolved_at = Timestamptz(null=True, default=None)
    resolved_by = ForeignKey(User, null=True, on_delete=OnDelete.restrict)
    resolution = Text(default="")


class Blob(Table):
    """A photo or signature that arrived whole and matched its SHA-256; the bytes
    live in the blob store (server/settings.py: FIELDOPS_BLOB_DIR)."""

    sha256 = Varchar(length=64, primary_key=True)
    size = BigInt()
    content_type = Varchar(length=32)
    uploaded_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    uploaded_at = Timestamptz()
