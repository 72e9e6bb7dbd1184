"""Checking that the rows a request refers to exist, with an answer naming the field."""

from __future__ import annotations

from typing import Any

import msgspec
from piccolo.table import Table

from server.errors import Invalid


async def require_reference(table: type[Table], key: Any, field: str, what: str) -> None:
    """422 ``unknown_reference`` naming ``field`` when the row does not exist.

    None (no reference) and UNSET (not being changed) pass.
    """
    if key is None or key is msgspec.UNSET:
        return
    if not await table.exists().where(table._meta.primary_key == key):
        raise Invalid(f"no such {what}", {field: str(key)}, code="unknown_reference")
