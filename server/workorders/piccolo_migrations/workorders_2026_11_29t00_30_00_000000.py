"""Whether a field worker or requester has an order at a site (who may scan the site's
assets, inspection/scope.py): one probe per scope column. Through the site index alone
PostgreSQL's generic plan walked every order ever made at the site when the caller
had none there (19,818 rows, 68 ms at 1,000,000 demo orders)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from server.sql_migration import add_sql

ID = "2026-11-29T00:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "index orders by scope column and site"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="workorders", description=DESCRIPTION)
    add_sql(
        manager,
        [
            f"CREATE INDEX work_order_{column}_site ON work_order ({column}, site)"
            for column in ("assignee", "team", "created_by", "requester")
        ],
    )
    return manager
