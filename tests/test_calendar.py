"""The round calendar: first Tuesdays, local months, quiet nights, weekends, holidays and daylight saving time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest

from bot.core import calendar
from bot.core.calendar import (
    GERMAN_STATES,
    Schedule,
    add_local_days,
    check_schedule,
    holiday_dates,
    is_quiet,
    is_working_day,
    local,
    next_allowed,
    next_period,
    next_working_morning,
    parse_day,
    period_of,
    previous_period,
    round_due,
    to_utc,
)

BERLIN = ZoneInfo("Europe/Berlin")
DEFAULT = Schedule()


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """An aware Berlin wall time (first occurrence when ambiguous), built without the module under test."""
    return datetime(year, month, day, hour, minute, second, tzinfo=BERLIN)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """An aware UTC moment."""
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(("schedule", "period", "expected"), [
    (DEFAULT, "2027-01", utc(2027, 1, 5, 8)),  # winter: Berlin is UTC+1
    (DEFAULT, "2027-06", utc(2027, 6, 1, 7)),  # summer time, and June starts on a Tuesday
    (DEFAULT, "2027-03", utc(2027, 3, 2, 8)),  # DST starts 28 March: the round is still in winter time
    (DEFAULT, "2027-04", utc(2027, 4, 6, 7)),
    (DEFAULT, "2027-10", utc(2027, 10, 5, 7)),  # DST ends 31 October: the round is still in summer time
    (DEFAULT, "2027-11", utc(2027, 11, 2, 8)),
    (DEFAULT, "2026-12", utc(2026, 12, 1, 8)),
    (Schedule(weekday=0, hour=14, minute=30), "2027-02", utc(2027, 2, 1, 13, 30)),
    (Schedule(weekday=3, hour=7, minute=15), "2027-01", utc(2027, 1, 7, 6, 15)),  # 1 Jan is a Friday
    (Schedule(weekday=4), "2027-01", utc(2027, 1, 1, 8)),  # due dates ignore holidays; sending uses next_allowed
    (Schedule(weekday=6, hour=23, minute=59), "2027-08", utc(2027, 8, 1, 21, 59)),
    (Schedule(timezone="America/New_York", weekday=2, hour=10), "2027-03", utc(2027, 3, 3, 15)),
    (Schedule(timezone="UTC", hour=0), "2028-02", utc(2028, 2, 1, 0)),
])
def test_round_due(schedule: Schedule, period: str, expected: datetime) -> None:
    due = round_due(schedule, period)
    assert due == expected
    assert due.tzinfo is UTC


@pytest.mark.parametrize("weekday", range(7))
def test_round_due_is_the_first_such_weekday_at_the_local_hour_every_month(weekday: int) -> None:
    schedule = Schedule(weekday=weekday)
    for month in range(1, 13):
        wall = round_due(schedule, f"2027-{month:02d}").astimezone(BERLIN)
        assert (wall.year, wall.month, wall.weekday()) == (2027, month, weekday)
        assert 1 <= wall.day <= 7
        assert (wall.hour, wall.minute) == (9, 0)


@pytest.mark.parametrize(("moment", "expected"), [
    (utc(2027, 1, 31, 22, 59), "2027-01"),
    (utc(2027, 1, 31, 23, 30), "2027-02"),  # already 00:30 on 1 February in Berlin
    (utc(2027, 6, 30, 21, 59), "2027-06"),
    (utc(2027, 6, 30, 22, 0), "2027-07"),  # summer time: midnight is 22:00 UTC
    (utc(2027, 12, 31, 23, 0), "2028-01"),
    (berlin(2027, 3, 1), "2027-03"),
])
def test_period_of_uses_the_local_date(moment: datetime, expected: str) -> None:
    assert period_of(DEFAULT, moment) == expected


@pytest.mark.parametrize(("period", "before", "after"), [
    ("2027-06", "2027-05", "2027-07"),
    ("2027-01", "2026-12", "2027-02"),
    ("2027-12", "2027-11", "2028-01"),
    ("2027-10", "2027-09", "2027-11"),
])
def test_previous_and_next_period(period: str, before: str, after: str) -> None:
    assert previous_period(period) == before
    assert next_period(period) == after
    assert next_period(previous_period(period)) == period


@pytest.mark.parametrize("period", ["2027-13", "2027-00", "2027-1", "27-01", "2027/01", "", "2027-01-05", "abcd-ef"])
def test_malformed_periods_are_refused(period: str) -> None:
    with pytest.raises(ValueError, match="period"):
        next_period(period)
    with pytest.raises(ValueError, match="period"):
        round_due(DEFAULT, period)


def test_local_and_to_utc_are_inverse_on_ordinary_times() -> None:
    moment = utc(2027, 7, 14, 10, 45)
    wall = local(DEFAULT, moment)
    assert wall.tzinfo is not None and wall.utcoffset() == BERLIN.utcoffset(wall)
    assert (wall.hour, wall.minute) == (12, 45)
    assert to_utc(DEFAULT, wall.replace(tzinfo=None)) == moment


@pytest.mark.parametrize(("wall", "expected"), [
    (datetime(2027, 3, 28, 1, 59), utc(2027, 3, 28, 0, 59)),
    (datetime(2027, 3, 28, 2, 0), utc(2027, 3, 28, 1, 0)),  # in the gap: moves on to 03:00 CEST
    (datetime(2027, 3, 28, 2, 30), utc(2027, 3, 28, 1, 0)),
    (datetime(2027, 3, 28, 2, 59, 59), utc(2027, 3, 28, 1, 0)),
    (datetime(2027, 3, 28, 3, 0), utc(2027, 3, 28, 1, 0)),
    (datetime(2027, 3, 28, 3, 1), utc(2027, 3, 28, 1, 1)),
    (datetime(2027, 10, 31, 1, 59), utc(2027, 10, 30, 23, 59)),
    (datetime(2027, 10, 31, 2, 30), utc(2027, 10, 31, 0, 30)),  # ambiguous: the first (summer-time) occurrence
    (datetime(2027, 10, 31, 2, 30, fold=1), utc(2027, 10, 31, 0, 30)),
    (datetime(2027, 10, 31, 3, 0), utc(2027, 10, 31, 2, 0)),
])
def test_to_utc_across_daylight_saving_changes(wall: datetime, expected: datetime) -> None:
    result = to_utc(DEFAULT, wall)
    assert result == expected
    assert result.tzinfo is UTC


def test_naive_and_aware_inputs_are_refused_where_they_would_be_guessed() -> None:
    with pytest.raises(ValueError, match="naive"):
        to_utc(DEFAULT, berlin(2027, 3, 2, 9))
    with pytest.raises(ValueError, match="aware"):
        local(DEFAULT, datetime(2027, 3, 2, 9))
    with pytest.raises(ValueError, match="aware"):
        next_allowed(DEFAULT, datetime(2027, 3, 2, 9))


def test_holiday_dates_per_state() -> None:
    assert date(2027, 3, 29) in holiday_dates(None, 2027)  # Easter Monday
    assert date(2027, 1, 6) in holiday_dates("BY", 2027)
    assert date(2027, 1, 6) not in holiday_dates("BE", 2027)
    assert date(2027, 1, 6) not in holiday_dates(None, 2027)
    assert date(2027, 3, 8) in holiday_dates("BE", 2027)  # International Women's Day, Berlin only
    assert holiday_dates("BY", 2027) is holiday_dates("BY", 2027)
    with pytest.raises(ValueError, match="state"):
        holiday_dates("XX", 2027)


def test_german_states_are_the_holidays_packages_states() -> None:
    assert len(GERMAN_STATES) == 16
    assert set(GERMAN_STATES) <= set(holidays.country_holidays("DE").subdivisions)


@pytest.mark.parametrize(("schedule", "day", "expected"), [
    (DEFAULT, date(2027, 3, 2), True),
    (DEFAULT, date(2027, 3, 6), False),
    (DEFAULT, date(2027, 3, 7), False),
    (DEFAULT, date(2027, 3, 26), False),  # Good Friday
    (Schedule(quiet_weekends=False), date(2027, 3, 6), True),
    (Schedule(quiet_holidays=False), date(2027, 3, 26), True),
    (Schedule(quiet_holidays=False), date(2027, 3, 27), False),
])
def test_is_working_day(schedule: Schedule, day: date, expected: bool) -> None:
    assert is_working_day(schedule, day) is expected


@pytest.mark.parametrize(("schedule", "moment", "expected"), [
    (DEFAULT, berlin(2027, 3, 2, 18, 59), False),
    (DEFAULT, berlin(2027, 3, 2, 18, 59, 59), False),
    (DEFAULT, berlin(2027, 3, 2, 19, 0), True),
    (DEFAULT, berlin(2027, 3, 2, 23, 59), True),
    (DEFAULT, berlin(2027, 3, 3, 0, 0), True),
    (DEFAULT, berlin(2027, 3, 2, 7, 59), True),
    (DEFAULT, berlin(2027, 3, 2, 8, 0), False),
    (DEFAULT, berlin(2027, 3, 6, 12, 0), True),  # Saturday
    (DEFAULT, berlin(2027, 3, 7, 12, 0), True),  # Sunday
    (DEFAULT, berlin(2027, 1, 1, 12, 0), True),  # New Year's Day, a Friday
    (DEFAULT, berlin(2028, 10, 3, 12, 0), True),  # German Unity Day, a Tuesday
    (Schedule(state="BY"), berlin(2027, 1, 6, 12, 0), True),  # Epiphany in Bavaria
    (Schedule(state="BE"), berlin(2027, 1, 6, 12, 0), False),
    (DEFAULT, berlin(2027, 1, 6, 12, 0), False),
    (Schedule(state="SN"), berlin(2028, 10, 31, 12, 0), True),  # Reformation Day in Saxony
    (Schedule(state="BY"), berlin(2028, 10, 31, 12, 0), False),
    (Schedule(quiet_start=time(8, 0)), berlin(2027, 3, 2, 23, 0), False),  # start == end: no night quiet
    (Schedule(quiet_start=time(8, 0)), berlin(2027, 3, 2, 3, 0), False),
    (Schedule(quiet_start=time(8, 0)), berlin(2027, 3, 6, 12, 0), True),  # weekends still quiet
    (Schedule(quiet_weekends=False), berlin(2027, 3, 6, 12, 0), False),
    (Schedule(quiet_weekends=False), berlin(2027, 3, 6, 20, 0), True),  # nights still quiet
    (Schedule(quiet_holidays=False), berlin(2027, 1, 1, 12, 0), False),
    (Schedule(quiet_start=time(12, 0), quiet_end=time(13, 0)), berlin(2027, 3, 2, 12, 30), True),  # no wrap
    (Schedule(quiet_start=time(12, 0), quiet_end=time(13, 0)), berlin(2027, 3, 2, 20, 0), False),
    (DEFAULT, utc(2027, 3, 2, 17, 59), False),  # 18:59 in Berlin
    (DEFAULT, utc(2027, 3, 2, 18, 0), True),  # 19:00 in Berlin
    (DEFAULT, utc(2027, 3, 5, 23, 30), True),  # Friday in UTC, Saturday in Berlin
])
def test_is_quiet(schedule: Schedule, moment: datetime, expected: bool) -> None:
    assert is_quiet(schedule, moment) is expected


ALL_DAYS = Schedule(quiet_weekends=False, quiet_holidays=False)


@pytest.mark.parametrize(("schedule", "moment", "expected"), [
    (DEFAULT, berlin(2027, 3, 5, 19, 30), utc(2027, 3, 8, 7)),  # Friday evening -> Monday 08:00
    (Schedule(state="BE"), berlin(2027, 3, 5, 19, 30), utc(2027, 3, 9, 7)),  # Monday 8 March is a holiday in Berlin
    (DEFAULT, berlin(2027, 12, 24, 20, 0), utc(2027, 12, 27, 7)),  # 25/26 Dec are holidays (and the weekend)
    (DEFAULT, berlin(2027, 3, 25, 19, 0), utc(2027, 3, 30, 6)),  # Easter: Good Friday to Easter Monday, into CEST
    (DEFAULT, berlin(2027, 3, 2, 7, 59, 30), utc(2027, 3, 2, 7)),  # whole minute: 08:00:00 local
    (DEFAULT, berlin(2027, 3, 2, 2, 0), utc(2027, 3, 2, 7)),
    (DEFAULT, berlin(2027, 3, 2, 23, 0), utc(2027, 3, 3, 7)),
    (ALL_DAYS, berlin(2027, 3, 27, 22, 0), utc(2027, 3, 28, 6)),  # spring DST night: 08:00 CEST
    (ALL_DAYS, berlin(2027, 10, 30, 22, 0), utc(2027, 10, 31, 7)),  # autumn DST night: 08:00 CET
    (ALL_DAYS, datetime(2027, 10, 31, 2, 15, fold=1, tzinfo=BERLIN), utc(2027, 10, 31, 7)),  # repeated hour
    (Schedule(quiet_end=time(2, 30), quiet_weekends=False, quiet_holidays=False),
     datetime(2027, 10, 31, 2, 15, fold=1, tzinfo=BERLIN), utc(2027, 10, 31, 1, 30)),  # second 02:30, not the first
    (Schedule(quiet_end=time(2, 30), quiet_weekends=False, quiet_holidays=False),
     berlin(2027, 3, 28, 1, 0), utc(2027, 3, 28, 1, 0)),  # quiet end in the gap: 03:00 CEST
    (Schedule(quiet_start=time(12, 0), quiet_end=time(13, 0)), berlin(2027, 3, 2, 12, 30), utc(2027, 3, 2, 12)),
    (Schedule(quiet_start=time(22, 0), quiet_end=time(6, 0)), berlin(2027, 3, 2, 22, 0), utc(2027, 3, 3, 5)),
    (Schedule(quiet_start=time(8, 0)), berlin(2027, 3, 6, 12, 0), utc(2027, 3, 7, 23)),  # Monday 00:00
    (Schedule(quiet_start=time(19, 0, 30)), berlin(2027, 3, 2, 19, 0, 40), utc(2027, 3, 3, 7)),  # never earlier
    (Schedule(quiet_end=time(8, 0, 30)), berlin(2027, 3, 2, 7, 0), utc(2027, 3, 2, 7, 1)),  # 08:01, a whole minute
])
def test_next_allowed_moves_to_the_first_allowed_minute(schedule: Schedule, moment: datetime,
                                                         expected: datetime) -> None:
    result = next_allowed(schedule, moment)
    assert result == expected
    assert result.tzinfo is UTC
    assert not is_quiet(schedule, result)


@pytest.mark.parametrize("moment", [
    berlin(2027, 3, 2, 10, 15, 30),
    berlin(2027, 3, 2, 8, 0),
    berlin(2027, 3, 2, 18, 59, 59),
    utc(2027, 6, 1, 7),
])
def test_next_allowed_keeps_an_allowed_moment(moment: datetime) -> None:
    result = next_allowed(DEFAULT, moment)
    assert result == moment
    assert result.tzinfo is UTC


def test_next_allowed_jumps_instead_of_walking_minute_by_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[datetime] = []

    def counting(schedule: Schedule, moment: datetime) -> bool:
        checked.append(moment)
        return is_quiet(schedule, moment)

    monkeypatch.setattr(calendar, "is_quiet", counting)
    assert next_allowed(DEFAULT, berlin(2027, 12, 24, 20, 0)) == utc(2027, 12, 27, 7)
    assert len(checked) < 10


def test_next_allowed_gives_up_when_nothing_is_ever_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(calendar, "is_quiet", lambda schedule, moment: True)
    with pytest.raises(ValueError, match="allows no moment"):
        next_allowed(DEFAULT, berlin(2027, 3, 2, 10))


@pytest.mark.parametrize(("moment", "days", "expected"), [
    (berlin(2027, 3, 26, 9), 3, utc(2027, 3, 29, 7)),  # Friday 09:00 CET + 3 days = Monday 09:00 CEST
    (berlin(2027, 10, 29, 9), 3, utc(2027, 11, 1, 8)),  # Friday 09:00 CEST + 3 days = Monday 09:00 CET
    (berlin(2027, 3, 29, 9), -3, utc(2027, 3, 26, 8)),
    (berlin(2027, 3, 2, 9), 0, utc(2027, 3, 2, 8)),
    (berlin(2027, 3, 2, 9), 7, utc(2027, 3, 9, 8)),
    (berlin(2027, 3, 27, 2, 30), 1, utc(2027, 3, 28, 1, 0)),  # lands in the gap: 03:00 CEST
    (berlin(2027, 1, 31, 23, 30), 1, utc(2027, 2, 1, 22, 30)),  # 1 February 23:30 local
])
def test_add_local_days_keeps_the_wall_clock_time(moment: datetime, days: int, expected: datetime) -> None:
    result = add_local_days(DEFAULT, moment, days)
    assert result == expected
    assert result.tzinfo is UTC


def test_reminders_and_close_follow_the_round_in_local_time_across_the_end_of_summer_time() -> None:
    schedule = Schedule(reminder_days=(3, 27), close_days=28)
    due = round_due(schedule, "2027-10")
    moments = [add_local_days(schedule, due, days) for days in (*schedule.reminder_days, schedule.close_days)]
    assert [moment.astimezone(BERLIN).hour for moment in moments] == [9, 9, 9]
    assert moments == [utc(2027, 10, 8, 7), utc(2027, 11, 1, 8), utc(2027, 11, 2, 8)]


@pytest.mark.parametrize(("schedule", "moment", "expected"), [
    (DEFAULT, berlin(2027, 3, 5, 14, 0), utc(2027, 3, 8, 8)),  # Friday -> Monday 09:00 CET
    (DEFAULT, berlin(2027, 3, 2, 14, 0), utc(2027, 3, 3, 8)),  # Tuesday -> Wednesday
    (DEFAULT, berlin(2027, 3, 2, 23, 30), utc(2027, 3, 3, 8)),
    (DEFAULT, utc(2027, 3, 2, 23, 30), utc(2027, 3, 4, 8)),  # already Wednesday 00:30 in Berlin -> Thursday
    (DEFAULT, berlin(2027, 3, 25, 10, 0), utc(2027, 3, 30, 7)),  # before Easter -> Tuesday after Easter Monday, CEST
    (DEFAULT, berlin(2027, 3, 6, 10, 0), utc(2027, 3, 8, 8)),  # asked on a Saturday
    (Schedule(state="BY"), berlin(2027, 1, 5, 10, 0), utc(2027, 1, 7, 8)),  # Epiphany in Bavaria
    (Schedule(state="BE"), berlin(2027, 1, 5, 10, 0), utc(2027, 1, 6, 8)),
    (Schedule(quiet_weekends=False), berlin(2027, 3, 5, 14, 0), utc(2027, 3, 6, 8)),
    (Schedule(hour=7, minute=30), berlin(2027, 3, 2, 14, 0), utc(2027, 3, 3, 7)),  # 07:30 is quiet -> 08:00
    (Schedule(hour=20), berlin(2027, 3, 5, 14, 0), utc(2027, 3, 9, 7)),  # Monday 20:00 is quiet -> Tuesday 08:00
])
def test_next_working_morning(schedule: Schedule, moment: datetime, expected: datetime) -> None:
    result = next_working_morning(schedule, moment)
    assert result == expected
    assert result.tzinfo is UTC


@pytest.mark.parametrize("schedule", [
    DEFAULT,
    Schedule(timezone="UTC", state="BY", weekday=6, hour=23, minute=59, reminder_days=(), close_days=1),
    Schedule(weekday=0, hour=0, minute=0, reminder_days=(1, 2, 27), close_days=28),
    *(Schedule(state=state) for state in GERMAN_STATES),
])
def test_check_schedule_accepts_sensible_schedules(schedule: Schedule) -> None:
    check_schedule(schedule)


@pytest.mark.parametrize(("changes", "field"), [
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"timezone": ""}, "timezone"),
    ({"timezone": "Europe"}, "timezone"),
    ({"timezone": "../../etc/passwd"}, "timezone"),
    ({"state": "XX"}, "state"),
    ({"state": "by"}, "state"),
    ({"state": "Augsburg"}, "state"),
    ({"weekday": -1}, "weekday"),
    ({"weekday": 7}, "weekday"),
    ({"hour": -1}, "hour"),
    ({"hour": 24}, "hour"),
    ({"minute": -1}, "minute"),
    ({"minute": 60}, "minute"),
    ({"reminder_days": (0, 3)}, "reminder_days"),
    ({"reminder_days": (-2,)}, "reminder_days"),
    ({"reminder_days": (7, 3)}, "reminder_days"),
    ({"reminder_days": (3, 3)}, "reminder_days"),
    ({"reminder_days": (3, 10)}, "reminder_days"),  # not before close_days = 10
    ({"reminder_days": (3, 7), "close_days": 7}, "reminder_days"),
    ({"close_days": 0, "reminder_days": ()}, "close_days"),
    ({"close_days": 29}, "close_days"),
    ({"quiet_start": time(19, 0, tzinfo=UTC)}, "quiet_start"),
])
def test_check_schedule_refuses_bad_values(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValueError, match=field):
        check_schedule(Schedule(**changes))


@pytest.mark.parametrize(("text", "expected"), [
    ("31.03.2027", date(2027, 3, 31)),
    ("20.02.", date(2027, 2, 20)),          # without a year: the next such day
    ("03.01.", date(2028, 1, 3)),           # already past this year
    ("2027-12-24", date(2027, 12, 24)),
    (" 1.4.2027 ", date(2027, 4, 1)),
    ("30.02.2027", None),
    ("irgendwann", None),
    ("2027/03/31", None),
])
def test_parse_day_reads_the_dates_people_type(text: str, expected: date | None) -> None:
    assert parse_day(text, date(2027, 1, 5)) == expected
