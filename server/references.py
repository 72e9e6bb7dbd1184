"""Checking that the rows a request refers to exist, with an answer naming the field."""

from __future__ import annotations

from typing import Any

import msgspec
from piccolo.table import Table

from server.errors import Invalid


def unknown_reference(field: str, key: Any, what: str | None = None) -> Invalid:
    """The 422 ``unknown_reference`` naming ``field`` (what it names: from the field's
    name unless given)."""
    what = what or field.removesuffix("_id").replace("_", " ")
    return Invalid(f"no such {what}", {field: str(key)}, code="unknown_reference")


async def require_reference(table: type[Table], key: Any, field: str, what: str) -> None:
    """422 ``unknown_reference`` naming ``field`` when the row does not exist.

    None (no reference) and UNSET (not being changed) pass.
    """
    if key is None or key is msgspec.UNSET:
        return
    if not await table.exists().where(table._meta.primary_key == key):
        raise unknown_reference(field, key, what)
