"""The reports read a period's costs by when each was recorded: expenses by
``created_at``; labour by when the work started, or when it was logged if it has no
start (server/reports/measures.py LABOUR_AT), an expression piccolo's columns cannot
index (SQLite uses an expression index only for the identical expression). The
stock ledger's ``at`` is indexed already."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz

from server.sql_migration import add_sql

ID = "2026-11-28T16:32:21:908062"
VERSION = "1.38.0"
DESCRIPTION = "index expenses and labour by the time they count in reports"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="costs", description=DESCRIPTION)

    manager.alter_column(
        table_class_name="Expense",
        tablename="expense",
        column_name="created_at",
        db_column_name="created_at",
        params={"index": True},
        old_params={"index": False},
        column_class=Timestamptz,
        old_column_class=Timestamptz,
        schema=None,
    )
    add_sql(
        manager,
        [
            "CREATE INDEX labour_entry_worked_at "
            "ON labour_entry ((coalesce(started_at, created_at)))"
        ],
    )

    return manager
