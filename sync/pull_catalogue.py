"""The master data a device keeps beside its orders: the sites and assets its orders
name, the templates and the service catalogue, and what of them was deleted.

Every read here goes to the plain readers (``server.database.fetch``) and the
independent ones run at once: through piccolo each cost about a millisecond, and
an incremental pull made seven of them one after another.
"""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
from piccolo.columns import JSON, Array

from server.accounts.actor import Actor
from server.database import fetch, is_sqlite, one_of_ids
from server.masterdata import schemas as masterdata
from server.masterdata.services import ASSET_COLUMNS, SERVICE_ITEM_COLUMNS, SITE_COLUMNS
from server.masterdata.tables import Asset, DeletedRecord, ServiceItem, Site
from server.sql import Sql
from server.workorders import schemas as workorders
from server.workorders.scope import in_scope
from server.workorders.tables import Template
from server.workorders.templates import TEMPLATE_COLUMNS


async def _select(table: Any, columns: tuple[Any, ...], where: Sql) -> list[dict[str, Any]]:
    """piccolo ``columns`` of ``table`` (with their aliases), JSON and array columns
    decoded (SQLite keeps them as text)."""
    names = ", ".join(
        f'"{c._meta.db_column_name}" AS "{c._alias or c._meta.name}"' for c in columns
    )
    rows = await fetch(
        table._meta.db,
        f'SELECT {names} FROM "{table._meta.tablename}" WHERE {where.text}',
        where.args,
    )
    encoded = [c._alias or c._meta.name for c in columns if isinstance(c, JSON | Array)]
    for row in rows:
        for key in encoded:
            if isinstance(row[key], str):
                row[key] = msgspec.json.decode(row[key])
    return rows


async def _by_ids(table: Any, columns: tuple[Any, ...], ids: set[Any]) -> list[dict[str, Any]]:
    """Rows by id: a page names up to a thousand, bound as one array."""
    if not ids:
        return []
    condition, bound = one_of_ids(is_sqlite(table._meta.db), "id", list(ids))
    return await _select(table, columns, Sql(condition, bound))


def _changed(after: int, upto: int) -> Sql:
    return Sql("sync_seq > {} AND sync_seq <= {}", after, upto)


async def _named_by_scope(table: Any, column: str, actor: Actor, after: int, upto: int) -> set[str]:
    """Records changed in (after, upto] that an order in the caller's scope names."""
    scope = in_scope(actor, "w")
    condition = f" AND ({scope.text})" if scope.text else ""
    rows = await fetch(
        table._meta.db,
        f"SELECT r.id FROM {table._meta.tablename} r WHERE r.sync_seq > {{}} AND r.sync_seq <= {{}}"
        f" AND EXISTS (SELECT 1 FROM work_order w WHERE w.{column} = r.id{condition})",
        [after, upto, *scope.args],
    )
    return {str(row["id"]) for row in rows}


async def _already(value: Any) -> Any:
    return value


async def catalogue(
    actor: Actor, after: int | None, upto: int, orders: list[dict[str, Any]]
) -> dict[str, Any]:
    """``after`` None: the first page of a snapshot (nothing was delivered before)."""
    low = -1 if after is None else after
    deleted_since = Sql("seq > {} AND seq <= {}", low, upto)
    named_sites, named_assets, items, templates, deleted = await asyncio.gather(
        _named_by_scope(Site, "site", actor, after, upto) if after is not None else _already(set()),
        _named_by_scope(Asset, "asset", actor, after, upto)
        if after is not None
        else _already(set()),
        _select(ServiceItem, SERVICE_ITEM_COLUMNS, _changed(low, upto)),
        _select(Template, TEMPLATE_COLUMNS, _changed(low, upto)),
        _select(DeletedRecord, (DeletedRecord.kind, DeletedRecord.record), deleted_since)
        if after is not None
        else _already([]),
    )
    site_ids = {str(order["site_id"]) for order in orders if order["site_id"]} | named_sites
    asset_ids = {str(order["asset_id"]) for order in orders if order["asset_id"]} | named_assets
    sites, assets = await asyncio.gather(
        _by_ids(Site, SITE_COLUMNS, site_ids), _by_ids(Asset, ASSET_COLUMNS, asset_ids)
    )
    return {
        "sites": msgspec.convert(sites, list[masterdata.Site], strict=False),
        "assets": msgspec.convert(assets, list[masterdata.Asset], strict=False),
        "service_items": msgspec.convert(items, list[masterdata.ServiceItem], strict=False),
        "templates": msgspec.convert(templates, list[workorders.Template], strict=False),
        "deleted": [{"kind": row["kind"], "id": str(row["record"])} for row in deleted],
    }
