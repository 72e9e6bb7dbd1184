from piccolo.columns import JSON, UUID, Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from server.accounts.tables import User
from server.workorders.tables import WorkOrder


class RecurringPlan(Table):
    """Work that repeats: an RFC 5545 recurrence rule and the order each occurrence
    opens, generated ahead of time."""

    id = UUID(primary_key=True)
    name = Varchar(length=200)
    # The RRULE line (no DTSTART: that is starts_at, in timezone's local time).
    rrule = Text()
    starts_at = Timestamptz()
    timezone = Varchar(length=64, default="Asia/Shanghai")
    lookahead_days = Integer(default=7)
    due_minutes = Integer(default=1440)
    # Pause after this many occurrences since the last (re)start; None: never.
    pause_after = Integer(null=True, default=None)
    generated = Integer(default=0)
    generated_since_resume = Integer(default=0)
    paused = Boolean(default=False)
    active = Boolean(default=True)
    # Each change of the schedule: timers of an older revision do nothing.
    revision = Integer(default=1)
    # The fields of each order it opens (server/plans/schemas.py: PlanOrder).
    order = JSON(default="{}")
    created_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz()


class PlanOccurrence(Table):
    """One occurrence of a plan and the order it opened: (plan, occurs_at) is unique,
    so no occurrence ever opens two orders."""

    id = UUID(primary_key=True)
    plan = ForeignKey(RecurringPlan, on_delete=OnDelete.cascade)
    occurs_at = Timestamptz()
    order = ForeignKey(WorkOrder, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz()
