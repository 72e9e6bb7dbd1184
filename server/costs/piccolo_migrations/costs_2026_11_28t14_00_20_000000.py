from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from server.sql_migration import add_sql

ID = "2026-11-28T14:00:20:000000"
VERSION = "1.38.0"
DESCRIPTION = "one stock row per store and part"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="costs", description=DESCRIPTION)
    add_sql(manager, ["CREATE UNIQUE INDEX stock_store_part ON stock (store, part)"])
    return manager
