"""Master data: departments, teams, skills, customers, sites, assets and service items.

Every logged-in role reads master data; admins and managers maintain it. Names
and asset tags are unique where the tables say so: a duplicate is caught by the
database constraint (no window between a check and the write) and answered 409.
Rows that other rows still reference cannot be deleted (the foreign keys are
ON DELETE RESTRICT): 409 ``in_use``.
"""

from __future__ import annotations

import base64
import binascii
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypeVar
from uuid import UUID

import asyncpg
import msgspec
from piccolo.columns import Column
from piccolo.table import Table

from server.accounts.actor import Actor
from server.accounts.tables import Department, Skill, Team, User
from server.database import array_has, contains, for_update, write_transaction
from server.errors import Conflict, Forbidden, Invalid, NotFound
from server.ids import new_id
from server.masterdata import schemas
from server.masterdata.tables import (
    Asset,
    Customer,
    CustomerGroup,
    DeletedRecord,
    ServiceItem,
    Site,
)
from server.references import require_reference
from server.workorders.changes import next_sync_seq

S = TypeVar("S", bound=msgspec.Struct)

TEAM_COLUMNS = (Team.id, Team.name, Team.department.as_alias("department_id"))
CUSTOMER_COLUMNS = (
    Customer.id,
    Customer.name,
    Customer.group.as_alias("group_id"),
    Customer.email,
    Customer.phone,
)
SITE_COLUMNS = (
    Site.id,
    Site.name,
    Site.address,
    Site.latitude,
    Site.longitude,
    Site.geofence_radius_m,
    Site.customer.as_alias("customer_id"),
)
ASSET_COLUMNS = (
    Asset.id,
    Asset.tag,
    Asset.name,
    Asset.asset_type,
    Asset.site.as_alias("site_id"),
    Asset.serial,
    Asset.installed_on,
    Asset.warranty_until,
    Asset.maintenance_interval_days,
    Asset.meter_unit,
    Asset.meter_reading,
    Asset.meter_read_at,
)
SERVICE_ITEM_COLUMNS = (
    ServiceItem.id,
    ServiceItem.name,
    ServiceItem.required_skills,
    ServiceItem.default_priority,
    ServiceItem.department.as_alias("department_id"),
)


def normalise_tag(tag: str) -> str:
    """The stored form of an asset tag: no surrounding whitespace, upper case."""
    return tag.strip().upper()


# Shared steps


def _require_manager(actor: Actor) -> None:
    if not actor.can_manage:
        raise Forbidden("only admins and managers change master data")


def _require_managed(actor: Actor, department_id: UUID | None) -> None:
    """A manager changes the departments they manage and those departments' teams; the
    other departments and the teams of none are the admin's."""
    if not actor.is_admin and department_id not in actor.managed_departments:
        raise Forbidden("managers change only the departments they manage and their teams")


def _changes(table: type[Table], data: msgspec.Struct) -> dict[Column | str, Any]:
    """The set fields of an update body as column values (``site_id`` -> ``site``)."""
    values: dict[Column | str, Any] = {}
    for field in msgspec.structs.fields(data):
        value = getattr(data, field.name)
        if value is not msgspec.UNSET:
            values[getattr(table, field.name.removesuffix("_id"))] = value
    return values


async def _fetch(
    table: type[Table], columns: tuple[Any, ...], struct: type[S], key: Any, what: str
) -> S:
    row = await table.select(*columns).where(table._meta.primary_key == key).first()
    if row is None:
        raise NotFound(f"no such {what}")
    return msgspec.convert(row, struct)


# Devices keep copies of these: their changes are stamped for sync pulls, in the
# transaction that makes them (see server/workorders/changes.py).
SYNCED: dict[type[Table], str] = {Site: "site", Asset: "asset", ServiceItem: "service_item"}


async def _update(table: type[Table], key: Any, values: dict[Column | str, Any], what: str) -> None:
    primary_key = table._meta.primary_key
    async with write_transaction(table._meta.db):
        if values and table in SYNCED:
            values = {**values, table._meta.get_column_by_name("sync_seq"): await next_sync_seq()}
        if values:
            rows = await table.update(values).where(primary_key == key).returning(primary_key)
        else:
            rows = await table.select(primary_key).where(primary_key == key)
        if not rows:
            raise NotFound(f"no such {what}")


async def _delete(table: type[Table], key: Any, what: str) -> None:
    primary_key = table._meta.primary_key
    try:
        async with write_transaction(table._meta.db):
            rows = await table.delete().where(primary_key == key).returning(primary_key)
            if rows and table in SYNCED:
                await DeletedRecord.insert(
                    DeletedRecord(seq=await next_sync_seq(), kind=SYNCED[table], record=key)
                )
    except (sqlite3.IntegrityError, asyncpg.ForeignKeyViolationError) as exc:
        if isinstance(exc, sqlite3.IntegrityError) and "FOREIGN KEY" not in str(exc):
            raise
        raise Conflict(
            f"the {what} is still referenced; change or delete those records first",
            {"id": str(key)},
            code="in_use",
        ) from None
    if not rows:
        raise NotFound(f"no such {what}")


@asynccontextmanager
async def _unique(field: str, value: Any, code: str = "name_taken") -> AsyncIterator[None]:
    """Answer a unique-constraint violation of ``field`` with 409 ``code``."""
    try:
        yield
    except (sqlite3.IntegrityError, asyncpg.UniqueViolationError) as exc:
        if isinstance(exc, sqlite3.IntegrityError) and "UNIQUE" not in str(exc):
            raise
        raise Conflict(f"that {field} is taken", {field: value}, code=code) from None


def encode_cursor(tag: str) -> str:
    return base64.urlsafe_b64encode(tag.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    try:
        tag = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        tag = ""
    if not tag:
        raise Invalid("the cursor is not valid; start again without one", {"cursor": cursor})
    return tag


# Services


class DepartmentService:
    def __init__(self, actor: Actor) -> None:
        self.actor = actor

    async def list(self) -> list[schemas.Department]:
        """All departments by name."""
        rows = await Department.select(Department.id, Department.name).order_by(Department.name)
        return msgspec.convert(rows, list[schemas.Department])

    async def get(self, department_id: UUID) -> schemas.Department:
        return await _fetch(
            Department,
            (Department.id, Department.name),
            schemas.Department,
            department_id,
            "department",
        )

    async def create(self, data: schemas.DepartmentCreate) -> schemas.Department:
        _require_manager(self.actor)
        department_id = new_id()
        async with _unique("name", data.name):
            await Department.insert(Department(id=department_id, name=data.name))
        return schemas.Department(id=department_id, name=data.name)

    async def update(
        self, department_id: UUID, data: schemas.DepartmentUpdate
    ) -> schemas.Department:
        _require_manager(self.actor)
        await self.get(department_id)
        _require_managed(self.actor, department_id)
        async with _unique("name", data.name):
            await _update(Department, department_id, _changes(Department, data), "department")
        return await self.get(department_id)

    async def delete(self, department_id: UUID) -> None:
        """Delete a department no team, user, service item or order belongs to.

        Managers' authority over it goes with it.
        """
        _require_manager(self.actor)
        await self.get(department_id)
        _require_managed(self.actor, department_id)
        await _delete(Department, department_id, "department")


class TeamService:
    def __init__(self, actor: Actor) -> None:
        self.actor = actor

    async def list(self, department_id: UUID | None = None) -> list[schemas.Team]:
        """All teams by name, optionally of one department."""
        query = Team.select(*TEAM_COLUMNS).order_by(Team.name)
        if department_id is not None:
            query = query.where(Team.department == department_id)
        return msgspec.convert(await query, list[schemas.Team])

    async def get(self, team_id: UUID) -> schemas.Team:
        return await _fetch(Team, TEAM_COLUMNS, schemas.Team, team_id, "team")

    async def create(self, data: schemas.TeamCreate) -> schemas.Team:
        _require_manager(self.actor)
        _require_managed(self.actor, data.department_id)
        team_id = new_id()
        async with _unique("name", data.name), write_transaction(Team._meta.db):
            await require_reference(Department, data.department_id, "department_id", "department")
            await Team.insert(Team(id=team_id, name=data.name, department=data.department_id))
        return schemas.Team(id=team_id, **msgspec.structs.asdict(data))

    async def update(self, team_id: UUID, data: schemas.TeamUpdate) -> schemas.Team:
        _require_manager(self.actor)
        _require_managed(self.actor, (await self.get(team_id)).department_id)
        if data.department_id is not msgspec.UNSET:
            _require_managed(self.actor, data.department_id)
        async with _unique("name", data.name), write_transaction(Team._meta.db):
            await require_reference(Department, data.department_id, "department_id", "department")
            await _update(Team, team_id, _changes(Team, data), "team")
        return await self.get(team_id)

    async def delete(self, team_id: UUID) -> None:
        """Delete a team no user or order belongs to."""
        _require_manager(self.actor)
        _require_managed(self.actor, (await self.get(team_id)).department_id)
        await _delete(Team, team_id, "team")


class SkillService:
    def __init__(self, actor: Actor) -> None:
        self.actor = actor

    async def list(self) -> list[schemas.Skill]:
        """All skills by name."""
        rows = await Skill.select(Skill.code, Skill.name).order_by(Skill.name)
        return msgspec.convert(rows, list[schemas.Skill])

    async def get(self, code: str) -> schemas.Skill:
        return await _fetch(Skill, (Skill.code, Skill.name), schemas.Skill, code, "skill")

    async def create(self, data: schemas.SkillCreate) -> schemas.Skill:
        _require_manager(self.actor)
        async with _unique("code", data.code, code="code_taken"):
            await Skill.insert(Skill(code=data.code, name=data.name))
        return schemas.Skill(code=data.code, name=data.name)

    async def update(self, code: str, data: schemas.SkillUpdate) -> schemas.Skill:
        _require_manager(self.actor)
        await _update(Skill, code, _changes(Skill, data), "skill")
        return await self.get(code)

    async def delete(self, code: str) -> None:
        """Delete a skill no user has and no service item requires.

        Skills are kept in arrays, not foreign keys, so the check is explicit.
        """
        _require_manager(self.actor)
        async with write_transaction(Skill._meta.db):
            if await User.exists().where(array_has(User.skills, code)) or (
                await ServiceItem.exists().where(array_has(ServiceItem.required_skills, code))
            ):
                raise Conflict(
                    "users or service items still name this skill; change them first",
                    {"code": code},
                    code="in_use",
                )
            await _delete(Skill, code, "skill")


class CustomerGroupService:
    def __init__(self, actor: Actor) -> None:
        self.actor = actor

    async def list(self) -> list[schemas.CustomerGroup]:
        """All customer groups by name."""
        rows = await CustomerGroup.select(CustomerGroup.id, CustomerGroup.name).order_by(
            CustomerGroup.name
        )
        return msgspec.convert(rows, list[schemas.CustomerGroup])

    async def get(self, group_id: UUID) -> schemas.CustomerGroup:
        return await _fetch(
            CustomerGroup,
            (CustomerGroup.id, CustomerGroup.name),
            schemas.CustomerGroup,
            group_id,
            "customer group",
        )

    async def create(self, data: schemas.CustomerGroupCreate) -> schemas.CustomerGroup:
        _require_manager(self.actor)
        group_id = new_id()
        async with _unique("name", data.name):
            await CustomerGroup.insert(CustomerGroup(id=group_id, name=data.name))
        return schemas.CustomerGroup(id=group_id, name=data.name)

    async def update(
        self, group_id: UUID, data: schemas.CustomerGroupUpdate
    ) -> schemas.CustomerGroup:
        _require_manager(self.actor)
        async with _unique("name", data.name):
            await _update(CustomerGroup, group_id, _changes(CustomerGroup, data), "customer group")
        return await self.get(group_id)

    async def delete(self, group_id: UUID) -> None:
        """Delete a customer group no customer belongs to."""
        _require_manager(self.actor)
        await _delete(CustomerGroup, group_id, "customer group")


class CustomerService:
    def __init__(self, actor: Actor) -> None:
        self.actor = actor

    async def list(
        self, group_id: UUID | None = None, q: str | None = None
    ) -> list[schemas.Customer]:
        """All customers by name, optionally of one group or matching ``q`` (name, email)."""
        query = Customer.select(*CUSTOMER_COLUMNS).order_by(Customer.name)
        if group_id is not None:
            query = query.where(Customer.group == group_id)
        if q and q.strip():
            query = query.where(contains((Customer.name, Customer.email), q.strip()))
        return msgspec.convert(await query, list[schemas.Customer])

    async def get(self, customer_id: UUID) -> schemas.Customer:
        return await _fetch(Customer, CUSTOMER_COLUMNS, schemas.Customer, customer_id, "customer")

    async def create(self, data: schemas.CustomerCreate) -> schemas.Customer:
        _require_manager(self.actor)
        customer_id = new_id()
        async with _unique("name", data.name), write_transaction(Customer._meta.db):
            await require_reference(CustomerGroup, data.group_id, "group_id", "customer group")
            await Customer.insert(
                Customer(
                    id=customer_id,
                    name=data.name,
                    group=data.group_id,
                    email=data.email,
                    phone=data.phone,
                )
            )
        return schemas.Customer(id=customer_id, **msgspec.structs.asdict(data))

    async def update(self, customer_id: UUID, data: schemas.CustomerUpdate) -> schemas.Customer:
        _require_manager(self.actor)
        async with _unique("name", data.name), write_transaction(Customer._meta.db):
            await require_reference(CustomerGroup, data.group_id, "group_id", "customer group")
            await _update(Customer, customer_id, _changes(Customer, data), "customer")
        return await self.get(customer_id)

    async def delete(self, customer_id: UUID) -> None:
        """Delete a customer without sites or orders."""
        _require_manager(self.actor)
        await _delete(Customer, customer_id, "customer")


class SiteService:
    def __init__(self, actor: Actor) -> None:
        self.actor = actor

    async def list(
        self, customer_id: UUID | None = None, q: str | None = None
    ) -> list[schemas.Site]:
        """All sites by name, optionally of one customer or matching ``q`` (name, address)."""
        query = Site.select(*SITE_COLUMNS).order_by(Site.name)
        if customer_id is not None:
            query = query.where(Site.customer == customer_id)
        if q and q.strip():
            query = query.where(contains((Site.name, Site.address), q.strip()))
        return msgspec.convert(await query, list[schemas.Site])

    async def get(self, site_id: UUID) -> schemas.Site:
        return await _fetch(Site, SITE_COLUMNS, schemas.Site, site_id, "site")

    async def create(self, data: schemas.SiteCreate) -> schemas.Site:
        _require_manager(self.actor)
        site_id = new_id()
        async with write_transaction(Site._meta.db):
            await require_reference(Customer, data.customer_id, "customer_id", "customer")
            await Site.insert(
                Site(
                    sync_seq=await next_sync_seq(),
                    id=site_id,
                    name=data.name,
                    address=data.address,
                    latitude=data.latitude,
                    longitude=data.longitude,
                    geofence_radius_m=data.geofence_radius_m,
                    customer=data.customer_id,
                )
            )
        return schemas.Site(id=site_id, **msgspec.structs.asdict(data))

    async def update(self, site_id: UUID, data: schemas.SiteUpdate) -> schemas.Site:
        _require_manager(self.actor)
        async with write_transaction(Site._meta.db):
            await require_reference(Customer, data.customer_id, "customer_id", "customer")
            await _update(Site, site_id, _changes(Site, data), "site")
        return await self.get(site_id)

    async def delete(self, site_id: UUID) -> None:
        """Delete a site without assets or orders."""
        _require_manager(self.actor)
        await _delete(Site, site_id, "site")


class AssetService:
    def __init__(self, actor: Actor) -> None:
        self.actor = actor

    async def list(
        self,
        *,
        site_id: UUID | None = None,
        asset_type: str | None = None,
        q: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> schemas.AssetPage:
        """One page of assets in tag order, in one query.

        The cursor carries the last tag of the previous page (keyset pagination):
        pages neither skip nor repeat rows when assets are added meanwhile.
        """
        query = Asset.select(*ASSET_COLUMNS).order_by(Asset.tag).limit(limit + 1)
        if site_id is not None:
            query = query.where(Asset.site == site_id)
        if asset_type is not None:
            query = query.where(Asset.asset_type == asset_type)
        if q and q.strip():
            query = query.where(contains((Asset.name, Asset.tag), q.strip()))
        if cursor is not None:
            query = query.where(Asset.tag > decode_cursor(cursor))
        rows = await query
        items = msgspec.convert(rows[:limit], list[schemas.Asset])
        next_cursor = encode_cursor(items[-1].tag) if len(rows) > limit else None
        return schemas.AssetPage(items=items, next_cursor=next_cursor)

    async def get(self, asset_id: UUID) -> schemas.Asset:
        return await _fetch(Asset, ASSET_COLUMNS, schemas.Asset, asset_id, "asset")

    async def get_by_tag(self, tag: str) -> schemas.Asset:
        """The asset a scanned or typed label names."""
        row = await Asset.select(*ASSET_COLUMNS).where(Asset.tag == normalise_tag(tag)).first()
        if row is None:
            raise NotFound("no asset has that tag", {"tag": normalise_tag(tag)})
        return msgspec.convert(row, schemas.Asset)

    async def create(self, data: schemas.AssetCreate) -> schemas.Asset:
        _require_manager(self.actor)
        tag = normalise_tag(data.tag)
        _check_warranty(data.installed_on, data.warranty_until)
        asset_id = new_id()
        async with _unique("tag", tag, code="tag_taken"), write_transaction(Asset._meta.db):
            await require_reference(Site, data.site_id, "site_id", "site")
            await Asset.insert(
                Asset(
                    sync_seq=await next_sync_seq(),
                    id=asset_id,
                    tag=tag,
                    name=data.name,
                    asset_type=data.asset_type,
                    site=data.site_id,
                    serial=data.serial,
                    installed_on=data.installed_on,
                    warranty_until=data.warranty_until,
                    maintenance_interval_days=data.maintenance_interval_days,
                    meter_unit=data.meter_unit,
                )
            )
        return schemas.Asset(id=asset_id, **(msgspec.structs.asdict(data) | {"tag": tag}))

    async def update(self, asset_id: UUID, data: schemas.AssetUpdate) -> schemas.Asset:
        _require_manager(self.actor)
        if isinstance(data.tag, str):
            data = msgspec.structs.replace(data, tag=normalise_tag(data.tag))
        async with _unique("tag", data.tag, code="tag_taken"), write_transaction(Asset._meta.db):
            current = await for_update(
                Asset.select(Asset.installed_on, Asset.warranty_until).where(Asset.id == asset_id)
            ).first()
            if current is None:
                raise NotFound("no such asset")
            _check_warranty(
                current["installed_on"]
                if data.installed_on is msgspec.UNSET
                else data.installed_on,
                current["warranty_until"]
                if data.warranty_until is msgspec.UNSET
                else data.warranty_until,
            )
            await require_reference(Site, data.site_id, "site_id", "site")
            await _update(Asset, asset_id, _changes(Asset, data), "asset")
        return await self.get(asset_id)

    async def delete(self, asset_id: UUID) -> None:
        """Delete an asset no order names."""
        _require_manager(self.actor)
        await _delete(Asset, asset_id, "asset")


def _check_warranty(installed_on: Any, warranty_until: Any) -> None:
    if installed_on is not None and warranty_until is not None and warranty_until < installed_on:
        raise Invalid(
            "the warranty cannot end before the asset was installed",
            {
                "warranty_until": warranty_until.isoformat(),
                "installed_on": installed_on.isoformat(),
            },
        )


class ServiceItemService:
    def __init__(self, actor: Actor) -> None:
        self.actor = actor

    async def list(self, department_id: UUID | None = None) -> list[schemas.ServiceItem]:
        """All service items by name, optionally of one department."""
        query = ServiceItem.select(*SERVICE_ITEM_COLUMNS).order_by(ServiceItem.name)
        if department_id is not None:
            query = query.where(ServiceItem.department == department_id)
        return msgspec.convert(await query, list[schemas.ServiceItem])

    async def get(self, item_id: UUID) -> schemas.ServiceItem:
        return await _fetch(
            ServiceItem, SERVICE_ITEM_COLUMNS, schemas.ServiceItem, item_id, "service item"
        )

    async def create(self, data: schemas.ServiceItemCreate) -> schemas.ServiceItem:
        _require_manager(self.actor)
        item_id = new_id()
        data = msgspec.structs.replace(
            data, required_skills=list(dict.fromkeys(data.required_skills))
        )
        async with _unique("name", data.name), write_transaction(ServiceItem._meta.db):
            await _require_skills(data.required_skills)
            await require_reference(Department, data.department_id, "department_id", "department")
            await ServiceItem.insert(
                ServiceItem(
                    sync_seq=await next_sync_seq(),
                    id=item_id,
                    name=data.name,
                    required_skills=data.required_skills,
                    default_priority=data.default_priority,
                    department=data.department_id,
                )
            )
        return schemas.ServiceItem(id=item_id, **msgspec.structs.asdict(data))

    async def update(self, item_id: UUID, data: schemas.ServiceItemUpdate) -> schemas.ServiceItem:
        _require_manager(self.actor)
        if isinstance(data.required_skills, list):
            data = msgspec.structs.replace(
                data, required_skills=list(dict.fromkeys(data.required_skills))
            )
        async with _unique("name", data.name), write_transaction(ServiceItem._meta.db):
            if isinstance(data.required_skills, list):
                await _require_skills(data.required_skills)
            await require_reference(Department, data.department_id, "department_id", "department")
            await _update(ServiceItem, item_id, _changes(ServiceItem, data), "service item")
        return await self.get(item_id)

    async def delete(self, item_id: UUID) -> None:
        """Delete a service item no order names."""
        _require_manager(self.actor)
        await _delete(ServiceItem, item_id, "service item")


async def _require_skills(codes: list[str]) -> None:
    if not codes:
        return
    known = {row["code"] for row in await Skill.select(Skill.code).where(Skill.code.is_in(codes))}
    if unknown := [code for code in codes if code not in known]:
        raise Invalid("unknown skills", {"required_skills": unknown})
