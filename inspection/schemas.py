"""Request and response bodies of inspections: checklists, results, rounds, scans."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from geo.schemas import Accuracy
from server.masterdata import schemas as masterdata
from server.plans.schemas import RruleText
from server.types import Latitude, Longitude, Name, Timestamp

ItemKind = Literal["pass_fail", "number", "choice", "text", "photo", "signature"]
Severity = Literal["low", "medium", "high", "critical"]
ItemKey = Annotated[str, Meta(min_length=1, max_length=50, pattern=r"^[a-z0-9_]+$")]
Label = Annotated[str, Meta(min_length=1, max_length=200)]
Answer = bool | float | str
Code = Annotated[str, Meta(min_length=1, max_length=200, description="as scanned or typed")]
Reason = Annotated[str, Meta(min_length=1, max_length=500)]
RunStatus = Literal["scheduled", "in_progress", "done", "missed"]
CheckpointState = Literal["pending", "done", "skipped"]


class ChecklistItem(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    key: ItemKey
    label: Label
    kind: ItemKind
    required: bool = True
    severity: Annotated[
        Severity, Meta(description="of a failure: the corrective order's priority")
    ] = "medium"
    unit: Annotated[str, Meta(max_length=16)] = ""
    min: float | None = None
    max: float | None = None
    meter: Annotated[bool, Meta(description="a number that is the asset's meter reading")] = False
    choices: Annotated[list[Label], Meta(max_length=20)] = msgspec.field(default_factory=list)
    failing_choices: Annotated[list[Label], Meta(max_length=20)] = msgspec.field(
        default_factory=list
    )


class ChecklistCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    asset_type: Annotated[str, Meta(min_length=1, max_length=64)]
    name: Name
    items: Annotated[list[ChecklistItem], Meta(min_length=1, max_length=100)]


class Checklist(msgspec.Struct, kw_only=True):
    id: UUID
    asset_type: str
    name: str
    items: list[ChecklistItem]
    updated_at: datetime


class ChecklistPage(msgspec.Struct):
    items: list[Checklist]


class InspectionCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    id: Annotated[UUID | None, Meta(description="made by the device; default: the server's")] = None
    code: Code
    run_id: Annotated[UUID | None, Meta(description="the round run this checkpoint is of")] = None
    answers: Annotated[dict[ItemKey, Answer], Meta(max_length=100)] = msgspec.field(
        default_factory=dict
    )
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    accuracy_m: Accuracy | None = None
    device_time: Timestamp | None = None


class Failure(msgspec.Struct, kw_only=True):
    key: str
    label: str
    severity: Severity
    answer: Answer
    why: str


class InspectionResult(msgspec.Struct, kw_only=True):
    id: UUID
    asset_id: UUID
    run_id: UUID | None
    inspector_id: UUID
    code: str
    answers: dict[str, Answer]
    failures: list[Failure]
    passed: bool
    device_time: datetime | None
    received_at: datetime
    at: Annotated[datetime, Meta(description="device time, or received_at when its clock is off")]
    latitude: float | None
    longitude: float | None
    accuracy_m: float | None
    distance_m: Annotated[float | None, Meta(description="from the asset's site")]
    flags: list[Literal["outside_geofence", "clock_skew", "meter_backwards"]]
    corrective_order_id: UUID | None


class InspectionPage(msgspec.Struct):
    items: list[InspectionResult]


class RoundCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name
    department_id: UUID | None = None
    assignee_id: Annotated[UUID | None, Meta(description="an inspector; or give team_id")] = None
    team_id: UUID | None = None
    checkpoints: Annotated[list[UUID], Meta(min_length=1, max_length=500)]
    starts_at: Timestamp
    rrule: Annotated[RruleText | None, Meta(description="none: once, at starts_at")] = None
    timezone: Annotated[str, Meta(max_length=64)] = "UTC"
    window_minutes: Annotated[int, Meta(ge=10, le=10_080)] = 240


class Round(msgspec.Struct, kw_only=True):
    id: UUID
    name: str
    department_id: UUID | None
    assignee_id: UUID | None
    team_id: UUID | None
    checkpoints: list[UUID]
    starts_at: datetime
    rrule: str | None
    timezone: str
    window_minutes: int
    active: bool


class RoundPage(msgspec.Struct):
    items: list[Round]


class RunCheckpoint(msgspec.Struct, kw_only=True):
    asset_id: UUID
    state: CheckpointState = "pending"
    result_id: UUID | None = None
    reason: str = ""
    at: datetime | None = None


class RoundRun(msgspec.Struct, kw_only=True):
    id: UUID
    round_id: UUID
    round_name: str
    assignee_id: UUID | None
    team_id: UUID | None
    scheduled_at: datetime
    due_at: datetime
    status: RunStatus
    checkpoints: list[RunCheckpoint]
    progress_percent: Annotated[int, Meta(description="checkpoints done or skipped")]
    missed: Annotated[int, Meta(description="checkpoints left pending when the window closed")]
    started_at: datetime | None
    finished_at: datetime | None
    version: int


class RunPage(msgspec.Struct):
    items: list[RoundRun]


class SkipCheckpoint(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    asset_id: UUID
    reason: Reason


class OrderBrief(msgspec.Struct, kw_only=True):
    id: UUID
    number: int
    title: str
    status: str
    priority: str


class DueCheckpoint(msgspec.Struct, kw_only=True):
    run_id: UUID
    round_name: str
    due_at: datetime


class Scan(msgspec.Struct, kw_only=True):
    code: Annotated[str, Meta(description="the code as normalised")]
    asset: masterdata.Asset
    site: masterdata.Site
    open_orders: list[OrderBrief]
    due: Annotated[list[DueCheckpoint], Meta(description="the caller's runs waiting for it")]
    last_results: list[InspectionResult]
    checklist: Checklist | None
