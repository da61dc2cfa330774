"""When the rounds job must look next, and whether a simulated clock must stand still meanwhile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from bot.core.calendar import is_quiet, next_allowed
from bot.core.next_due import next_due
from bot.services import CONSENT_VERSION
from storage.db import rows
from storage.reports import rounds_to_report
from storage.rounds import schedule_of, snapshot

SHORTEST_WAIT = 0.05  # real seconds: the rounds job never looks more often than this


@dataclass(frozen=True)
class Ahead:
    """What lies ahead of `now`: the next moment something is due, and whether work is due right now."""

    due: datetime | None  # the next round opening, close, prompt, reminder or quiet-held message after now
    busy: bool  # a message may go out now or is on its way, or a closed round's report is still to be queued


def look_ahead(db: Database, now: datetime) -> Ahead:
    """The next due moment after `now` (rounds and messages held by quiet hours) and whether work is due now."""
    moments = [moment] if (moment := next_due(snapshot(db, now, CONSENT_VERSION), now)) is not None else []
    busy = bool(rounds_to_report(db))
    waiting = rows(db, "SELECT DISTINCT network_id, status FROM outbox WHERE status IN ('queued', 'sending')")
    for row in waiting:
        network_id = row["network_id"]
        if row["status"] == "sending" or network_id is None:
            busy = True
            continue
        schedule = schedule_of(db, int(network_id))
        if is_quiet(schedule, now):
            moments.append(next_allowed(schedule, now))
        else:
            busy = True
    return Ahead(min(moments, default=None), busy)


def wait_seconds(now: datetime, due: datetime | None, speed: float, longest: float) -> float:
    """Real seconds until the rounds job looks again: at the due moment on a clock running `speed` times real
    time, but after `longest` at the latest and `SHORTEST_WAIT` at the earliest."""
    if due is None:
        return longest
    return min(longest, max(SHORTEST_WAIT, (due - now).total_seconds() / speed))
