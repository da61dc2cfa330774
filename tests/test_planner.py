"""The round planner on plain data: when rounds open, who is prompted and reminded, when rounds close."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.calendar import Schedule, add_local_days, next_allowed, round_due
from bot.core.planner import (
    AddParticipant,
    CloseRound,
    NetworkView,
    OpenRound,
    ParticipantView,
    PartnerView,
    Prompt,
    Remind,
    RoundView,
    plan,
    reminders_due,
)

DEFAULT = Schedule()
NO_HOLIDAYS = Schedule(quiet_holidays=False)
MINUTE = timedelta(minutes=1)


def utc(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2027) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


JAN_DUE = utc(1, 5, 8)  # Tuesday 5 January 2027, 09:00 in Berlin
JAN_CLOSE = utc(1, 15, 8)
CREATED = utc(12, 1, year=2026)


def partner(mid: int, joined: datetime = CREATED, paused: bool = False, unreachable: bool = False,
            consent_pending: bool = False) -> PartnerView:
    return PartnerView(mid, joined, paused, unreachable, consent_pending)


def asked(mid: int, prompted: datetime | None = JAN_DUE, sent: int = 0, status: str = "pending",
          snoozed: datetime | None = None) -> ParticipantView:
    return ParticipantView(mid, status, prompted, sent, snoozed)


def current(*participants: ParticipantView, opened: datetime = JAN_DUE, closes: datetime = JAN_CLOSE,
            period: str = "2027-01") -> RoundView:
    return RoundView(7, period, opened, closes, True, participants)


def network(*partners: PartnerView, latest: RoundView | None = None, schedule: Schedule = DEFAULT,
            created: datetime = CREATED) -> NetworkView:
    return NetworkView(1, created, schedule, partners or (partner(1),), latest)


@pytest.mark.parametrize("now", [utc(1, 1, 10), utc(1, 4, 12), utc(1, 5, 7, 59), JAN_DUE - timedelta(seconds=1)])
def test_nothing_happens_before_the_due_time(now: datetime) -> None:
    assert plan([network(partner(1), partner(2))], now) == []


def test_round_opens_at_the_due_time_with_the_partners_who_joined_by_then() -> None:
    view = network(partner(1), partner(2, joined=JAN_DUE), partner(3, joined=JAN_DUE + MINUTE))
    assert plan([view], JAN_DUE) == [OpenRound(1, "2027-01", JAN_DUE, JAN_CLOSE, (1, 2))]


@pytest.mark.parametrize(("schedule", "opens"), [
    (Schedule(state="BY", weekday=2), utc(1, 7, 7)),  # Wed 6 Jan is Epiphany in Bavaria: Thursday 08:00 local
    (Schedule(weekday=4), utc(1, 4, 7)),  # Fri 1 Jan is New Year: Monday 08:00 local (quiet end, not 09:00)
    (Schedule(hour=20), utc(1, 6, 7)),  # 20:00 is a quiet evening: next morning 08:00 local
    (Schedule(state="BW", weekday=2, quiet_holidays=False), utc(1, 6, 8)),  # holidays may be allowed
])
def test_a_due_time_in_quiet_time_waits_for_the_next_allowed_minute(schedule: Schedule, opens: datetime) -> None:
    due = round_due(schedule, "2027-01")
    assert next_allowed(schedule, due) == opens
    view = network(schedule=schedule)
    assert plan([view], opens - MINUTE) == []
    assert plan([view], opens) == [OpenRound(1, "2027-01", due, add_local_days(schedule, opens, 10), (1,))]


def test_a_network_created_after_the_due_time_starts_next_month() -> None:
    view = network(partner(1), created=JAN_DUE + timedelta(minutes=30))
    assert plan([view], utc(1, 5, 9)) == []
    assert plan([view], utc(1, 20, 10)) == []
    assert plan([view], utc(2, 2, 8)) == [OpenRound(1, "2027-02", utc(2, 2, 8), utc(2, 12, 8), (1,))]


@pytest.mark.parametrize(("now", "closes"), [
    (utc(1, 13, 8), utc(1, 23, 8)),  # back on a Wednesday morning: the round runs 10 local days from now
    (utc(1, 5, 17, 59), utc(1, 15, 17, 59)),  # 18:59 local is still allowed
    (utc(1, 6, 7), utc(1, 16, 7)),  # back during the night: opens at 08:00 local
    (utc(3, 22, 7), utc(4, 1, 6)),  # opened in winter time, closes at the same wall-clock time in summer time
])
def test_after_downtime_the_round_opens_at_the_first_allowed_moment(now: datetime, closes: datetime) -> None:
    period = f"2027-{now.month:02d}"
    assert plan([network()], now) == [OpenRound(1, period, round_due(DEFAULT, period), closes, (1,))]


@pytest.mark.parametrize("now", [utc(1, 5, 19), utc(1, 6, 6, 59), utc(1, 9, 10), utc(1, 10, 10)])
def test_a_late_opening_waits_through_quiet_nights_and_weekends(now: datetime) -> None:
    assert plan([network()], now) == []


def test_no_new_period_while_the_previous_round_is_open() -> None:
    late = current(asked(1, status="done"), opened=utc(1, 26, 8), closes=utc(2, 5, 8))
    assert plan([network(latest=late)], utc(2, 2, 8)) == []
    assert plan([network(latest=late)], utc(2, 5, 8)) == [CloseRound(1, 7, ())]
    closed = RoundView(7, "2027-01", JAN_DUE, JAN_CLOSE, False)
    assert plan([network(latest=closed)], utc(1, 20, 10)) == []
    assert plan([network(latest=closed)], utc(2, 2, 8)) == [OpenRound(1, "2027-02", utc(2, 2, 8), utc(2, 12, 8), (1,))]


def test_prompts_go_only_to_pending_partners_who_can_be_reached() -> None:
    partners = (partner(1), partner(2, paused=True), partner(3, unreachable=True), partner(4), partner(5))
    round_ = current(asked(1, None), asked(2, None), asked(3, None), asked(4, None, status="done"), asked(5),
                     asked(6, None))  # 6 has left the network
    view = network(*partners, latest=round_)
    assert plan([view], utc(1, 5, 8, 30)) == [Prompt(1, 7, 1)]
    assert plan([view], utc(1, 5, 19)) == []  # 20:00 local: quiet


@pytest.mark.parametrize(("now", "sent", "expected"), [
    (utc(1, 8, 7, 59), 0, None),
    (utc(1, 8, 8), 0, 1),  # day 3 at the prompt's local time
    (utc(1, 8, 8), 1, None),
    (utc(1, 11, 12), 1, None),  # between the reminders
    (utc(1, 12, 7, 59), 1, None),
    (utc(1, 12, 8), 1, 2),  # day 7
    (utc(1, 14, 12), 2, None),  # both sent
])
def test_reminders_fall_due_on_the_reminder_days(now: datetime, sent: int, expected: int | None) -> None:
    view = network(partner(1), latest=current(asked(1, sent=sent)))
    assert plan([view], now) == ([] if expected is None else [Remind(1, 7, 1, expected)])


def test_reminders_go_only_to_pending_participants() -> None:
    round_ = current(asked(1, sent=1), asked(2, sent=1, status="done"), asked(3, sent=1, status="late"),
                     asked(4, sent=1, status="excused"))
    view = network(partner(1), partner(2), partner(3), partner(4), latest=round_)
    assert plan([view], utc(1, 12, 8)) == [Remind(1, 7, 1, 2)]


def test_after_downtime_one_reminder_catches_up() -> None:
    now = utc(1, 13, 8)  # day 8: both reminders fell due while the bot was down
    assert reminders_due(DEFAULT, JAN_DUE, now) == 2
    view = network(partner(1), partner(2), latest=current(asked(1), asked(2, sent=1)))
    assert plan([view], now) == [Remind(1, 7, 1, 2), Remind(1, 7, 2, 2)]


@pytest.mark.parametrize(("now", "expected"), [
    (utc(1, 9, 8), None),  # Saturday, day 3
    (utc(1, 10, 12), None),  # Sunday
    (utc(1, 11, 6, 59), None),  # Monday 07:59 local
    (utc(1, 11, 7), 1),  # Monday 08:00 local, the end of the quiet night
])
def test_a_reminder_on_a_weekend_waits_for_monday_morning(now: datetime, expected: int | None) -> None:
    view = network(partner(1), latest=current(asked(1, prompted=utc(1, 6, 8))))
    assert plan([view], now) == ([] if expected is None else [Remind(1, 7, 1, expected)])


@pytest.mark.parametrize(("snoozed", "now", "expected_due"), [
    (utc(1, 6, 8), utc(1, 6, 7, 59), None),
    (utc(1, 6, 8), utc(1, 6, 8), 0),
    (utc(1, 11, 8), utc(1, 8, 8), None),  # no reminder while snoozed, though day 3 has come
    (utc(1, 11, 8), utc(1, 11, 8), 1),  # asked again; the day-3 reminder counts as covered
    (utc(1, 9, 8), utc(1, 9, 8), None),  # snoozed until a Saturday: quiet
    (utc(1, 9, 8), utc(1, 11, 7), 1),
])
def test_a_snoozed_participant_is_asked_again_at_snoozed_until(snoozed: datetime, now: datetime,
                                                              expected_due: int | None) -> None:
    view = network(partner(1), latest=current(asked(1, snoozed=snoozed)))
    expected = [] if expected_due is None else [Prompt(1, 7, 1, True, expected_due, snoozed)]
    assert plan([view], now) == expected


def test_close_excuses_paused_and_never_asked_partners_but_not_unreachable_ones() -> None:
    partners = (partner(1), partner(2), partner(3, paused=True), partner(4), partner(5, unreachable=True),
                partner(6, unreachable=True), partner(7, paused=True, unreachable=True), partner(8, paused=True))
    round_ = current(asked(1, status="done"), asked(2), asked(3), asked(4, None), asked(5, None), asked(6),
                     asked(7, None), asked(8, status="done"), asked(9, None), asked(10))  # 9, 10 have left
    view = network(*partners, latest=round_)
    assert plan([view], JAN_CLOSE - MINUTE) == [Remind(1, 7, 2, 2), Prompt(1, 7, 4)]
    assert plan([view], JAN_CLOSE) == [CloseRound(1, 7, (3, 4, 7, 9, 10))]  # who left is excused too
    assert plan([view], utc(1, 16, 3)) == [CloseRound(1, 7, (3, 4, 7, 9, 10))]  # closing is silent: quiet is no matter


def test_a_partner_yet_to_agree_to_a_new_consent_text_is_neither_prompted_nor_reminded_and_is_excused() -> None:
    partners = (partner(1, consent_pending=True), partner(2, consent_pending=True), partner(3))
    round_ = current(asked(1, None), asked(2), asked(3))
    view = network(*partners, latest=round_)
    assert plan([view], utc(1, 5, 9)) == []  # 1 is not prompted
    assert plan([view], utc(1, 8, 8)) == [Remind(1, 7, 3, 1)]  # 2 is due a reminder too, but waits as well
    assert plan([view], JAN_CLOSE) == [CloseRound(1, 7, (1, 2))]


def test_newcomers_join_the_open_round_even_in_quiet_time() -> None:
    partners = (partner(1), partner(2, joined=utc(1, 7, 11)), partner(3, joined=utc(1, 20)))
    view = network(*partners, latest=current(asked(1, status="done")))
    assert plan([view], utc(1, 7, 10)) == []
    assert plan([view], utc(1, 7, 11)) == [AddParticipant(7, 2)]
    assert plan([view], utc(1, 9, 23)) == [AddParticipant(7, 2)]
    assert plan([view], JAN_CLOSE) == [CloseRound(1, 7, ())]


@pytest.mark.parametrize(("schedule", "before", "at"), [
    (NO_HOLIDAYS, utc(3, 29, 6, 59), utc(3, 29, 7)),  # Mon 29 Mar 09:00 summer time = 07:00 UTC, not 08:00
    (DEFAULT, utc(3, 30, 5, 59), utc(3, 30, 6)),  # ... but Easter Monday is a holiday: Tue 08:00 local
])
def test_a_reminder_across_the_change_to_summer_time(schedule: Schedule, before: datetime, at: datetime) -> None:
    prompted = utc(3, 26, 8)  # Friday 26 March 2027, 09:00 winter time
    assert add_local_days(schedule, prompted, 3) == utc(3, 29, 7)
    round_ = current(asked(1, prompted=prompted), opened=prompted, closes=utc(4, 5, 7), period="2027-03")
    view = network(partner(1), latest=round_, schedule=schedule)
    assert plan([view], before) == []
    assert plan([view], at) == [Remind(1, 7, 1, 1)]
    assert plan([view], utc(4, 2, 7)) == [Remind(1, 7, 1, 2)]  # day 7: Fri 2 Apr, 09:00 summer time


def test_plan_covers_every_network_in_order() -> None:
    first = network(partner(1))
    second = NetworkView(2, CREATED, DEFAULT, (partner(5),), current(asked(5, sent=0)))
    assert plan([first, second], utc(1, 8, 8)) == [OpenRound(1, "2027-01", JAN_DUE, utc(1, 18, 8), (1,)),
                                                    Remind(2, 7, 5, 1)]


@pytest.mark.parametrize(("timezone", "prompted"), [
    ("Europe/Berlin", datetime(2027, 3, 25, 8, 0, tzinfo=UTC)),  # summer time begins 3 days later
    ("Europe/Berlin", datetime(2027, 10, 28, 7, 0, tzinfo=UTC)),  # and ends
    ("Pacific/Apia", datetime(2011, 12, 27, 20, 0, tzinfo=UTC)),  # Samoa skipped 30 December 2011
])
def test_reminders_due_agrees_with_the_local_calendar_every_half_hour(timezone: str, prompted: datetime) -> None:
    schedule = Schedule(timezone=timezone)
    for step in range(10 * 48):
        now = prompted + timedelta(minutes=30 * step)
        by_calendar = sum(1 for days in schedule.reminder_days if add_local_days(schedule, prompted, days) <= now)
        assert reminders_due(schedule, prompted, now) == by_calendar, now
