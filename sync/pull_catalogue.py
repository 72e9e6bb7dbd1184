"""The master data a device keeps beside its orders: the sites and assets its orders
name, the templates and the service catalogue, and what of them was deleted."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

import msgspec

from server.accounts.actor import Actor
from server.database import fetch, is_sqlite, one_of_ids
from server.masterdata import schemas as masterdata
from server.masterdata.services import ASSET_COLUMNS, SERVICE_ITEM_COLUMNS, SITE_COLUMNS
from server.masterdata.tables import Asset, DeletedRecord, ServiceItem, Site
from server.workorders import schemas as workorders
from server.workorders.scope import in_scope
from server.workorders.tables import Template
from server.workorders.templates import TEMPLATE_COLUMNS


async def _named_by_scope(
    table: Any, column: str, actor: Actor, after: int, upto: int
) -> list[UUID]:
    """Records changed in (after, upto] that an order in the caller's scope names."""
    scope = in_scope(actor, "w")
    condition = f" AND ({scope.text})" if scope.text else ""
    rows = await table.raw(
        f"SELECT r.id FROM {table._meta.tablename} r WHERE r.sync_seq > {{}} AND r.sync_seq <= {{}}"
        f" AND EXISTS (SELECT 1 FROM work_order w WHERE w.{column} = r.id{condition})",
        after,
        upto,
        *scope.args,
    )
    return [row["id"] for row in rows]


async def _by_ids(table: Any, columns: tuple[Any, ...], ids: set[Any]) -> list[dict[str, Any]]:
    """Rows by id, read by the plain readers: a page names up to a thousand, too
    many to bind one by one (piccolo's ``is_in``)."""
    if not ids:
        return []
    names = ", ".join(
        f'"{c._meta.db_column_name}" AS "{c._alias or c._meta.name}"' for c in columns
    )
    sqlite = is_sqlite(table._meta.db)
    condition, bound = one_of_ids(sqlite, "id", list(ids))
    text = f'SELECT {names} FROM "{table._meta.tablename}" WHERE {condition}'
    return await fetch(table._meta.db, text, [bound])


async def catalogue(
    actor: Actor, after: int | None, upto: int, orders: list[dict[str, Any]]
) -> dict[str, Any]:
    """``after`` None: the first page of a snapshot (nothing was delivered before)."""
    site_ids = {order["site_id"] for order in orders if order["site_id"]}
    asset_ids = {order["asset_id"] for order in orders if order["asset_id"]}
    if after is not None:
        site_ids |= {str(i) for i in await _named_by_scope(Site, "site", actor, after, upto)}
        asset_ids |= {str(i) for i in await _named_by_scope(Asset, "asset", actor, after, upto)}
    low = -1 if after is None else after
    sites, assets = await asyncio.gather(
        _by_ids(Site, SITE_COLUMNS, site_ids), _by_ids(Asset, ASSET_COLUMNS, asset_ids)
    )
    items = await ServiceItem.select(*SERVICE_ITEM_COLUMNS).where(
        ServiceItem.sync_seq > low, ServiceItem.sync_seq <= upto
    )
    templates = (
        await Template.select(*TEMPLATE_COLUMNS)
        .where(Template.sync_seq > low, Template.sync_seq <= upto)
        .output(load_json=True)
    )
    deleted = (
        await DeletedRecord.select(DeletedRecord.kind, DeletedRecord.record.as_alias("id")).where(
            DeletedRecord.seq > after, DeletedRecord.seq <= upto
        )
        if after is not None
        else []
    )
    return {
        "sites": msgspec.convert(sites, list[masterdata.Site], strict=False),
        "assets": msgspec.convert(assets, list[masterdata.Asset], strict=False),
        "service_items": msgspec.convert(items, list[masterdata.ServiceItem]),
        "templates": msgspec.convert(templates, list[workorders.Template]),
        "deleted": [{"kind": row["kind"], "id": str(row["id"])} for row in deleted],
    }
