"""A mutation is recorded once per device."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from server.sql_migration import add_sql

ID = "2026-11-28T02:46:10:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique mutation per client"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sync", description=DESCRIPTION)
    add_sql(
        manager,
        [
            "CREATE UNIQUE INDEX sync_mutation_client_id ON sync_mutation (client, mutation_id)",
            "CREATE INDEX sync_conflict_open ON sync_conflict (resolved_at, created_at)",
        ],
    )
    return manager
