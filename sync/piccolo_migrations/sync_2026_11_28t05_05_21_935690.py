from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz

ID = "2026-11-28T05:05:21:935690"
VERSION = "1.38.0"
DESCRIPTION = "index push outcomes by when they were applied, for their purge"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sync", description=DESCRIPTION)

    manager.alter_column(
        table_class_name="SyncMutation",
        tablename="sync_mutation",
        column_name="applied_at",
        db_column_name="applied_at",
        params={"index": True},
        old_params={"index": False},
        column_class=Timestamptz,
        old_column_class=Timestamptz,
        schema=None,
    )

    return manager
