from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz

ID = "2026-11-28T14:33:38:957225"
VERSION = "1.38.0"
DESCRIPTION = "index orders by resolution time (reports)"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="workorders", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="WorkOrder",
        tablename="work_order",
        column_name="resolved_at",
        db_column_name="resolved_at",
        params={"index": True},
        old_params={"index": False},
        column_class=Timestamptz,
        old_column_class=Timestamptz,
        schema=None,
    )

    return manager
