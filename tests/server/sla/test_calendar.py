"""Working-time arithmetic of business calendars (no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.sla.calendar import ALWAYS, WorkingTime

SHANGHAI = ZoneInfo("Asia/Shanghai")
OFFICE = (
    (time(9), time(12)),
    (time(13), time(18)),
)
# Monday to Friday with a lunch break; the 1st of October (a Thursday) off.
WEEKDAYS = WorkingTime(
    zone=SHANGHAI,
    week=(OFFICE, OFFICE, OFFICE, OFFICE, OFFICE, (), ()),
    holidays=frozenset([date(2026, 10, 1)]),
)
# A night shift across midnight: Monday 22:00 to Tuesday 06:00.
NIGHTS = WorkingTime(
    zone=SHANGHAI,
    week=(((time(22), time(0)),), ((time(0), time(6)),), (), (), (), (), ()),
    holidays=frozenset(),
)


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        # Friday 17:00 + 2 h: one hour on Friday, one on Monday morning.
        (local(2026, 11, 27, 17), 2, local(2026, 11, 30, 10)),
        # Over lunch.
        (local(2026, 11, 25, 11, 30), 1, local(2026, 11, 25, 13, 30)),
        # Wednesday 17:00 + 2 h: Thursday is a holiday.
        (local(2026, 9, 30, 17), 2, local(2026, 10, 2, 10)),
        # Before opening: the clock starts at 09:00.
        (local(2026, 11, 23, 7), 0.5, local(2026, 11, 23, 9, 30)),
        # On the weekend: Monday.
        (local(2026, 11, 28, 12), 1, local(2026, 11, 30, 10)),
        # Exactly a day's eight hours from opening: closing time.
        (local(2026, 11, 23, 9), 8, local(2026, 11, 23, 18)),
        # A week of work: five days and two weekend days on.
        (local(2026, 11, 23, 9), 40, local(2026, 11, 27, 18)),
    ],
)
def test_adding_working_time_skips_closed_hours(
    start: datetime, hours: float, due: datetime
) -> None:
    assert WEEKDAYS.add(start, hours * 3600) == due
    assert WEEKDAYS.between(start, due) == hours * 3600


def test_a_night_shift_runs_across_midnight() -> None:
    assert NIGHTS.add(local(2026, 11, 23, 23), 3 * 3600) == local(2026, 11, 24, 2)
    # Tuesday morning past 06:00: the next shift is Monday night.
    assert NIGHTS.add(local(2026, 11, 24, 7), 3600) == local(2026, 11, 30, 23)
    assert NIGHTS.between(local(2026, 11, 23, 12), local(2026, 11, 24, 12)) == 8 * 3600


def test_times_come_back_in_utc_and_asia_shanghai_has_no_daylight_saving() -> None:
    due = WEEKDAYS.add(local(2026, 3, 9, 9), 3600)
    assert due.tzinfo == UTC
    assert due == datetime(2026, 3, 9, 2, tzinfo=UTC)


def test_around_the_clock_counts_every_second() -> None:
    start = datetime(2026, 11, 27, 17, tzinfo=UTC)
    assert ALWAYS.add(start, 7200) == start + timedelta(hours=2)
    assert ALWAYS.between(start, start - timedelta(hours=1)) == 0


def test_a_calendar_of_holidays_only_runs_out() -> None:
    closed = WorkingTime(zone=SHANGHAI, week=((), (), (), (), (), (), ()), holidays=frozenset())
    with pytest.raises(ValueError, match="no working time"):
        closed.add(local(2026, 11, 23, 9), 60)


@settings(max_examples=200, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)),
    seconds=st.integers(min_value=0, max_value=400 * 3600),
)
def test_the_time_added_is_the_time_between(start: datetime, seconds: int) -> None:
    begin = start.replace(tzinfo=UTC)
    for calendar in (WEEKDAYS, NIGHTS):
        due = calendar.add(begin, seconds)
        assert due >= begin
        assert calendar.between(begin, due) == pytest.approx(seconds, abs=1e-6)
