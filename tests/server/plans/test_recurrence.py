"""Recurrence rules: the calendar edge cases users trip on (no database)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from server.errors import Invalid
from server.plans.recurrence import occurs, parse, rrule_line, upcoming, zone
from server.plans.schemas import Recurrence

SHANGHAI = zone("Asia/Shanghai")


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI)


def dates(recurrence: Recurrence, start: datetime, limit: int = 6) -> list[str]:
    rule = parse(rrule_line(recurrence, start, SHANGHAI), start, SHANGHAI)
    return [d.strftime("%Y-%m-%d %H:%M") for d in upcoming(rule, start, limit, inclusive=True)]


@pytest.mark.parametrize(
    ("recurrence", "start", "expected"),
    [
        # The 31st: months without one are skipped (RFC 5545)...
        (
            Recurrence(frequency="monthly", month_day=31),
            local(2026, 1, 31, 9),
            ["2026-01-31 09:00", "2026-03-31 09:00", "2026-05-31 09:00", "2026-07-31 09:00"],
        ),
        # ...and -1 is the last day of every month, February included.
        (
            Recurrence(frequency="monthly", month_day=-1),
            local(2026, 1, 31, 9),
            ["2026-01-31 09:00", "2026-02-28 09:00", "2026-03-31 09:00", "2026-04-30 09:00"],
        ),
        # A leap day comes every four years.
        (
            Recurrence(frequency="yearly", month=2, month_day=29),
            local(2026, 1, 1, 8),
            ["2028-02-29 08:00", "2032-02-29 08:00", "2036-02-29 08:00"],
        ),
        # The 2nd Tuesday, and the last Friday.
        (
            Recurrence(frequency="monthly", weekdays=["TU"], nth=2),
            local(2026, 11, 1, 10),
            ["2026-11-10 10:00", "2026-12-08 10:00", "2027-01-12 10:00"],
        ),
        (
            Recurrence(frequency="monthly", weekdays=["FR"], nth=-1),
            local(2026, 11, 1, 10),
            ["2026-11-27 10:00", "2026-12-25 10:00", "2027-01-29 10:00"],
        ),
        # Every other week on Monday and Thursday, until a day (inclusive).
        (
            Recurrence(
                frequency="weekly", interval=2, weekdays=["MO", "TH"], until=date(2026, 12, 10)
            ),
            local(2026, 11, 23, 7, 30),
            ["2026-11-23 07:30", "2026-11-26 07:30", "2026-12-07 07:30", "2026-12-10 07:30"],
        ),
        # Every 3 days, 4 times.
        (
            Recurrence(frequency="daily", interval=3, count=4),
            local(2026, 11, 28, 18),
            ["2026-11-28 18:00", "2026-12-01 18:00", "2026-12-04 18:00", "2026-12-07 18:00"],
        ),
    ],
)
def test_occurrences(recurrence: Recurrence, start: datetime, expected: list[str]) -> None:
    assert dates(recurrence, start)[: len(expected)] == expected
    if recurrence.count or recurrence.until:
        assert len(dates(recurrence, start, 50)) == len(expected)


def test_an_occurrence_is_recognised_and_a_near_miss_is_not() -> None:
    start = local(2026, 1, 31, 9)
    rule = parse("FREQ=MONTHLY;BYMONTHDAY=-1", start, SHANGHAI)
    assert occurs(rule, local(2026, 2, 28, 9))
    assert not occurs(rule, local(2026, 2, 28, 9, 1))
    assert not occurs(rule, local(2026, 2, 27, 9))


@pytest.mark.parametrize(
    "line",
    [
        "FREQ=HOURLY",
        "FREQ=MINUTELY;COUNT=5",
        "nonsense",
        "FREQ=DAILY;COUNT=x",
        "DTSTART:20260101T000000\nRRULE:FREQ=DAILY",
    ],
)
def test_bad_rules_are_refused(line: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse(line, local(2026, 1, 1, 9), SHANGHAI)
    assert refused.value.code == "invalid_recurrence"


def test_nth_needs_one_weekday() -> None:
    with pytest.raises(Invalid):
        rrule_line(
            Recurrence(frequency="monthly", nth=2, weekdays=["MO", "TU"]),
            local(2026, 1, 1, 9),
            SHANGHAI,
        )
