"""What the report queries share: the SQL of a few definitions, and turning the
sums and counts they return into means and percentages.

Queries return sums and counts rather than averages so that a total over several
rows (all technicians, a whole period) is exact: the sums add up, averages do not.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from server.sql import Sql, one_of
from server.workorders.lifecycle import OPEN

# Orders that repair a failure (the requests customers make, and the service orders
# inspections open for a failed check: inspection/results.py), as opposed to
# planned, preventive, inspection and project work.
CORRECTIVE_KINDS = ("customer_request", "service")
OPEN_STATUSES = tuple(sorted(OPEN))

# When a labour entry (``l``) counts: when the work started (so an entry a phone
# sends days later still counts when the work was done); an entry without a start
# time, when it was logged.
# The index labour_entry_worked_at is on this very expression (SQLite uses an
# expression index only for the identical expression).
LABOUR_AT = "coalesce(l.started_at, l.created_at)"

# 1 if a finished order of ``w`` met its SLA targets, 0 if it missed one, NULL if it
# had none. A target counts as missed when a timer marked it, and also when the
# order was simply later than its due time: a breach timer that fires after the
# order was resolved does nothing, so such a miss is never marked.
SLA_MET_SQL = (
    "CASE WHEN w.response_due_at IS NULL AND w.resolution_due_at IS NULL THEN NULL "
    "WHEN w.response_breached_at IS NOT NULL OR w.resolution_breached_at IS NOT NULL "
    "OR w.first_response_at > w.response_due_at OR w.resolved_at > w.resolution_due_at "
    "THEN 0 ELSE 1 END"
)


def corrective(alias: str = "w") -> Sql:
    return one_of(f"{alias}.kind", list(CORRECTIVE_KINDS))


def still_open(alias: str = "w") -> Sql:
    return one_of(f"{alias}.status", list(OPEN_STATUSES))


def number(value: Any) -> float:
    """A sum from either engine (int, float, Decimal or NULL) as a float."""
    return float(value) if value is not None else 0.0


def count(value: Any) -> int:
    return int(value) if value is not None else 0


def mean(total: Any, n: int, digits: int = 1) -> float | None:
    return round(number(total) / n, digits) if n else None


def percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def key(value: Any) -> UUID | None:
    """A UUID column's value (text on SQLite)."""
    return None if value is None else UUID(str(value))
