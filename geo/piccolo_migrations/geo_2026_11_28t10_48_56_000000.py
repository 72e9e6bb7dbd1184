from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from server.sql_migration import add_sql

ID = "2026-11-28T10:48:56:000000"
VERSION = "1.38.0"
DESCRIPTION = "people on duty before duty periods existed are in one since then"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="geo", description=DESCRIPTION)
    add_sql(manager, ["UPDATE duty SET started_at = since WHERE on_duty AND started_at IS NULL"])
    return manager
