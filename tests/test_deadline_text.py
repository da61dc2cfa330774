"""A round's deadline as partners read it: weekday, day, month and the hour in the network's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.core.calendar import Schedule
from bot.i18n import local_deadline, weekday_date

BERLIN = Schedule()


@pytest.mark.parametrize(("moment", "locale", "expected"), [
    (datetime(2027, 1, 15, 8, 0, tzinfo=UTC), "de", "Freitag, 15. Januar, 9 Uhr"),
    (datetime(2027, 1, 15, 8, 0, tzinfo=UTC), "en", "Friday, 15 January, 9 am"),
    # minutes only when the hour is not full; summer time in Berlin is UTC+2
    (datetime(2027, 7, 2, 12, 30, tzinfo=UTC), "de", "Freitag, 2. Juli, 14:30 Uhr"),
    (datetime(2027, 7, 2, 12, 30, tzinfo=UTC), "en", "Friday, 2 July, 2:30 pm"),
    (datetime(2027, 3, 1, 6, 5, tzinfo=UTC), "de", "Montag, 1. März, 7:05 Uhr"),
    (datetime(2027, 3, 1, 6, 5, tzinfo=UTC), "en", "Monday, 1 March, 7:05 am"),
    # late evening in UTC is the next day in Berlin
    (datetime(2027, 12, 31, 23, 0, tzinfo=UTC), "de", "Samstag, 1. Januar, 0 Uhr"),
    (datetime(2027, 12, 31, 23, 0, tzinfo=UTC), "en", "Saturday, 1 January, 12 am"),
    # an unknown locale reads German, the primary language
    (datetime(2027, 1, 15, 8, 0, tzinfo=UTC), "fr", "Freitag, 15. Januar, 9 Uhr"),
])
def test_a_deadline_carries_weekday_day_month_and_hour(moment: datetime, locale: str, expected: str) -> None:
    assert local_deadline(BERLIN, moment, locale) == expected


def test_the_deadline_is_told_in_the_networks_time_zone() -> None:
    moment = datetime(2027, 1, 15, 8, 0, tzinfo=UTC)
    assert local_deadline(Schedule(timezone="America/New_York"), moment, "en") == "Friday, 15 January, 3 am"
    assert local_deadline(Schedule(timezone="Asia/Tokyo"), moment, "de") == "Freitag, 15. Januar, 17 Uhr"


def test_a_weekday_with_its_date() -> None:
    assert weekday_date(date(2027, 2, 3), "de") == "Mittwoch, 3. Februar"
    assert weekday_date(date(2027, 2, 3), "en") == "Wednesday, 3 February"
