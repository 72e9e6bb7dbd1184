"""Unique values caught by the database's constraint: no window between a check and
the write."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from server.errors import Conflict


@asynccontextmanager
async def unique(field: str, value: Any, code: str) -> AsyncIterator[None]:
    """Answer a unique-constraint violation inside the block with 409 ``code``."""
    try:
        yield
    except (sqlite3.IntegrityError, asyncpg.UniqueViolationError) as exc:
        if isinstance(exc, sqlite3.IntegrityError) and "UNIQUE" not in str(exc):
            raise
        raise Conflict(f"that {field} is taken", {field: value}, code=code) from None
