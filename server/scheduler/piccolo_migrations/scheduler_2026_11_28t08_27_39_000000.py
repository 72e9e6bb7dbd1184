from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from server.sql_migration import add_sql

ID = "2026-11-28T08:27:39:000000"
VERSION = "1.38.0"
DESCRIPTION = "index the pending jobs by when they are due"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="scheduler", description=DESCRIPTION)
    add_sql(manager, ["CREATE INDEX job_pending_due ON job (due_at) WHERE state = 'pending'"])
    return manager
