from typing import Any

from piccolo.columns import (
    JSON,
    UUID,
    BigInt,
    Boolean,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from server.accounts.tables import Department, Team, User
from server.masterdata.tables import Asset, Customer, ServiceItem, Site


class Counter(Table):
    """Named monotonic counters (order numbers, the sync sequence), bumped by one
    UPDATE ... RETURNING, whose row lock the bumping transaction holds to its end."""

    name = Varchar(length=32, primary_key=True)
    value = Integer(default=0)


class Template(Table, tablename="order_template"):
    id = UUID(primary_key=True)
    name = Varchar(length=200, unique=True)
    kind = Varchar(length=24)
    department = ForeignKey(Department, null=True, on_delete=OnDelete.restrict)
    fields = JSON(default="[]")
    checklist = JSON(default="[]")
    sync_seq = BigInt(default=0, index=True)


class WorkOrder(Table):
    """Columns without an index of their own lead a composite one (see the
    migrations): every index is paid for again by each change an order syncs."""

    id = UUID(primary_key=True)
    number = Integer(unique=True)
    kind = Varchar(length=24)
    title = Varchar(length=200)
    description = Text(default="")
    priority = Varchar(length=2, index=True)
    status = Varchar(length=16)
    customer = ForeignKey(Customer, null=True, index=True, on_delete=OnDelete.restrict)
    requester = ForeignKey(User, null=True, on_delete=OnDelete.restrict)
    site = ForeignKey(Site, null=True, index=True, on_delete=OnDelete.restrict)
    asset = ForeignKey(Asset, null=True, index=True, on_delete=OnDelete.restrict)
    service_item = ForeignKey(ServiceItem, null=True, on_delete=OnDelete.restrict)
    department = ForeignKey(Department, null=True, on_delete=OnDelete.restrict)
    team = ForeignKey(Team, null=True, on_delete=OnDelete.restrict)
    assignee = ForeignKey(User, null=True, on_delete=OnDelete.restrict)
    parent: ForeignKey[Any] = ForeignKey("self", null=True, index=True, on_delete=OnDelete.restrict)
    template = ForeignKey(Template, null=True, on_delete=OnDelete.restrict)
    custom_fields = JSON(default="{}")
    due_at = Timestamptz(null=True, default=None, index=True)
    # When the work is planned to happen (project tasks, scheduling by person and time).
    planned_start_at = Timestamptz(null=True, default=None)
    planned_end_at = Timestamptz(null=True, default=None)
    first_response_at = Timestamptz(null=True, default=None)
    # Indexed for reports (server/reports/): what was finished in a period.
    resolved_at = Timestamptz(null=True, default=None, index=True)
    closed_at = Timestamptz(null=True, default=None)
    status_reason = Text(default="")
    created_by = ForeignKey(User, null=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow(), index=True)
    version = Integer(default=1)
    # The sync sequence value of the order's latest change (see sync/changes.py).
    sync_seq = BigInt(default=0)
    needs_review = Boolean(default=False)
    # SLA clocks (server/sla/): due times from the matching rule, when each was
    # found missed, and the resolution clock's pauses (suspension, resolved).
    response_due_at = Timestamptz(null=True, default=None)
    resolution_due_at = Timestamptz(null=True, default=None)
    response_breached_at = Timestamptz(null=True, default=None)
    resolution_breached_at = Timestamptz(null=True, default=None)
    sla_paused_at = Timestamptz(null=True, default=None)
    sla_paused_seconds = Integer(default=0)
    alarm_count = Integer(default=0)
    # The status an automatic suspension left, which resuming goes back to.
    resumes_to = Varchar(length=16, default="")
    urge_count = Integer(default=0)
    last_urged_at = Timestamptz(null=True, default=None)
    # The requester's rating of the finished work (1-5), once.
    rating = Integer(null=True, default=None)
    rating_comment = Text(default="")
    rated_at = Timestamptz(null=True, default=None)
    # Where the requester placed the work (schemas.OrderLocation), if they did.
    location = JSON(null=True, default=None)
    # The order as the API's JSON document, but for what a read adds
    # (server/workorders/documents.py).
    doc = Text(default="")


class TimelineEvent(Table):
    """One immutable step of an order's history; never updated or deleted.

    ``version`` is the order version the step produced; (order, version) is unique,
    so two writers can never both record the same change of one order.
    """

    id = UUID(primary_key=True)
    order = ForeignKey(WorkOrder, on_delete=OnDelete.restrict)
    version = Integer(default=1)
    kind = Varchar(length=24)
    actor = ForeignKey(User, null=True, on_delete=OnDelete.restrict)
    at = Timestamptz()
    device_time = Timestamptz(null=True, default=None)
    changes = JSON(default="{}")
    note = Text(default="")
    # An internal note (a staff comment): never shown to requesters.
    internal = Boolean(default=False)
    # The event as the API's JSON document (server/workorders/documents.py).
    doc = Text(default="")


class OrderDependency(Table):
    """A project task that may start only after another task of the same project."""

    id = UUID(primary_key=True)
    order = ForeignKey(WorkOrder, index=True, on_delete=OnDelete.cascade)
    depends_on = ForeignKey(WorkOrder, index=True, on_delete=OnDelete.cascade)


class Comment(Table):
    id = UUID(primary_key=True)
    order = ForeignKey(WorkOrder, index=True, on_delete=OnDelete.restrict)
    author = ForeignKey(User, on_delete=OnDelete.restrict)
    body = Text()
    created_at = Timestamptz()
    device_time = Timestamptz(null=True, default=None)
    # Staff only: requesters never see it (server/workorders/comments.py).
    internal = Boolean(default=False)


class OrderFlag(Table):
    """A user's star and important marks on an order; one row per (user, order)."""

    id = UUID(primary_key=True)
    # No index of its own: the unique (user, order) index serves lookups by user.
    user = ForeignKey(User, on_delete=OnDelete.cascade)
    order = ForeignKey(WorkOrder, index=True, on_delete=OnDelete.cascade)
    starred = Boolean(default=False)
    important = Boolean(default=False)


class OrderExit(Table):
    """An order's scope columns before a change that may have taken it out of some
    users' scope; a pull turns it into a tombstone for whoever lost the order."""

    seq = BigInt(index=True)
    order = ForeignKey(WorkOrder, index=True, on_delete=OnDelete.cascade)
    assignee = ForeignKey(User, null=True, on_delete=OnDelete.cascade)
    team = UUID(null=True, default=None)
    department = UUID(null=True, default=None)
    requester = ForeignKey(User, null=True, on_delete=OnDelete.cascade)
    created_by = ForeignKey(User, null=True, on_delete=OnDelete.cascade)
    at = Timestamptz()


class OrderAttachment(Table):
    """A photo or signature on an order, by the SHA-256 of its blob (which may
    arrive after the attachment: a phone syncs its mutations first)."""

    id = UUID(primary_key=True)
    order = ForeignKey(WorkOrder, index=True, on_delete=OnDelete.restrict)
    sha256 = Varchar(length=64, index=True)
    kind = Varchar(length=16)
    caption = Text(default="")
    created_by = ForeignKey(User, on_delete=OnDelete.restrict)
    created_at = Timestamptz()
    device_time = Timestamptz(null=True, default=None)
