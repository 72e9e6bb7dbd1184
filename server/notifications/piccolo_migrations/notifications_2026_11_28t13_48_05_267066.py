from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar

ID = "2026-11-28T13:48:05:267066"
VERSION = "1.38.0"
DESCRIPTION = "inbound texts by sender"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="notifications", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="InboundSms",
        tablename="inbound_sms",
        column_name="sender",
        db_column_name="sender",
        params={"index": True},
        old_params={"index": False},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
