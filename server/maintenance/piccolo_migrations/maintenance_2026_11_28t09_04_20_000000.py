from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from server.sql_migration import add_sql

ID = "2026-11-28T09:04:20:000000"
VERSION = "1.38.0"
DESCRIPTION = "one due record per plan and asset"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="maintenance", description=DESCRIPTION)
    add_sql(manager, ['CREATE UNIQUE INDEX maintenance_due_once ON maintenance_due ("plan", asset)'])
    return manager
