from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from server.sql_migration import add_sql

ID = "2026-11-28T08:59:24:000000"
VERSION = "1.38.0"
DESCRIPTION = "a task waits for another at most once"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="workorders", description=DESCRIPTION)
    add_sql(
        manager,
        ['CREATE UNIQUE INDEX order_dependency_once ON order_dependency ("order", depends_on)'],
    )
    return manager
