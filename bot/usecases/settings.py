"""/settings: a network's schedule (when rounds open, remind and close; quiet hours; holidays), read and changed."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from bot.core.calendar import Schedule
from bot.core.planner import next_opening
from storage.people import network_created_at
from storage.rounds import latest_round, save_schedule, schedule_of


def network_schedule(db: Database, network_id: int) -> Schedule:
    """The network's schedule (the defaults until a coordinator changes one)."""
    return schedule_of(db, network_id)


def next_round_opens(db: Database, network_id: int, plan: Schedule, now: datetime) -> datetime:
    """When the network's next round opens under this schedule."""
    latest = latest_round(db, network_id)
    return next_opening(plan, network_created_at(db, network_id), latest.period if latest else None, now)


def change_schedule(db: Database, network_id: int, plan: Schedule, now: datetime) -> None:
    """Store the network's new schedule (checked by the caller: bot.core.calendar.check_schedule)."""
    save_schedule(db, network_id, plan, now)
