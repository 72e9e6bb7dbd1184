"""Request and response bodies of preventive maintenance and meter readings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from server.types import AssetType, LongText, Name, Priority

Days = Annotated[int, Meta(ge=1, le=3660)]
Units = Annotated[float, Meta(gt=0, le=1e12)]
Reading = Annotated[float, Meta(ge=0, le=1e12)]


class PmOrder(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The order each service opens; the asset and its site are filled in."""

    title: Name
    description: LongText = ""
    priority: Priority = "P3"
    service_item_id: UUID | None = None
    department_id: UUID | None = None
    team_id: UUID | None = None
    assignee_id: UUID | None = None


class MaintenancePlanCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name
    asset_id: Annotated[UUID | None, Meta(description="one asset, or asset_type")] = None
    asset_type: AssetType | None = None
    trigger: Literal["time", "meter"]
    interval_days: Annotated[
        Days | None,
        Meta(description="time: days between services; null: each asset's own interval"),
    ] = None
    anchor: Annotated[
        Literal["completion", "installation"],
        Meta(description="time: count from the last completion, or in steps from installation"),
    ] = "completion"
    meter_interval: Annotated[Units | None, Meta(description="meter: units between services")] = (
        None
    )
    lead_days: Annotated[int, Meta(ge=0, le=366)] = 7
    lead_units: Annotated[float, Meta(ge=0, le=1e12)] = 0.0
    starts_on: Annotated[date | None, Meta(description="default: today")] = None
    order: PmOrder


class AssetDue(msgspec.Struct, kw_only=True):
    asset_id: UUID
    due_on: date | None
    due_reading: float | None
    open_order_id: UUID | None
    services: int


class MaintenancePlan(msgspec.Struct, kw_only=True):
    id: UUID
    name: str
    asset_id: UUID | None
    asset_type: str | None
    trigger: str
    interval_days: int | None
    anchor: str
    meter_interval: float | None
    lead_days: int
    lead_units: float
    starts_on: date
    active: bool
    order: PmOrder
    assets: Annotated[list[AssetDue], Meta(description="when each asset falls due next")]


class MaintenancePlanPage(msgspec.Struct):
    items: list[MaintenancePlan]


class MeterReadingCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    value: Reading
    read_at: Annotated[datetime, Meta(tz=True, description="default: now")] | None = None


class MeterReading(msgspec.Struct, kw_only=True):
    id: UUID
    asset_id: UUID
    value: float
    read_at: datetime
    recorded_by_id: UUID | None


class MeterReadingPage(msgspec.Struct):
    items: list[MeterReading]
