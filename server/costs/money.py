"""Amounts of money: Decimal in Python and the API (JSON strings such as "12.50"),
whole cents in the database (see server/costs/tables.py).

msgspec cannot put range constraints on a Decimal, so the request bodies check
their amounts with :func:`check_amount` when they are decoded: a bad amount is a
400 ``validation_error`` naming the field, like any other malformed value.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from msgspec import Meta

CENT = Decimal("0.01")
# 10 billion (yuan, or whatever the deployment counts in): far above any one amount.
MAX_AMOUNT = Decimal("10000000000")

Money = Annotated[
    Decimal,
    Meta(
        description="an amount with at most 2 decimals, sent as a string",
        examples=["12.50"],
    ),
]


def check_amount(value: Decimal, field: str, *, positive: bool) -> None:
    """Raise ValueError (msgspec's validation error) unless ``value`` is a finite
    amount of whole cents, above zero when ``positive`` (else zero or more)."""
    if not value.is_finite():
        raise ValueError(f"{field} must be a number")
    # Before quantize, which cannot hold more digits than the context's precision.
    if value.adjusted() >= 12:
        raise ValueError(f"{field} must be below {MAX_AMOUNT}")
    if value != value.quantize(CENT):
        raise ValueError(f"{field} has more than 2 decimals")
    if value < 0 or (positive and value == 0):
        raise ValueError(f"{field} must be {'above' if positive else 'at least'} 0")
    if value >= MAX_AMOUNT:
        raise ValueError(f"{field} must be below {MAX_AMOUNT}")


def to_cents(value: Decimal) -> int:
    """A checked amount as whole cents."""
    return int(value.quantize(CENT) * 100)


def to_money(cents: int) -> Decimal:
    """Whole cents as an amount with 2 decimals: 1250 -> Decimal("12.50")."""
    return Decimal(int(cents)).scaleb(-2)


def labour_cents(minutes: int, hourly_cents: int) -> int:
    """What ``minutes`` cost at an hourly rate, to the nearest cent (half up)."""
    exact = Decimal(minutes) * Decimal(hourly_cents) / Decimal(60)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
