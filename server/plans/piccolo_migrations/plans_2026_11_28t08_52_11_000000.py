from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from server.sql_migration import add_sql

ID = "2026-11-28T08:52:11:000000"
VERSION = "1.38.0"
DESCRIPTION = "one order per occurrence of a plan"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="plans", description=DESCRIPTION)
    add_sql(
        manager,
        ['CREATE UNIQUE INDEX plan_occurrence_once ON plan_occurrence (plan, occurs_at)'],
    )
    return manager
