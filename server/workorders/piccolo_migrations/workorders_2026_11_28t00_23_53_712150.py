from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-28T00:23:53:712150"
VERSION = "1.38.0"
DESCRIPTION = "timeline event version"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="workorders", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="TimelineEvent",
        tablename="timeline_event",
        column_name="version",
        db_column_name="version",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 1,
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
