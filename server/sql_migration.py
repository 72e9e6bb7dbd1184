"""Raw SQL steps for piccolo migrations (indexes piccolo's columns cannot express)."""

from __future__ import annotations

from collections.abc import Iterable

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder


def add_sql(manager: MigrationManager, statements: Iterable[str]) -> None:
    """Run each statement, in order, inside the migration's transaction."""
    for statement in statements:

        async def run(statement: str = statement) -> None:
            engine = engine_finder()
            assert engine is not None, "piccolo_conf defines no engine"
            await engine.run_ddl(statement)

        manager.add_raw(run)
