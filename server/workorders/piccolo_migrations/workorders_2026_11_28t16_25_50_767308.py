from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-28T16:25:50:767308"
VERSION = "1.38.0"
DESCRIPTION = "Where the requester placed the work (a location on the order)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="workorders", description=DESCRIPTION)

    manager.add_column(
        table_class_name="WorkOrder",
        tablename="work_order",
        column_name="location",
        db_column_name="location",
        column_class_name="JSON",
        column_class=JSON,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
