"""Composite indexes for scoped, keyset-paginated lists and per-user uniqueness."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from server.sql_migration import add_sql

ID = "2026-11-28T00:17:27:000000"
VERSION = "1.38.0"
DESCRIPTION = "list indexes and unique flags"

STATEMENTS = [
    "CREATE UNIQUE INDEX order_flag_user_order ON order_flag (\"user\", \"order\")",
    "CREATE UNIQUE INDEX managed_department_pair ON managed_department (manager, department)",
    "CREATE INDEX work_order_assignee_created ON work_order (assignee, created_at, id)",
    "CREATE INDEX work_order_team_created ON work_order (team, created_at, id)",
    "CREATE INDEX work_order_department_created ON work_order (department, created_at, id)",
    "CREATE INDEX work_order_requester_created ON work_order (requester, created_at, id)",
    "CREATE INDEX work_order_created_id ON work_order (created_at, id)",
    "CREATE INDEX timeline_event_order_at ON timeline_event (\"order\", at)",
    "INSERT INTO counter (name, value) VALUES ('work_order', 0)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="workorders", description=DESCRIPTION)
    add_sql(manager, STATEMENTS)
    return manager
