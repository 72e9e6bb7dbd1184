"""The 'mine' view walks orders created by the caller in creation order."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from server.sql_migration import add_sql

ID = "2026-11-28T00:47:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "index orders by creator and creation time"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="workorders", description=DESCRIPTION)
    add_sql(
        manager,
        ["CREATE INDEX work_order_created_by_created ON work_order (created_by, created_at, id)"],
    )
    return manager
