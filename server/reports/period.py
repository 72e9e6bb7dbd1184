"""The period a report covers: whole local days in a time zone, and the period of
the same length just before it, which every figure is compared with.

Bounds are worked out here, in Python, as UTC instants, and the database only
compares timestamps with them: SQLite has no time zones, and a local day or week
that crosses a daylight-saving change is not 24 hours or 7 days long.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from server.errors import Invalid

DEFAULT_DAYS = 30
MAX_DAYS = 366
# Far enough from the ends of the calendar that no bound (in any zone, for the
# period before) overflows a datetime or a database timestamp.
EARLIEST, LATEST = date(1970, 1, 1), date(9000, 12, 31)


@dataclass(frozen=True)
class Period:
    """The local days ``first`` to ``last`` (both included) in ``zone``."""

    first: date
    last: date
    zone: ZoneInfo

    def _at(self, day: date) -> datetime:
        return datetime.combine(day, time(0), self.zone).astimezone(UTC)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def start(self) -> datetime:
        return self._at(self.first)

    @property
    def end(self) -> datetime:
        """The first instant after the period."""
        return self._at(self.last + timedelta(days=1))

    def before(self) -> Period:
        """The period of as many days just before this one."""
        return Period(
            self.first - timedelta(days=self.days), self.first - timedelta(days=1), self.zone
        )

    def weeks(self) -> list[tuple[date, datetime, datetime]]:
        """The period cut at each local Monday: (first day, start, end) of each piece."""
        pieces = []
        first = self.first
        while first <= self.last:
            monday = first - timedelta(days=first.weekday())
            last = min(monday + timedelta(days=6), self.last)
            pieces.append((first, self._at(first), self._at(last + timedelta(days=1))))
            first = last + timedelta(days=1)
        return pieces


def zone_of(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid("unknown time zone", {"tz": name}, code="unknown_timezone") from None


def period_of(first: date | None, last: date | None, tz: str, now: datetime) -> Period:
    """The period a request asks for: by default the last ``DEFAULT_DAYS`` days up to
    today (in ``tz``); with only ``first``, up to today; with only ``last``, the
    ``DEFAULT_DAYS`` days up to it."""
    zone = zone_of(tz)
    if last is None:
        last = max(now.astimezone(zone).date(), first or date.min)
    if first is None:
        first = last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise Invalid(
            "the period ends before it starts",
            {"from": first.isoformat(), "to": last.isoformat()},
            code="invalid_period",
        )
    period = Period(first, last, zone)
    if period.days > MAX_DAYS:
        raise Invalid(
            f"a report covers at most {MAX_DAYS} days",
            {"from": first.isoformat(), "to": last.isoformat()},
            code="period_too_long",
        )
    if first < EARLIEST or last > LATEST:
        raise Invalid(
            f"reports cover days from {EARLIEST} to {LATEST}",
            {"from": first.isoformat(), "to": last.isoformat()},
            code="invalid_period",
        )
    return period
