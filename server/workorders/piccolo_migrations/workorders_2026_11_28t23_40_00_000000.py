"""Open orders by site and by asset without walking their history: the map reads the
open orders of the box's sites most urgent first, and a scanned label the open orders of
its asset. Through the site or asset indexes alone, both read every order ever made there
(20,027 per site and about 1,000 per asset at 1,000,000 demo orders)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from server.sql_migration import add_sql

ID = "2026-11-28T23:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "index orders by site or asset and status"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="workorders", description=DESCRIPTION)
    add_sql(
        manager,
        [
            "CREATE INDEX work_order_site_status_priority "
            "ON work_order (site, status, priority, created_at)",
            "CREATE INDEX work_order_asset_status ON work_order (asset, status, created_at)",
        ],
    )
    return manager
