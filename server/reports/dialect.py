"""The few SQL expressions reports need that SQLite and PostgreSQL spell differently.

Everything else in the report queries is plain SQL both engines run: aggregates
with FILTER, CASE, UNION ALL.
"""

from __future__ import annotations


def seconds_between(sqlite: bool, start: str, end: str) -> str:
    """Seconds from timestamp ``start`` to ``end``, as a floating-point number (NULL if
    either is)."""
    if sqlite:
        # Timestamps are ISO text in UTC; julianday() reads them (to the millisecond).
        return f"((julianday({end}) - julianday({start})) * 86400.0)"
    return f"CAST(EXTRACT(EPOCH FROM ({end}) - ({start})) AS DOUBLE PRECISION)"


def seconds_of(sqlite: bool, moment: str) -> str:
    """Timestamp ``moment`` as seconds on a fixed scale (differences are durations)."""
    if sqlite:
        return f"(julianday({moment}) * 86400.0)"
    return f"CAST(EXTRACT(EPOCH FROM {moment}) AS DOUBLE PRECISION)"


def status_step(sqlite: bool, changes: str) -> tuple[str, str]:
    """The status a timeline event's ``changes`` ({"status": [from, to], ...}) left
    and the one it entered; NULL for events that did not change the status."""
    if sqlite:
        # One path operator per value: SQLite caches the parsed document between
        # them, where ``changes -> 'status' ->> 0`` would parse twice.
        return f"({changes} ->> '$.status[0]')", f"({changes} ->> '$.status[1]')"
    return f"(({changes} -> 'status') ->> 0)", f"(({changes} -> 'status') ->> 1)"


def indexed_by(sqlite: bool, index: str) -> str:
    """Make SQLite walk ``index`` (PostgreSQL plans from its statistics).

    SQLite's statistics (ANALYZE) keep one average per index, not the skew of
    ``status``: it takes the open statuses for most orders, and would rather walk a
    whole grouping column's index than sort the few thousand open orders it reads
    through ``work_order_status_created``.
    """
    return f" INDEXED BY {index}" if sqlite else ""
