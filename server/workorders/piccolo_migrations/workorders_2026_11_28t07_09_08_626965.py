"""Drop two indexes no query needs: flags by user alone (their unique (user, order)
index serves those lookups) and events by (order, at) (timelines go by version)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import ForeignKey

from server.sql_migration import add_sql

ID = "2026-11-28T07:09:08:626965"
VERSION = "1.38.0"
DESCRIPTION = "drop the indexes of flags by user and of events by time"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="workorders", description=DESCRIPTION
    )

    add_sql(manager, ["DROP INDEX timeline_event_order_at"])
    manager.alter_column(
        table_class_name="OrderFlag",
        tablename="order_flag",
        column_name="user",
        db_column_name="user",
        params={"index": False},
        old_params={"index": True},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    return manager
