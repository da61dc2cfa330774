"""When a network's monthly rounds open and close, and when nothing may be sent: calendar arithmetic in local time.

Every function takes aware datetimes and returns aware datetimes in UTC; wall-clock reasoning (the first Tuesday at
09:00, quiet nights, weekends, public holidays) happens in the schedule's time zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

GERMAN_STATES: tuple[str, ...] = (
    "BB", "BE", "BW", "BY", "HB", "HE", "HH", "MV", "NI", "NW", "RP", "SH", "SL", "SN", "ST", "TH",
)
MAX_SEARCH_DAYS = 400
MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Schedule:
    """When a network's rounds open and close and when nothing may be sent."""

    timezone: str = "Europe/Berlin"
    state: str | None = None
    weekday: int = 1
    hour: int = 9
    minute: int = 0
    reminder_days: tuple[int, ...] = (3, 7)
    close_days: int = 10
    quiet_start: time = time(19, 0)
    quiet_end: time = time(8, 0)
    quiet_weekends: bool = True
    quiet_holidays: bool = True


def check_schedule(schedule: Schedule) -> None:
    """Raise ValueError naming the first field of the schedule that holds an impossible value."""
    try:
        zone(schedule)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"timezone: unknown time zone {schedule.timezone!r}") from None
    if schedule.state is not None and schedule.state not in GERMAN_STATES:
        raise ValueError(f"state: unknown German state {schedule.state!r} (use one of {', '.join(GERMAN_STATES)})")
    for name, value, highest in (("weekday", schedule.weekday, 6), ("hour", schedule.hour, 23),
                                 ("minute", schedule.minute, 59)):
        if not 0 <= value <= highest:
            raise ValueError(f"{name}: {value} is not between 0 and {highest}")
    if not 1 <= schedule.close_days <= 28:
        raise ValueError(f"close_days: {schedule.close_days} is not between 1 and 28")
    _check_reminder_days(schedule.reminder_days, schedule.close_days)
    if schedule.quiet_start.tzinfo is not None or schedule.quiet_end.tzinfo is not None:
        raise ValueError("quiet_start/quiet_end: must be local wall-clock times without tzinfo")


def _check_reminder_days(days: tuple[int, ...], close_days: int) -> None:
    """Raise ValueError unless the reminder days are positive, strictly increasing and before close_days."""
    if any(day < 1 for day in days):
        raise ValueError(f"reminder_days: {days} must all be at least 1")
    if any(later <= earlier for earlier, later in pairwise(days)):
        raise ValueError(f"reminder_days: {days} must be strictly increasing")
    if days and days[-1] >= close_days:
        raise ValueError(f"reminder_days: {days} must all be less than close_days ({close_days})")


def zone(schedule: Schedule) -> ZoneInfo:
    """The schedule's time zone."""
    return ZoneInfo(schedule.timezone)


def to_utc(schedule: Schedule, wall: datetime) -> datetime:
    """A naive local wall time as aware UTC: a gap moves forward to the first existing minute, a repeat takes fold=0."""
    if wall.tzinfo is not None:
        raise ValueError(f"to_utc expects a naive local wall time, got {wall.isoformat()}")
    tz = zone(schedule)
    candidate = wall.replace(fold=0)
    if not _exists(tz, candidate):
        candidate = candidate.replace(second=0, microsecond=0)
        for _ in range(24 * 60):
            candidate += MINUTE
            if _exists(tz, candidate):
                break
    return candidate.replace(tzinfo=tz).astimezone(UTC)


def _exists(tz: ZoneInfo, wall: datetime) -> bool:
    """Whether a naive wall time occurs in the zone (it does not inside a daylight-saving gap)."""
    back = wall.replace(tzinfo=tz).astimezone(UTC).astimezone(tz)
    return back.replace(tzinfo=None) == wall


def _utc(moment: datetime) -> datetime:
    """An aware moment in UTC; a naive one is refused rather than guessed."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"expected an aware datetime, got naive {moment.isoformat()}")
    return moment.astimezone(UTC)


def local(schedule: Schedule, moment: datetime) -> datetime:
    """The aware local time of a moment in the schedule's time zone."""
    return _utc(moment).astimezone(zone(schedule))


def period_of(schedule: Schedule, moment: datetime) -> str:
    """The round period "YYYY-MM" of the moment's local date."""
    day = local(schedule, moment).date()
    return f"{day.year:04d}-{day.month:02d}"


def _parse_period(period: str) -> tuple[int, int]:
    """The (year, month) of a "YYYY-MM" period; ValueError for anything else."""
    year, dash, month = period.partition("-")
    if not (dash and len(year) == 4 and len(month) == 2 and year.isdigit() and month.isdigit()
            and 1 <= int(month) <= 12):
        raise ValueError(f"period: {period!r} is not of the form YYYY-MM")
    return int(year), int(month)


def previous_period(period: str) -> str:
    """The period of the month before."""
    year, month = _parse_period(period)
    return f"{year - 1:04d}-12" if month == 1 else f"{year:04d}-{month - 1:02d}"


def next_period(period: str) -> str:
    """The period of the month after."""
    year, month = _parse_period(period)
    return f"{year + 1:04d}-01" if month == 12 else f"{year:04d}-{month + 1:02d}"


def round_due(schedule: Schedule, period: str) -> datetime:
    """When the period's round opens: the month's first `weekday` at hour:minute local time, in UTC."""
    year, month = _parse_period(period)
    first = date(year, month, 1)
    day = first + timedelta(days=(schedule.weekday - first.weekday()) % 7)
    return to_utc(schedule, datetime.combine(day, time(schedule.hour, schedule.minute)))


@lru_cache(maxsize=256)
def holiday_dates(state: str | None, year: int) -> frozenset[date]:
    """The public holidays of Germany (nationwide, plus the state's own when a state is given) in a year."""
    if state is not None and state not in GERMAN_STATES:
        raise ValueError(f"state: unknown German state {state!r}")
    return frozenset(holidays.country_holidays("DE", subdiv=state, years=year).keys())


def is_working_day(schedule: Schedule, day: date) -> bool:
    """Whether messages may go out on this local date: not a weekend or public holiday (as far as those count)."""
    if schedule.quiet_weekends and day.weekday() >= 5:
        return False
    return not (schedule.quiet_holidays and day in holiday_dates(schedule.state, day.year))


def _night(schedule: Schedule, clock: time) -> bool:
    """Whether a local clock time lies in the quiet hours (start inclusive, end exclusive, wrapping midnight)."""
    start, end = schedule.quiet_start, schedule.quiet_end
    if start == end:
        return False
    if start < end:
        return start <= clock < end
    return clock >= start or clock < end


def is_quiet(schedule: Schedule, moment: datetime) -> bool:
    """Whether nothing may be sent at this moment: quiet night hours or a non-working local day."""
    now = local(schedule, moment)
    return _night(schedule, now.time()) or not is_working_day(schedule, now.date())


def _quiet_until(schedule: Schedule, moment: datetime) -> datetime:
    """The earliest moment at which the quiet stretch containing `moment` can end, in UTC."""
    now = local(schedule, moment)
    day = now.date()
    if not is_working_day(schedule, day):
        return to_utc(schedule, datetime.combine(day + DAY, time()))
    if schedule.quiet_start > schedule.quiet_end and now.time() >= schedule.quiet_start:
        day += DAY
    return to_utc(schedule, datetime.combine(day, schedule.quiet_end))


def _ceil_minute(moment: datetime) -> datetime:
    """The moment itself when on a whole minute, else the next whole minute."""
    whole = moment.replace(second=0, microsecond=0)
    return whole if whole == moment else whole + MINUTE


def next_allowed(schedule: Schedule, moment: datetime) -> datetime:
    """The moment itself (in UTC) if it is not quiet, else the first allowed whole minute after it."""
    now = _utc(moment)
    if not is_quiet(schedule, now):
        return now
    limit = now + timedelta(days=MAX_SEARCH_DAYS)
    candidate = _ceil_minute(now)
    while candidate <= limit:
        if not is_quiet(schedule, candidate):
            return candidate
        candidate = max(_ceil_minute(_quiet_until(schedule, candidate)), candidate + MINUTE)
    raise ValueError(f"schedule allows no moment within {MAX_SEARCH_DAYS} days after {now.isoformat()}")


def add_local_days(schedule: Schedule, moment: datetime, days: int) -> datetime:
    """The same local wall-clock time `days` calendar days later (09:00 stays 09:00 across DST), in UTC."""
    wall = local(schedule, moment).replace(tzinfo=None)
    return to_utc(schedule, wall + timedelta(days=days))


def next_working_morning(schedule: Schedule, moment: datetime) -> datetime:
    """The first working day after the moment's local date at hour:minute (or the next allowed minute), in UTC."""
    day = local(schedule, moment).date() + DAY
    for _ in range(MAX_SEARCH_DAYS):
        if is_working_day(schedule, day):
            break
        day += DAY
    else:
        raise ValueError(f"schedule has no working day within {MAX_SEARCH_DAYS} days after {day.isoformat()}")
    return next_allowed(schedule, to_utc(schedule, datetime.combine(day, time(schedule.hour, schedule.minute))))


_DATE_RE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})?$|^(\d{4})-(\d{2})-(\d{2})$")


def parse_day(text: str, today: date) -> date | None:
    """A date a person types: 31.03.2027, 31.03. (the next such day) or 2027-03-31; None if it is none."""
    match = _DATE_RE.match(text.strip())
    if match is None:
        return None
    try:
        if match[4]:
            return date(int(match[4]), int(match[5]), int(match[6]))
        day = date(int(match[3]) if match[3] else today.year, int(match[2]), int(match[1]))
    except ValueError:
        return None
    if not match[3] and day < today:
        day = day.replace(year=today.year + 1)
    return day
