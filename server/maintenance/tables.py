from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from server.accounts.tables import User
from server.masterdata.tables import Asset
from server.workorders.tables import WorkOrder


class MaintenancePlan(Table):
    """Preventive maintenance of one asset, or of every asset of a type: by time
    (every N days from the last completion or from installation) or by use (every N
    units of the asset's meter)."""

    id = UUID(primary_key=True)
    name = Varchar(length=200)
    asset = ForeignKey(Asset, null=True, on_delete=OnDelete.cascade)
    asset_type = Varchar(length=64, null=True, default=None)
    trigger = Varchar(length=8)
    # Time: days between services; None: each asset's own maintenance interval.
    interval_days = Integer(null=True, default=None)
    anchor = Varchar(length=16, default="completion")
    meter_interval = DoublePrecision(null=True, default=None)
    lead_days = Integer(default=7)
    lead_units = DoublePrecision(default=0.0)
    # The fields of each order it opens (server/maintenance/schemas.py: PmOrder).
    order = JSON(default="{}")
    starts_on = Date()
    active = Boolean(default=True)
    created_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz()


class MaintenanceDue(Table):
    """When a plan next falls due for an asset, and the order open for it if any:
    (plan, asset) is unique, so an asset never has two open orders of one plan."""

    id = UUID(primary_key=True)
    plan = ForeignKey(MaintenancePlan, on_delete=OnDelete.cascade)
    asset = ForeignKey(Asset, index=True, on_delete=OnDelete.cascade)
    due_on = Date(null=True, default=None)
    due_reading = DoublePrecision(null=True, default=None)
    open_order = ForeignKey(WorkOrder, null=True, default=None, on_delete=OnDelete.set_null)
    services = Integer(default=0)


class MeterReading(Table):
    id = UUID(primary_key=True)
    asset = ForeignKey(Asset, index=True, on_delete=OnDelete.cascade)
    value = DoublePrecision()
    read_at = Timestamptz()
    recorded_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
