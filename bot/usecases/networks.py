"""The operator's view of every network (`python -m bot network list`) and the check for a name already taken."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from bot.core.calendar import check_schedule, local
from bot.core.planner import next_opening
from storage.networks import network_rows, networks_named
from storage.rounds import schedule_of


@dataclass(frozen=True)
class NetworkLine:
    """One network as the list shows it; `next_round` in the network's time zone (None: its schedule is damaged, and
    `problem` says how)."""

    id: int
    name: str
    coordinators: tuple[str, ...]
    contacts: int
    organisations: int
    privacy: str
    next_round: datetime | None
    timezone: str
    problem: str | None = None


def network_overview(db: Database, now: datetime) -> list[NetworkLine]:
    """Every network with its coordinators, partners, privacy and when its next round opens (by its schedule)."""
    lines = []
    for row in network_rows(db):
        plan = schedule_of(db, row.id)
        try:
            check_schedule(plan)
        except ValueError as damaged:  # the rounds job skips it too (and tells the admins)
            lines.append(NetworkLine(row.id, row.name, row.coordinators, row.contacts, row.organisations,
                                     row.privacy, None, plan.timezone, str(damaged)))
            continue
        opens = next_opening(plan, row.created_at, row.latest_period, now)
        lines.append(NetworkLine(row.id, row.name, row.coordinators, row.contacts, row.organisations, row.privacy,
                                 local(plan, opens), plan.timezone))
    return lines


def same_name(db: Database, name: str) -> list[tuple[int, str]]:
    """(id, name) of the networks already called `name`, ignoring case and spacing."""
    return networks_named(db, name)
