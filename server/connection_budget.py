"""Whether PostgreSQL takes the connections the server processes are about to open.

Each process keeps up to FIELDOPS_DB_POOL_SIZE connections and PostgreSQL refuses any
past ``max_connections``: a set that does not fit starts fine and fails requests only
under load, when every pool is full at once. Checked before serving, so a set that can
never fit does not start, and one that does not fit beside what is connected now says so.
"""

from __future__ import annotations

from typing import Any

import msgspec

from server.database import fetch, is_sqlite
from server.settings import SettingsError

BUDGET_SQL = (
    "SELECT current_setting('max_connections')::int AS most, "
    "current_setting('superuser_reserved_connections')::int AS reserved, "
    "(SELECT count(*) FROM pg_stat_activity "
    " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()) AS connected"
)


class Budget(msgspec.Struct, frozen=True):
    most: int
    reserved: int
    connected: int

    @property
    def usable(self) -> int:
        return self.most - self.reserved


def judge(budget: Budget, processes: int, pool_size: int) -> str | None:
    """A warning when ``processes`` pools of ``pool_size`` fit PostgreSQL but not beside
    the connections open now; None when they fit. Raises SettingsError when they can never
    fit."""
    wanted = processes * pool_size
    asked = (
        f"{processes} process{'' if processes == 1 else 'es'} x "
        f"FIELDOPS_DB_POOL_SIZE={pool_size} = {wanted} connections"
    )
    if wanted > budget.usable:
        raise SettingsError(
            f"{asked}, more than PostgreSQL's max_connections={budget.most} less "
            f"{budget.reserved} reserved allows: lower FIELDOPS_DB_POOL_SIZE or the process "
            "count, or raise max_connections (docs/deployment.md)"
        )
    free = budget.usable - budget.connected
    if wanted > free:
        return (
            f"{asked}, and PostgreSQL has {free} free of {budget.usable} "
            f"({budget.connected} open now): under load some requests will be refused"
        )
    return None


async def check_connection_budget(engine: Any, processes: int, pool_size: int) -> str | None:
    """:func:`judge` against the database of ``engine``; SQLite has no such limit."""
    if is_sqlite(engine):
        return None
    rows = await fetch(engine, BUDGET_SQL, [])
    return judge(msgspec.convert(rows[0], Budget), processes, pool_size)
