"""When a partner answers: "Later" or "Skip this time" under a round's prompt, and pauses (/pause)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlite_utils import Database

from bot.core.calendar import Schedule, next_working_morning
from storage.people import Membership
from storage.rounds import (
    Participation,
    end_pause,
    participation,
    paused_until,
    schedule_of,
    set_pause,
    sit_out,
    snooze,
)

__all__ = ["Participation", "Schedule", "TooLate", "end_pause", "pause", "paused_until", "place", "schedule",
           "sit_out_place", "snooze_place", "too_late"]

TooLate = Literal["answered", "closed", "sat_out"]


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


def too_late(place_: Participation) -> TooLate | None:
    """Why "Later" or "Skip this time" no longer applies: the partner answered, the round closed, or they already sit
    it out; None while they may still decide."""
    if place_.status in ("done", "late"):
        return "answered"
    if not place_.round.open:
        return "closed"
    return "sat_out" if place_.status == "excused" else None


def sit_out_place(db: Database, member: Membership, place_: Participation) -> TooLate | None:
    """Sit this round out (excused: no more prompts or reminders in it); None when done, else why it was too late
    (then nothing changed)."""
    if (reason := too_late(place_)) is not None:
        return reason
    if sit_out(db, place_.round.id, member.id):
        return None
    fresh = place(db, place_.round.id, member)  # it changed meanwhile: answered, or the round closed
    return (too_late(fresh) if fresh is not None else None) or "closed"
