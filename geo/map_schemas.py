"""GeoJSON (RFC 7946) bodies of the managers' map."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

SlaState = Literal["none", "on_track", "at_risk", "paused", "breached"]
TechnicianState = Literal["off_duty", "idle", "en_route", "on_site", "in_progress"]


class Point(msgspec.Struct, kw_only=True):
    type: Literal["Point"] = "Point"
    coordinates: Annotated[tuple[float, float], Meta(description="[longitude, latitude]")]


class OrderSpot(msgspec.Struct, kw_only=True):
    id: UUID
    number: str
    title: str
    kind: str
    priority: str
    status: str
    assignee_id: UUID | None
    department_id: UUID | None
    site_id: UUID
    sla: Annotated[
        SlaState,
        Meta(description="at_risk: under a quarter of the running target is left"),
    ]
    due_at: Annotated[datetime | None, Meta(description="the running SLA target's due time")]


class OrderFeature(msgspec.Struct, kw_only=True):
    type: Literal["Feature"] = "Feature"
    id: UUID
    geometry: Point
    properties: OrderSpot


class OrderMap(msgspec.Struct, kw_only=True):
    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[OrderFeature]
    truncated: Annotated[bool, Meta(description="more orders matched than the limit")]


class TechnicianSpot(msgspec.Struct, kw_only=True):
    user_id: UUID
    name: str
    role: str
    department_id: UUID | None
    on_duty: bool
    state: Annotated[
        TechnicianState, Meta(description="off_duty, idle, or their current order's status")
    ]
    current_order_id: UUID | None
    current_order_number: str | None
    accuracy_m: float
    fix_at: datetime
    fix_age_seconds: int


class TechnicianFeature(msgspec.Struct, kw_only=True):
    type: Literal["Feature"] = "Feature"
    id: UUID
    geometry: Point
    properties: TechnicianSpot


class TechnicianMap(msgspec.Struct, kw_only=True):
    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[TechnicianFeature]
