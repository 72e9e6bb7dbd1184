from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from server.sql_migration import add_sql

ID = "2026-11-28T13:59:14:000000"
VERSION = "1.38.0"
DESCRIPTION = "one idempotency key per sender"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="integrations", description=DESCRIPTION)
    add_sql(
        manager,
        ['CREATE UNIQUE INDEX idempotency_key_once ON idempotency_key (owner, "key")'],
    )
    return manager
