"""Recurrence rules (RFC 5545 RRULE, through python-dateutil) in a plan's time zone.

Occurrences keep their local wall-clock time across daylight-saving changes; rules
finer than daily are refused, as are rules with no occurrence left.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import rrule as rr

from server.errors import Invalid
from server.plans import schemas

FREQUENCIES: dict[str, Literal[0, 1, 2, 3]] = {
    "daily": rr.DAILY,
    "weekly": rr.WEEKLY,
    "monthly": rr.MONTHLY,
    "yearly": rr.YEARLY,
}
WEEKDAYS = {
    "MO": rr.MO,
    "TU": rr.TU,
    "WE": rr.WE,
    "TH": rr.TH,
    "FR": rr.FR,
    "SA": rr.SA,
    "SU": rr.SU,
}
COARSE = frozenset(["DAILY", "WEEKLY", "MONTHLY", "YEARLY"])


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid("unknown time zone", {"timezone": name}, code="invalid_recurrence") from None


def rrule_line(recurrence: schemas.Recurrence, starts_at: datetime, tz: ZoneInfo) -> str:
    """The RRULE line of a rule given in plain fields."""
    days = [WEEKDAYS[d] for d in recurrence.weekdays]
    if recurrence.nth is not None:
        if len(days) != 1:
            raise Invalid(
                "nth needs exactly one weekday (e.g. the 2nd Tuesday)",
                {"weekdays": recurrence.weekdays},
                code="invalid_recurrence",
            )
        days = [days[0](recurrence.nth)]
    if recurrence.month_day == 0 or recurrence.nth == 0:
        raise Invalid("0 is not a day", {"month_day": 0}, code="invalid_recurrence")
    if recurrence.count is not None and recurrence.until is not None:
        raise Invalid("give count or until, not both", code="invalid_recurrence")
    until = None
    if recurrence.until is not None:
        # RFC 5545 wants UNTIL in UTC when the start has a zone: the day's end there.
        end = datetime.combine(recurrence.until + timedelta(days=1), time(0), tz)
        until = (end - timedelta(seconds=1)).astimezone(UTC)
    rule = rr.rrule(
        FREQUENCIES[recurrence.frequency],
        dtstart=starts_at.astimezone(tz),
        interval=recurrence.interval,
        byweekday=days or None,
        bymonthday=recurrence.month_day,
        bymonth=recurrence.month,
        count=recurrence.count,
        until=until,
    )
    line = str(rule).split("\n")[-1].removeprefix("RRULE:")
    # dateutil writes UNTIL without its "Z" although it is UTC here.
    return re.sub(r"UNTIL=(\d{8}T\d{6})(?!Z)", r"UNTIL=\1Z", line)


def parse(line: str, starts_at: datetime, tz: ZoneInfo) -> rr.rrule:
    """The rule of an RRULE line from ``starts_at`` (local time of ``tz``)."""
    text = line.strip().removeprefix("RRULE:")
    if "\n" in text or "DTSTART" in text.upper():
        raise Invalid(
            "send the RRULE line alone; starts_at is its start", code="invalid_recurrence"
        )
    try:
        rule = rr.rrulestr(text, dtstart=starts_at.astimezone(tz))
    except (ValueError, TypeError) as exc:
        raise Invalid(
            f"not a recurrence rule: {exc}", {"rrule": line}, code="invalid_recurrence"
        ) from None
    frequency = re.search(r"FREQ=([A-Z]+)", text.upper())
    # Finer than daily would flood; a set of rules (with EXRULE...) is not one line.
    if not isinstance(rule, rr.rrule) or frequency is None or frequency[1] not in COARSE:
        raise Invalid("repeat at most daily", {"rrule": line}, code="invalid_recurrence")
    return rule


def upcoming(
    rule: rr.rrule, after: datetime, limit: int, inclusive: bool = False
) -> list[datetime]:
    """The first ``limit`` occurrences after ``after`` (or at it, when inclusive)."""
    return list(rule.xafter(after, count=limit, inc=inclusive))


def occurs(rule: rr.rrule, at: datetime) -> bool:
    """Whether ``at`` is one of the rule's occurrences."""
    return rule.after(at - timedelta(microseconds=1), inc=False) == at
