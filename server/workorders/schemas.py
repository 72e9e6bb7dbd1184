from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, UnsetType

from server.types import Latitude, Longitude, LongText, Name, PageLimit, Priority, Timestamp
from server.workorders.lifecycle import Action, Status

Kind = Literal["customer_request", "project", "planned", "preventive", "service", "inspection"]
View = Literal["all", "unresolved", "awaiting_response", "starred", "important", "mine"]
Sort = Literal[
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "priority",
    "-priority",
    "number",
    "-number",
]
# A text field may be declared up to 20,000 characters long (TemplateField.max_length).
CustomValue = Annotated[str, Meta(max_length=20_000)] | int | float | bool | None
CustomFields = Annotated[
    dict[Annotated[str, Meta(max_length=64)], CustomValue], Meta(max_length=100)
]
CommentBody = Annotated[
    str, Meta(min_length=1, max_length=10_000, examples=["On my way, arriving in 20 minutes."])
]
FieldName = Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]
FieldType = Literal["text", "number", "choice", "date", "boolean", "photo", "signature"]


class OrderLocation(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Where the requester says the work is: their phone's fix or a pin they placed."""

    latitude: Latitude
    longitude: Longitude
    accuracy_m: Annotated[float, Meta(ge=0, le=100_000)] | None = None
    address: Annotated[
        str, Meta(max_length=300, examples=["Building 3, basement, next to the freight lift"])
    ] = ""


class WorkOrder(msgspec.Struct, kw_only=True):
    id: UUID
    number: str
    kind: Kind
    title: str
    description: str
    priority: Priority
    status: Status
    customer_id: UUID | None
    requester_id: UUID | None
    site_id: UUID | None
    site_name: str | None
    asset_id: UUID | None
    service_item_id: UUID | None
    department_id: UUID | None
    team_id: UUID | None
    assignee_id: UUID | None
    assignee_name: str | None
    parent_id: UUID | None
    template_id: UUID | None
    custom_fields: dict[str, Any]
    due_at: datetime | None
    planned_start_at: datetime | None = None
    planned_end_at: datetime | None = None
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    status_reason: str
    created_by_id: UUID | None
    created_at: datetime
    updated_at: datetime
    version: int
    needs_review: Annotated[
        bool,
        Meta(description="a synced change could not be applied as made: see /api/sync/conflicts"),
    ] = False
    response_due_at: Annotated[
        datetime | None, Meta(description="first response due by the SLA; null: no target")
    ] = None
    resolution_due_at: Annotated[
        datetime | None,
        Meta(description="resolution due by the SLA, moved later by paused time; null: no target"),
    ] = None
    response_breached_at: Annotated[
        datetime | None, Meta(description="when the response target was found missed")
    ] = None
    resolution_breached_at: Annotated[
        datetime | None, Meta(description="when the resolution target was found missed")
    ] = None
    sla_paused_at: Annotated[
        datetime | None,
        Meta(description="the resolution clock stands still since then (suspended, resolved)"),
    ] = None
    alarm_count: Annotated[int, Meta(description="overdue alarms raised so far")] = 0
    urge_count: Annotated[int, Meta(description="times the requester urged the order")] = 0
    last_urged_at: datetime | None = None
    rating: Annotated[int | None, Meta(description="the requester's rating, 1-5")] = None
    rating_comment: str = ""
    rated_at: datetime | None = None
    location: Annotated[
        OrderLocation | None, Meta(description="where the requester placed the work, if given")
    ] = None
    starred: bool = False
    important: bool = False


class GanttTask(msgspec.Struct, kw_only=True):
    id: UUID
    number: str
    title: str
    status: Status
    assignee_id: UUID | None
    assignee_name: str | None
    start: datetime
    end: datetime
    planned: Annotated[bool, Meta(description="false: drawn from creation to due time")]
    progress: Annotated[int, Meta(ge=0, le=100)]
    dependencies: Annotated[list[UUID], Meta(description="tasks this one waits for")]


class Gantt(msgspec.Struct, kw_only=True):
    project: Annotated[GanttTask, Meta(description="the project, its progress rolled up")]
    tasks: list[GanttTask]


class DependenciesUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    depends_on: Annotated[list[UUID], Meta(max_length=50)]
    device_time: Timestamp | None = None


class TimelineEvent(msgspec.Struct, kw_only=True):
    id: UUID
    version: int
    kind: str
    actor_id: UUID | None
    actor_name: str | None
    at: datetime
    device_time: datetime | None
    changes: dict[str, Any]
    note: str
    internal: bool = False


class OrderEvent(TimelineEvent, kw_only=True):
    """A timeline event with its order: the form an event is stored in, and synced."""

    order_id: UUID


class Timeline(msgspec.Struct):
    items: list[TimelineEvent]


class WorkOrderDetail(WorkOrder, kw_only=True):
    timeline: list[TimelineEvent]
    allowed_actions: list[Action]


class WorkOrderPage(msgspec.Struct):
    items: list[WorkOrder]
    next_cursor: str | None


class WorkOrderCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    id: UUID | None = None
    kind: Kind = "customer_request"
    title: Name
    description: LongText = ""
    priority: Priority | None = None
    customer_id: UUID | None = None
    requester_id: UUID | None = None
    site_id: UUID | None = None
    asset_id: UUID | None = None
    service_item_id: UUID | None = None
    department_id: UUID | None = None
    team_id: UUID | None = None
    assignee_id: UUID | None = None
    parent_id: UUID | None = None
    template_id: UUID | None = None
    custom_fields: CustomFields = msgspec.field(default_factory=dict)
    due_at: Timestamp | None = None
    planned_start_at: Timestamp | None = None
    planned_end_at: Timestamp | None = None
    location: OrderLocation | None = None
    device_time: Timestamp | None = None


class WorkOrderUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Changed fields only; ``version`` (optional) is the version the editor saw."""

    title: Name | UnsetType = UNSET
    description: LongText | UnsetType = UNSET
    priority: Priority | UnsetType = UNSET
    customer_id: UUID | UnsetType | None = UNSET
    site_id: UUID | UnsetType | None = UNSET
    asset_id: UUID | UnsetType | None = UNSET
    service_item_id: UUID | UnsetType | None = UNSET
    department_id: UUID | UnsetType | None = UNSET
    parent_id: UUID | UnsetType | None = UNSET
    custom_fields: CustomFields | UnsetType = UNSET
    due_at: Timestamp | UnsetType | None = UNSET
    planned_start_at: Timestamp | UnsetType | None = UNSET
    planned_end_at: Timestamp | UnsetType | None = UNSET
    location: OrderLocation | UnsetType | None = UNSET
    version: int | UnsetType = UNSET
    device_time: Timestamp | None = None


Note = Annotated[str, Meta(max_length=2_000, examples=["waiting for a spare pump seal"])]


class TransitionRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    action: Action
    reason: Note = ""
    version: int | UnsetType = UNSET
    device_time: Timestamp | None = None


class UrgeRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    note: Note = ""
    device_time: Timestamp | None = None


class RatingRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    score: Annotated[int, Meta(ge=1, le=5, description="1 (bad) to 5 (excellent)")]
    comment: Note = ""
    device_time: Timestamp | None = None


class AssignRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    assignee_id: UUID | None = None
    team_id: UUID | None = None
    reason: Note = ""
    device_time: Timestamp | None = None


class CommentCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    id: UUID | None = None
    body: CommentBody
    internal: Annotated[
        bool,
        Meta(description="an internal note: staff and field staff only, never shown to requesters"),
    ] = False
    device_time: Timestamp | None = None


class Comment(msgspec.Struct, kw_only=True):
    id: UUID
    order_id: UUID
    author_id: UUID
    author_name: str
    body: str
    internal: bool
    created_at: datetime
    device_time: datetime | None


class CommentList(msgspec.Struct):
    items: list[Comment]


Sha256 = Annotated[
    str,
    Meta(
        min_length=64,
        max_length=64,  # "$" would let a trailing newline through
        pattern=r"^[0-9a-f]{64}$",
        description="SHA-256 of the file, lowercase hex (upload it at PUT /api/blobs/{sha256})",
    ),
]
AttachmentKind = Literal["photo", "signature"]


class AttachmentCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    id: UUID | None = None
    sha256: Sha256
    kind: AttachmentKind = "photo"
    caption: Annotated[str, Meta(max_length=500)] = ""
    device_time: Timestamp | None = None


class Attachment(msgspec.Struct, kw_only=True):
    id: UUID
    order_id: UUID
    sha256: str
    kind: AttachmentKind
    caption: str
    created_by_id: UUID
    created_at: datetime
    device_time: datetime | None
    present: Annotated[bool, Meta(description="the file has arrived (false: still uploading)")]


class AttachmentList(msgspec.Struct):
    items: list[Attachment]


class FlagsUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    starred: bool | UnsetType = UNSET
    important: bool | UnsetType = UNSET


class Flags(msgspec.Struct):
    starred: bool
    important: bool


class TemplateField(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: FieldName
    label: Annotated[str, Meta(min_length=1, max_length=200)]
    type: FieldType
    required: bool = False
    min: float | None = None
    max: float | None = None
    max_length: Annotated[int, Meta(ge=1, le=20_000)] | None = None
    options: (
        Annotated[list[Annotated[str, Meta(min_length=1, max_length=200)]], Meta(max_length=500)]
        | None
    ) = None


class ChecklistItem(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    text: Annotated[str, Meta(min_length=1, max_length=500)]
    required: bool = True


class TemplateCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name
    kind: Kind
    department_id: UUID | None = None
    fields: Annotated[list[TemplateField], Meta(max_length=100)] = msgspec.field(
        default_factory=list
    )
    checklist: Annotated[list[ChecklistItem], Meta(max_length=200)] = msgspec.field(
        default_factory=list
    )


class TemplateUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name | UnsetType = UNSET
    department_id: UUID | UnsetType | None = UNSET
    fields: Annotated[list[TemplateField], Meta(max_length=100)] | UnsetType = UNSET
    checklist: Annotated[list[ChecklistItem], Meta(max_length=200)] | UnsetType = UNSET


class Template(msgspec.Struct, kw_only=True):
    id: UUID
    name: str
    kind: Kind
    department_id: UUID | None
    fields: list[TemplateField]
    checklist: list[ChecklistItem]


class TemplateList(msgspec.Struct):
    items: list[Template]


class ListQuery(msgspec.Struct, kw_only=True):
    """The list call's filters, gathered from the query string."""

    view: View = "all"
    status: list[Status] | None = None
    priority: list[Priority] | None = None
    kind: list[Kind] | None = None
    site_id: UUID | None = None
    asset_id: UUID | None = None
    assignee_id: UUID | None = None
    customer_id: UUID | None = None
    department_id: UUID | None = None
    parent_id: UUID | None = None
    q: Annotated[str, Meta(max_length=200)] | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    due_from: datetime | None = None
    due_to: datetime | None = None
    sort: Sort = "-created_at"
    limit: PageLimit = 50
    cursor: str | None = None
