from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Text
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-28T06:46:09:443245"
VERSION = "1.38.0"
DESCRIPTION = "store the documents of orders and timeline events"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="workorders", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="TimelineEvent",
        tablename="timeline_event",
        column_name="doc",
        db_column_name="doc",
        column_class_name="Text",
        column_class=Text,
        params={
            "default": "",
            "null": False,
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

    manager.add_column(
        table_class_name="WorkOrder",
        tablename="work_order",
        column_name="doc",
        db_column_name="doc",
        column_class_name="Text",
        column_class=Text,
        params={
            "default": "",
            "null": False,
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
