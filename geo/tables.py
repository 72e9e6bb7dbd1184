from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    DoublePrecision,
    ForeignKey,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from server.accounts.tables import Department, User
from server.workorders.tables import WorkOrder


class CheckIn(Table):
    """A technician's GPS fix at an order's site: arriving (check_in) or leaving
    (check_out). Never dropped: a doubtful one is kept and flagged."""

    id = UUID(primary_key=True)
    order = ForeignKey(WorkOrder, index=True, on_delete=OnDelete.cascade)
    user = ForeignKey(User, on_delete=OnDelete.cascade)
    kind = Varchar(length=9)
    latitude = DoublePrecision()
    longitude = DoublePrecision()
    accuracy_m = DoublePrecision()
    device_time = Timestamptz(null=True, default=None)
    received_at = Timestamptz()
    # When it happened, as far as the server believes: the device's time, or the time
    # it was received when the device's clock is off.
    at = Timestamptz()
    # Geodesic distance to the site, and whether the fix is inside its geofence; null
    # when the order has no site.
    distance_m = DoublePrecision(null=True, default=None)
    inside = Boolean(null=True, default=None)
    flags = JSON(default="[]")
    flagged = Boolean(default=False, index=True)


class Position(Table):
    """A technician's last known position."""

    id = UUID(primary_key=True)
    user = ForeignKey(User, unique=True, on_delete=OnDelete.cascade)
    latitude = DoublePrecision()
    longitude = DoublePrecision()
    accuracy_m = DoublePrecision()
    at = Timestamptz()
    source = Varchar(length=16)


class Duty(Table):
    """Whether a field worker is on duty: dispatch prefers those who are."""

    id = UUID(primary_key=True)
    user = ForeignKey(User, unique=True, on_delete=OnDelete.cascade)
    on_duty = Boolean(default=False)
    since = Timestamptz()
    # The latest on-duty period: location pings are kept only from inside it.
    started_at = Timestamptz(null=True, default=None)
    ended_at = Timestamptz(null=True, default=None)


class LocationPing(Table):
    """A fix a field worker's phone reported while on duty, kept for the retention
    period (``FIELDOPS_POSITION_RETENTION_DAYS``)."""

    id = UUID(primary_key=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade)
    latitude = DoublePrecision()
    longitude = DoublePrecision()
    accuracy_m = DoublePrecision()
    at = Timestamptz(index=True)
    received_at = Timestamptz()


class AutoAssign(Table):
    """A department's auto-assign mode: new unassigned orders of these priorities go
    to the best on-duty candidate at once."""

    id = UUID(primary_key=True)
    department = ForeignKey(Department, unique=True, on_delete=OnDelete.cascade)
    priorities = JSON(default="[]")
    updated_at = Timestamptz()
