"""Request and response bodies of check-ins."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from server.types import Latitude, Longitude, Priority, Timestamp

Accuracy = Annotated[float, Meta(gt=0, le=100_000, description="the fix's accuracy in metres")]
CheckInKind = Literal["check_in", "check_out"]
Flag = Literal["outside_geofence", "clock_skew"]


class CheckInCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    id: Annotated[UUID | None, Meta(description="made by the device; default: the server's")] = None
    kind: CheckInKind = "check_in"
    latitude: Latitude
    longitude: Longitude
    accuracy_m: Accuracy
    device_time: Timestamp | None = None


class CheckIn(msgspec.Struct, kw_only=True):
    id: UUID
    order_id: UUID
    user_id: UUID
    kind: CheckInKind
    latitude: float
    longitude: float
    accuracy_m: float
    device_time: datetime | None
    received_at: datetime
    at: Annotated[
        datetime, Meta(description="the device's time, or received_at when its clock is off")
    ]
    distance_m: Annotated[
        float | None, Meta(description="to the site; null: the order has no site")
    ]
    inside: bool | None
    flags: list[Flag]


class OrderCheckIns(msgspec.Struct, kw_only=True):
    items: list[CheckIn]
    travel_seconds: Annotated[int | None, Meta(description="en_route to on_site, summed")]
    on_site_seconds: Annotated[int | None, Meta(description="check-in to check-out, summed")]


class CheckInPage(msgspec.Struct):
    items: list[CheckIn]


class Suggestion(msgspec.Struct, kw_only=True):
    user_id: UUID
    name: str
    score: Annotated[float, Meta(description="higher is better; see reasons")]
    on_duty: bool
    open_orders: int
    load: Annotated[int, Meta(description="open orders weighted by priority (P1 5 … P5 1)")]
    distance_m: Annotated[
        float | None, Meta(description="from the last known position to the site")
    ]
    position_at: datetime | None
    reasons: list[str]


class SuggestionPage(msgspec.Struct):
    items: list[Suggestion]


class DutyUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    on_duty: bool


class DutyState(msgspec.Struct, kw_only=True):
    on_duty: bool
    since: datetime | None


class Fix(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    at: Annotated[Timestamp, Meta(description="when the phone took the fix (device time)")]
    latitude: Latitude
    longitude: Longitude
    accuracy_m: Accuracy


class PositionReport(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    fixes: Annotated[list[Fix], Meta(min_length=1, max_length=500)]


class PingResult(msgspec.Struct, kw_only=True):
    kept: int
    discarded: Annotated[int, Meta(description="fixes from outside the on-duty period")]


class BatchDispatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    department_id: UUID
    max_open_orders: Annotated[
        int, Meta(ge=1, le=100, description="nobody ends with more open orders than this")
    ] = 5
    on_duty_only: Annotated[bool, Meta(description="only people on duty take orders")] = True
    dry_run: Annotated[bool, Meta(description="plan without assigning")] = False


class BatchPlacement(msgspec.Struct, kw_only=True):
    order_id: UUID
    number: str
    user_id: UUID
    name: str
    distance_m: float


class Unplaced(msgspec.Struct, kw_only=True):
    order_id: UUID
    number: str
    reason: Annotated[
        Literal["no_site", "no_candidate", "taken"],
        Meta(description="taken: someone assigned it while the batch was planned"),
    ]


class PlanTotals(msgspec.Struct, kw_only=True):
    placed: int
    total_distance_m: float


class BatchResult(msgspec.Struct, kw_only=True):
    applied: Annotated[bool, Meta(description="false: a dry run, nothing assigned")]
    placements: list[BatchPlacement]
    unplaced: list[Unplaced]
    total_distance_m: Annotated[float, Meta(description="from each person to each site")]
    greedy: Annotated[
        PlanTotals, Meta(description="each order in arrival order to the nearest eligible")
    ]
    candidates: Annotated[int, Meta(description="people with a known position and room")]


class RouteStart(msgspec.Struct, kw_only=True):
    latitude: float
    longitude: float
    at: Annotated[datetime, Meta(description="when the last known position was taken")]


class RouteStop(msgspec.Struct, kw_only=True):
    order_id: UUID
    number: str
    title: str
    priority: str
    status: str
    site_id: UUID
    site_name: str
    latitude: float
    longitude: float
    leg_m: Annotated[float, Meta(description="from the previous stop (or the start)")]


class DayRoute(msgspec.Struct, kw_only=True):
    user_id: UUID
    start: Annotated[RouteStart | None, Meta(description="the last known position, if any")]
    stops: list[RouteStop]
    total_distance_m: float
    nearest_neighbour_m: Annotated[float, Meta(description="before 2-opt shortened it")]
    as_given_m: Annotated[
        float, Meta(description="in planned order (planned start, priority, age)")
    ]


class AutoAssignUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    priorities: Annotated[list[Priority], Meta(max_length=5, description="empty: auto-assign off")]


class AutoAssignMode(msgspec.Struct, kw_only=True):
    department_id: UUID
    priorities: list[Priority]


class Place(msgspec.Struct, kw_only=True):
    address: str
    latitude: float
    longitude: float


class PlacePage(msgspec.Struct):
    items: list[Place]
