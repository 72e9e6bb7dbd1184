"""Working time: when a business calendar's clock runs, and how far it runs.

A calendar has working hours per weekday (local time of its zone) and holidays;
SLA durations count only the working time in between. Without a calendar the
clock runs around the clock (24x7).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Beyond this the calendar has no working time left to find (validation refuses a
# week without working hours, so only holidays could get here).
HORIZON_DAYS = 3660


@dataclass(frozen=True)
class WorkingTime:
    zone: ZoneInfo
    # Monday first: each weekday's working intervals as (start, end) local times,
    # sorted and not overlapping; end time(0) means midnight at the day's end.
    week: tuple[tuple[tuple[time, time], ...], ...]
    holidays: frozenset[date]

    def _intervals(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working intervals in UTC from the one holding ``start`` on, clipped to it."""
        day = start.astimezone(self.zone).date()
        for _ in range(HORIZON_DAYS):
            if day not in self.holidays:
                for opens, closes in self.week[day.weekday()]:
                    begin = datetime.combine(day, opens, self.zone).astimezone(UTC)
                    end_day = day + timedelta(days=1) if closes == time(0) else day
                    end = datetime.combine(end_day, closes, self.zone).astimezone(UTC)
                    if end > start:
                        yield max(begin, start), end
            day += timedelta(days=1)
        raise ValueError("the calendar has no working time in the next ten years")

    def add(self, start: datetime, seconds: float) -> datetime:
        """The moment ``seconds`` of working time after ``start``."""
        if seconds <= 0:
            return start
        left = timedelta(seconds=seconds)
        for begin, end in self._intervals(start):
            if end - begin >= left:
                return begin + left
            left -= end - begin
        raise AssertionError("unreachable: _intervals raises at its horizon")

    def between(self, start: datetime, end: datetime) -> float:
        """Seconds of working time from ``start`` to ``end``."""
        total = 0.0
        if end <= start:
            return total
        for begin, finish in self._intervals(start):
            if begin >= end:
                break
            total += (min(finish, end) - begin).total_seconds()
        return total


class AroundTheClock:
    """The default calendar: every second counts."""

    def add(self, start: datetime, seconds: float) -> datetime:
        return start + timedelta(seconds=max(seconds, 0))

    def between(self, start: datetime, end: datetime) -> float:
        return max((end - start).total_seconds(), 0.0)


Calendar = WorkingTime | AroundTheClock
ALWAYS = AroundTheClock()
