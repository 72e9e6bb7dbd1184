from piccolo.columns import (
    UUID,
    Array,
    BigInt,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from server.accounts.tables import Department


class CustomerGroup(Table):
    id = UUID(primary_key=True)
    name = Varchar(length=100, unique=True)


class Customer(Table):
    id = UUID(primary_key=True)
    name = Varchar(length=200, unique=True)
    group = ForeignKey(CustomerGroup, null=True, on_delete=OnDelete.restrict)
    email = Varchar(length=254, null=True, default=None)
    phone = Varchar(length=32, null=True, default=None)


class Site(Table):
    id = UUID(primary_key=True)
    name = Varchar(length=200)
    address = Text(default="")
    latitude = DoublePrecision()
    longitude = DoublePrecision()
    geofence_radius_m = DoublePrecision(default=100.0)
    customer = ForeignKey(Customer, null=True, on_delete=OnDelete.restrict)
    # The sync sequence value of the latest change (server/workorders/changes.py).
    sync_seq = BigInt(default=0, index=True)


class Asset(Table):
    id = UUID(primary_key=True)
    tag = Varchar(length=64, unique=True)
    name = Varchar(length=200)
    asset_type = Varchar(length=64, index=True)
    site = ForeignKey(Site, index=True, on_delete=OnDelete.restrict)
    serial = Varchar(length=100, null=True, default=None)
    installed_on = Date(null=True, default=None)
    warranty_until = Date(null=True, default=None)
    maintenance_interval_days = Integer(null=True, default=None)
    meter_unit = Varchar(length=16, null=True, default=None)
    # The latest meter reading (server/maintenance/): what usage-based maintenance counts.
    meter_reading = DoublePrecision(null=True, default=None)
    meter_read_at = Timestamptz(null=True, default=None)
    # The sync sequence value of the latest change (server/workorders/changes.py).
    sync_seq = BigInt(default=0, index=True)


class ServiceItem(Table):
    id = UUID(primary_key=True)
    name = Varchar(length=200, unique=True)
    required_skills = Array(Varchar(length=50))
    default_priority = Varchar(length=2, default="P3")
    department = ForeignKey(Department, null=True, on_delete=OnDelete.restrict)
    # The sync sequence value of the latest change (server/workorders/changes.py).
    sync_seq = BigInt(default=0, index=True)


class DeletedRecord(Table):
    """A deleted site, asset or service item, for devices that keep copies."""

    seq = BigInt(index=True)
    kind = Varchar(length=32)
    record = UUID()
