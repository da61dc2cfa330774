"""When the planner has something to do next (bot/core/next_due.py), and the commands' shared clock."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from bot.clock_anchor import anchored_now, command_now, note_clock
from bot.core.calendar import Schedule
from bot.core.next_due import network_next_due
from bot.core.planner import NetworkView, ParticipantView, PartnerView, RoundView, plan_network
from bot.services import SimulatedClock, system_clock

BERLIN = ZoneInfo("Europe/Berlin")
OPENED = datetime(2027, 1, 5, 9, 0, tzinfo=BERLIN)  # Tuesday


def _network(participant: ParticipantView | None = None, *, open_round: bool = True) -> NetworkView:
    partners = (PartnerView(1, OPENED - timedelta(days=30)),)
    latest = RoundView(1, "2027-01", OPENED, OPENED + timedelta(days=10), open_round,
                       (participant,) if participant else ())
    return NetworkView(1, OPENED - timedelta(days=60), Schedule(), partners, latest)


def test_the_next_round_opens_on_the_first_tuesday_at_nine() -> None:
    network = _network(open_round=False)
    assert network_next_due(network, OPENED + timedelta(days=12)) == datetime(2027, 2, 2, 9, 0, tzinfo=BERLIN)


def test_a_reminder_falling_on_a_saturday_is_due_on_monday_morning() -> None:
    # Prompted Wednesday 9:00; the 3-day reminder falls on Saturday: quiet until Monday 08:00.
    prompted = ParticipantView(1, "pending", OPENED + timedelta(days=1))
    due = network_next_due(_network(prompted), OPENED + timedelta(days=1, hours=1))
    assert due == datetime(2027, 1, 11, 8, 0, tzinfo=BERLIN)
    assert plan_network(_network(prompted), due) and not plan_network(_network(prompted), due - timedelta(minutes=1))


def test_a_snooze_is_due_when_it_ends_and_the_close_after_the_last_reminder() -> None:
    snoozed = ParticipantView(1, "pending", OPENED, snoozed_until=OPENED + timedelta(hours=5))
    assert network_next_due(_network(snoozed), OPENED + timedelta(hours=1)) == OPENED + timedelta(hours=5)
    reminded = ParticipantView(1, "pending", OPENED, reminders_sent=2)
    assert network_next_due(_network(reminded), OPENED + timedelta(days=8)) == OPENED + timedelta(days=10)


def test_a_prompt_held_by_the_night_is_due_at_eight() -> None:
    unprompted = ParticipantView(1, "pending")
    evening = datetime(2027, 1, 5, 20, 0, tzinfo=BERLIN)
    assert network_next_due(_network(unprompted), evening) == datetime(2027, 1, 6, 8, 0, tzinfo=BERLIN)


def test_commands_read_the_bots_simulated_clock_and_a_real_bot_clears_it(db: Database) -> None:
    start = datetime(2027, 1, 4, 8, 0, tzinfo=BERLIN)
    assert command_now(db, start) == start  # remembered, standing still, until a bot runs on the database
    assert anchored_now(db) == start
    clock = SimulatedClock(start + timedelta(hours=5), speed=3600)
    note_clock(db, clock)
    shown = command_now(db, None)
    assert abs(shown - clock()) < timedelta(hours=1)  # 3600x: a real second is an hour
    note_clock(db, system_clock)
    assert anchored_now(db) is None
    assert abs(command_now(db, None) - system_clock()) < timedelta(minutes=1)


def test_a_held_simulated_clock_stands_at_the_moment_and_then_runs_on_from_there() -> None:
    clock = SimulatedClock(datetime(2027, 1, 4, 8, 0, tzinfo=BERLIN), speed=1e9)  # a day in 0.1 ms
    moment = clock() + timedelta(days=1)
    clock.hold_at(moment)
    time.sleep(0.01)
    assert clock() == moment
    clock.hold_at(None)
    time.sleep(0.01)
    assert moment < clock() < moment + timedelta(days=1000)  # on from the moment: the time it stood is skipped
