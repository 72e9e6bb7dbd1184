"""Each scope branch of a sync pull walks its own (column, sync_seq) index, so an
incremental pull reads only the changes after its cursor, whatever the table size."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from server.sql_migration import add_sql

ID = "2026-11-28T02:46:10:000000"
VERSION = "1.38.0"
DESCRIPTION = "index orders by scope column and sync sequence"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="workorders", description=DESCRIPTION)
    add_sql(
        manager,
        [
            f"CREATE INDEX work_order_{column}_sync ON work_order ({column}, sync_seq, id)"
            for column in ("assignee", "team", "department", "requester", "created_by")
        ]
        + [
            "CREATE INDEX work_order_sync ON work_order (sync_seq, id)",
            "INSERT INTO counter (name, value) VALUES ('sync', 0)",
            "INSERT INTO counter (name, value) VALUES ('sync_purged', 0)",
        ],
    )
    return manager
