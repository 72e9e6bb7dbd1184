from piccolo.columns import (
    JSON,
    UUID,
    BigInt,
    Boolean,
    DoublePrecision,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from server.accounts.tables import Department, Team, User
from server.masterdata.tables import Asset


class Checklist(Table):
    """What an inspection of an asset type checks: its items (inspection/checklists.py)."""

    id = UUID(primary_key=True)
    asset_type = Varchar(length=64, unique=True)
    name = Varchar(length=200)
    items = JSON(default="[]")
    updated_at = Timestamptz()
    # The sync sequence value of the latest change (server/workorders/changes.py).
    sync_seq = BigInt(default=0, index=True)


class Round(Table):
    """A patrol round (巡检路线): checkpoints (assets, in order) walked by an inspector
    or a crew, once or on a recurrence."""

    id = UUID(primary_key=True)
    name = Varchar(length=200)
    department = ForeignKey(Department, null=True, on_delete=OnDelete.restrict)
    assignee = ForeignKey(User, null=True, on_delete=OnDelete.set_null, index=True)
    team = ForeignKey(Team, null=True, on_delete=OnDelete.set_null, index=True)
    checkpoints = JSON(default="[]")
    # RFC 5545 RRULE (server/plans/recurrence.py); null: once, at starts_at.
    rrule = Text(null=True, default=None)
    timezone = Varchar(length=64, default="UTC")
    starts_at = Timestamptz()
    window_minutes = Integer(default=240)
    active = Boolean(default=True)
    created_at = Timestamptz()
    sync_seq = BigInt(default=0, index=True)


class RoundRun(Table):
    """One walk of a round: each checkpoint done (its result), skipped (with a
    reason) or still pending; missed when the window closed first."""

    id = UUID(primary_key=True)
    # round@scheduled_at: scheduling the same walk twice makes one run.
    key = Varchar(length=100, unique=True)
    round = ForeignKey(Round, index=True, on_delete=OnDelete.cascade)
    assignee = ForeignKey(User, null=True, on_delete=OnDelete.set_null, index=True)
    team = ForeignKey(Team, null=True, on_delete=OnDelete.set_null, index=True)
    scheduled_at = Timestamptz()
    due_at = Timestamptz()
    status = Varchar(length=12, default="scheduled", index=True)
    checkpoints = JSON(default="[]")
    started_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)
    version = Integer(default=1)
    sync_seq = BigInt(default=0, index=True)


class InspectionResult(Table):
    """An inspection of one asset, proven by the scanned label; never changed."""

    id = UUID(primary_key=True)
    asset = ForeignKey(Asset, index=True, on_delete=OnDelete.cascade)
    run = ForeignKey(RoundRun, null=True, index=True, on_delete=OnDelete.set_null)
    inspector = ForeignKey(User, index=True, on_delete=OnDelete.restrict)
    code = Varchar(length=200)
    answers = JSON(default="{}")
    failures = JSON(default="[]")
    passed = Boolean()
    device_time = Timestamptz(null=True, default=None)
    received_at = Timestamptz()
    at = Timestamptz(index=True)
    latitude = DoublePrecision(null=True, default=None)
    longitude = DoublePrecision(null=True, default=None)
    accuracy_m = DoublePrecision(null=True, default=None)
    distance_m = DoublePrecision(null=True, default=None)
    flags = JSON(default="[]")
    corrective_order = UUID(null=True, default=None, index=True)
    sync_seq = BigInt(default=0, index=True)
