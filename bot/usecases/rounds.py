"""When a partner answers: "Later" under a round's prompt, and pauses (/pause)."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from bot.core.calendar import Schedule, next_working_morning
from storage.people import Membership
from storage.rounds import Participation, end_pause, participation, paused_until, schedule_of, set_pause, snooze

__all__ = ["Participation", "Schedule", "end_pause", "pause", "paused_until", "place", "schedule", "snooze_place"]


def place(db: Database, round_id: int, member: Membership) -> Participation | None:
    """The partner's place in a round (None: not theirs)."""
    return participation(db, round_id, member.id)


def schedule(db: Database, member: Membership) -> Schedule:
    """The member's network's schedule (time zone, quiet hours)."""
    return schedule_of(db, member.network_id)


def snooze_place(db: Database, member: Membership, place_: Participation, now: datetime) -> datetime:
    """Ask again on the next working morning; when that is."""
    until = next_working_morning(schedule(db, member), now)
    snooze(db, place_.round.id, member.id, until)
    return until


def pause(db: Database, member: Membership, until: datetime, now: datetime) -> None:
    """No check-ins or reminders until `until`."""
    set_pause(db, member.id, now, until, now)
