"""Constraint aliases shared by every schema (msgspec validates them on decode)."""

from datetime import datetime
from typing import Annotated, Literal

from msgspec import Meta

Latitude = Annotated[
    float, Meta(ge=-90, le=90, description="WGS84 latitude in degrees", examples=[31.2304])
]
Longitude = Annotated[
    float, Meta(ge=-180, le=180, description="WGS84 longitude in degrees", examples=[121.4737])
]
Radius = Annotated[
    float, Meta(gt=0, le=100_000, description="geofence radius in metres", examples=[150.0])
]
Priority = Literal["P1", "P2", "P3", "P4", "P5"]
Role = Literal["admin", "manager", "technician", "inspector", "requester"]
Language = Literal["zh-CN", "en"]
Name = Annotated[str, Meta(min_length=1, max_length=200, examples=["Lift stuck between floors"])]
ShortName = Annotated[str, Meta(min_length=1, max_length=100, examples=["Wang Fang"])]
Username = Annotated[
    str, Meta(min_length=3, max_length=64, pattern=r"^[a-z0-9._-]+$", examples=["tech01"])
]
Password = Annotated[str, Meta(min_length=8, max_length=200)]
Email = Annotated[
    str,
    Meta(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", examples=["ops@example.com"]),
]
Phone = Annotated[
    str, Meta(max_length=32, pattern=r"^\+?[0-9 -]{5,31}$", examples=["+86 138 0013 8000"])
]
SkillCode = Annotated[str, Meta(min_length=1, max_length=50, pattern=r"^[a-z0-9_-]+$")]
SkillCodes = Annotated[list[SkillCode], Meta(max_length=50)]
LongText = Annotated[
    str, Meta(max_length=20_000, examples=["The lift stops at floor 3 and the doors stay shut."])
]
PageLimit = Annotated[int, Meta(ge=1, le=200)]
AssetTagInput = Annotated[
    str,
    Meta(
        max_length=200,
        pattern=r"^\s*[A-Za-z0-9][A-Za-z0-9._-]{0,63}\s*$",
        description=(
            "asset tag as typed or scanned: letters, digits, '.', '_' and '-' (at most 64); "
            "surrounding whitespace is dropped and letters are upper-cased"
        ),
    ),
]
AssetType = Annotated[str, Meta(min_length=1, max_length=64)]
SerialNumber = Annotated[str, Meta(min_length=1, max_length=100)]
MeterUnit = Annotated[str, Meta(min_length=1, max_length=16, description="e.g. h, km, kWh")]
Address = Annotated[str, Meta(max_length=500)]
IntervalDays = Annotated[int, Meta(gt=0, le=36_500, description="days between maintenance visits")]
Timestamp = Annotated[
    datetime,
    Meta(
        tz=True,
        description="RFC 3339 time with its offset (a time without one is refused)",
        examples=["2026-11-02T08:00:00+08:00"],
    ),
]
