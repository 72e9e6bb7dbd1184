"""List pages filtered by status walk one index range per status; priority and kind
ride along in the index so their filters need no table lookups."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from server.sql_migration import add_sql

ID = "2026-11-28T01:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "index orders by scope column, status and creation time"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="workorders", description=DESCRIPTION)
    add_sql(
        manager,
        [
            f"CREATE INDEX work_order_{column}_status_created "
            f"ON work_order ({column}, status, created_at, id, priority, kind)"
            for column in ("assignee", "team", "department", "created_by")
        ]
        + [
            "CREATE INDEX work_order_status_created "
            "ON work_order (status, created_at, id, priority, kind)"
        ],
    )
    return manager
