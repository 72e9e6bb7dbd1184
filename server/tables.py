"""Every piccolo table of the product, found through the app registry."""

from __future__ import annotations

import os

from piccolo.apps.migrations.tables import Migration
from piccolo.conf.apps import AppConfig, Finder
from piccolo.table import Table

PICCOLO_CONF = "server.piccolo_conf"


def app_configs() -> list[AppConfig]:
    os.environ.setdefault("PICCOLO_CONF", PICCOLO_CONF)
    return Finder().get_app_registry().app_configs.values()  # type: ignore[return-value]


def all_tables() -> list[type[Table]]:
    """Our tables plus piccolo's migration log, in dependency order."""
    return [*(table for config in app_configs() for table in config.table_classes), Migration]
