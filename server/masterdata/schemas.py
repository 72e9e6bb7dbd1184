"""Request and response bodies of the master data: organisation, customers, places, things."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import msgspec

from server.types import (
    Address,
    AssetTagInput,
    AssetType,
    Email,
    IntervalDays,
    Latitude,
    Longitude,
    MeterUnit,
    Name,
    Phone,
    Priority,
    Radius,
    SerialNumber,
    ShortName,
    SkillCode,
    SkillCodes,
)

# Departments


class Department(msgspec.Struct):
    id: UUID
    name: str


class DepartmentCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: ShortName


class DepartmentUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: ShortName | msgspec.UnsetType = msgspec.UNSET


class DepartmentPage(msgspec.Struct):
    items: list[Department]


# Teams


class Team(msgspec.Struct):
    id: UUID
    name: str
    department_id: UUID | None


class TeamCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: ShortName
    department_id: UUID | None = None


class TeamUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: ShortName | msgspec.UnsetType = msgspec.UNSET
    department_id: UUID | msgspec.UnsetType | None = msgspec.UNSET


class TeamPage(msgspec.Struct):
    items: list[Team]


# Skills


class Skill(msgspec.Struct):
    code: str
    name: str


class SkillCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    code: SkillCode
    name: ShortName


class SkillUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: ShortName | msgspec.UnsetType = msgspec.UNSET


class SkillPage(msgspec.Struct):
    items: list[Skill]


# Customer groups


class CustomerGroup(msgspec.Struct):
    id: UUID
    name: str


class CustomerGroupCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: ShortName


class CustomerGroupUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: ShortName | msgspec.UnsetType = msgspec.UNSET


class CustomerGroupPage(msgspec.Struct):
    items: list[CustomerGroup]


# Customers


class Customer(msgspec.Struct):
    id: UUID
    name: str
    group_id: UUID | None
    email: str | None
    phone: str | None


class CustomerCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name
    group_id: UUID | None = None
    email: Email | None = None
    phone: Phone | None = None


class CustomerUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    group_id: UUID | msgspec.UnsetType | None = msgspec.UNSET
    email: Email | msgspec.UnsetType | None = msgspec.UNSET
    phone: Phone | msgspec.UnsetType | None = msgspec.UNSET


class CustomerPage(msgspec.Struct):
    items: list[Customer]


# Sites


class Site(msgspec.Struct):
    id: UUID
    name: str
    address: str
    latitude: float
    longitude: float
    geofence_radius_m: float
    customer_id: UUID | None


class SiteCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name
    latitude: Latitude
    longitude: Longitude
    address: Address = ""
    geofence_radius_m: Radius = 100.0
    customer_id: UUID | None = None


class SiteUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    address: Address | msgspec.UnsetType = msgspec.UNSET
    latitude: Latitude | msgspec.UnsetType = msgspec.UNSET
    longitude: Longitude | msgspec.UnsetType = msgspec.UNSET
    geofence_radius_m: Radius | msgspec.UnsetType = msgspec.UNSET
    customer_id: UUID | msgspec.UnsetType | None = msgspec.UNSET


class SitePage(msgspec.Struct):
    items: list[Site]


# Assets


class Asset(msgspec.Struct):
    id: UUID
    tag: str
    name: str
    asset_type: str
    site_id: UUID
    serial: str | None
    installed_on: date | None
    warranty_until: date | None
    maintenance_interval_days: int | None
    meter_unit: str | None
    meter_reading: float | None = None
    meter_read_at: datetime | None = None


class AssetCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    tag: AssetTagInput
    name: Name
    asset_type: AssetType
    site_id: UUID
    serial: SerialNumber | None = None
    installed_on: date | None = None
    warranty_until: date | None = None
    maintenance_interval_days: IntervalDays | None = None
    meter_unit: MeterUnit | None = None


class AssetUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    tag: AssetTagInput | msgspec.UnsetType = msgspec.UNSET
    name: Name | msgspec.UnsetType = msgspec.UNSET
    asset_type: AssetType | msgspec.UnsetType = msgspec.UNSET
    site_id: UUID | msgspec.UnsetType = msgspec.UNSET
    serial: SerialNumber | msgspec.UnsetType | None = msgspec.UNSET
    installed_on: date | msgspec.UnsetType | None = msgspec.UNSET
    warranty_until: date | msgspec.UnsetType | None = msgspec.UNSET
    maintenance_interval_days: IntervalDays | msgspec.UnsetType | None = msgspec.UNSET
    meter_unit: MeterUnit | msgspec.UnsetType | None = msgspec.UNSET


class AssetPage(msgspec.Struct):
    items: list[Asset]
    next_cursor: str | None = None


# Service items


class ServiceItem(msgspec.Struct):
    id: UUID
    name: str
    required_skills: list[str]
    default_priority: str
    department_id: UUID | None


class ServiceItemCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name
    required_skills: SkillCodes = msgspec.field(default_factory=list)
    default_priority: Priority = "P3"
    department_id: UUID | None = None


class ServiceItemUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    required_skills: SkillCodes | msgspec.UnsetType = msgspec.UNSET
    default_priority: Priority | msgspec.UnsetType = msgspec.UNSET
    department_id: UUID | msgspec.UnsetType | None = msgspec.UNSET


class ServiceItemPage(msgspec.Struct):
    items: list[ServiceItem]
