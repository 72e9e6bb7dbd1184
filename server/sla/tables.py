from piccolo.columns import JSON, UUID, Boolean, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from server.masterdata.tables import CustomerGroup, ServiceItem
from server.workorders.tables import WorkOrder


class SlaRule(Table):
    """Response and resolution targets per priority for a (customer group, service
    item) pair; a missing side matches any, and the rule with neither is the
    global default."""

    id = UUID(primary_key=True)
    customer_group = ForeignKey(CustomerGroup, null=True, on_delete=OnDelete.cascade)
    service_item = ForeignKey(ServiceItem, null=True, on_delete=OnDelete.cascade)
    # "<group id or *>/<item id or *>": unique, where NULLs would never collide.
    pair = Varchar(length=80, unique=True)
    # Minutes for P1..P5 (a list of five); 0 means no target for that priority.
    response_minutes = JSON(default="[]")
    resolution_minutes = JSON(default="[]")
    pause_when_suspended = Boolean(default=True)
    warn_at_percent = Integer(default=75)
    alarm_every_minutes = Integer(default=60)
    suspend_after_alarms = Integer(default=5)


class BusinessCalendar(Table):
    """A customer group's working hours and holidays; groups without one are 24x7."""

    id = UUID(primary_key=True)
    customer_group = ForeignKey(CustomerGroup, unique=True, on_delete=OnDelete.cascade)
    timezone = Varchar(length=64, default="Asia/Shanghai")
    # Monday first: seven lists of ["HH:MM", "HH:MM"] intervals.
    week = JSON(default="[]")
    # ISO dates.
    holidays = JSON(default="[]")


class SlaBreach(Table):
    """A target an order missed: when it was due and when the miss was found. How
    late it ended up is on the order (first response, resolution)."""

    id = UUID(primary_key=True)
    order = ForeignKey(WorkOrder, index=True, on_delete=OnDelete.cascade)
    clock = Varchar(length=16)
    priority = Varchar(length=2)
    due_at = Timestamptz()
    breached_at = Timestamptz(index=True)
