"""Two writers can never record the same version of one order."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from server.sql_migration import add_sql

ID = "2026-11-28T00:23:54:000000"
VERSION = "1.38.0"
DESCRIPTION = "timeline event version unique per order"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="workorders", description=DESCRIPTION)
    add_sql(
        manager,
        ['CREATE UNIQUE INDEX timeline_event_order_version ON timeline_event ("order", version)'],
    )
    return manager
