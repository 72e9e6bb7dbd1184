"""Apply and check the committed piccolo migrations against a given engine."""

from __future__ import annotations

import contextlib
import importlib
import io
from typing import Any

from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.apps.migrations.tables import Migration
from piccolo.engine.base import Engine

from server.tables import PICCOLO_CONF, app_configs


class MigrationFailed(Exception):
    pass


class SchemaOutdated(Exception):
    """The database lacks committed migrations; the app refuses to start on it."""


def _use(engine: Engine) -> None:
    # piccolo's migration manager looks the engine up in the conf module each time.
    conf: Any = importlib.import_module(PICCOLO_CONF)
    conf.DB = engine
    Migration._meta.db = engine


async def pending(engine: Engine) -> list[str]:
    """Ids of committed migrations that have not run on this database."""
    _use(engine)
    manager = BaseMigrationManager()
    await manager.create_migration_table()
    missing = []
    for config in app_configs():
        ran = set(await Migration.get_migrations_which_ran(app_name=config.app_name))
        modules = manager.get_migration_modules(str(config.migrations_folder_path))
        missing += [f"{config.app_name}:{mid}" for mid in sorted(modules) if mid not in ran]
    return missing


async def migrate(engine: Engine, quiet: bool = False) -> list[str]:
    """Run every pending migration; returns what ran."""
    todo = await pending(engine)
    output = io.StringIO()
    with contextlib.redirect_stdout(output) if quiet else contextlib.nullcontext():
        result = await run_forwards("all")
    if not result.success:
        raise MigrationFailed(result.message or output.getvalue())
    return todo


async def require_current_schema(engine: Engine) -> None:
    if missing := await pending(engine):
        raise SchemaOutdated(
            f"the database schema is not up to date ({len(missing)} migrations pending): "
            "run 'fieldops migrate'"
        )
