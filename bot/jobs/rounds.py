"""Run what is due now: plan from a database snapshot, then apply each action with its messages in one transaction."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlite_utils import Database

from bot.core.planner import Action, AddParticipant, CloseRound, NetworkView, OpenRound, Prompt, plan_network
from bot.i18n import Catalogs
from bot.jobs.round_messages import missed_before, prompt_message, reminder_message
from bot.services import CONSENT_VERSION
from storage.checkins import round_checkin
from storage.people import membership_by_id
from storage.rounds import (
    add_participant,
    close_round,
    get_round,
    open_round,
    record_prompt,
    record_reminder,
    schedule_of,
    snapshot,
)

log = logging.getLogger(__name__)

_MAX_PASSES = 3  # opening a round makes prompts due at once; a few passes settle it
_CHUNK = 50  # actions per transaction: big enough to be cheap, small enough not to hold up the event loop
_BREATHER = 0.03


@dataclass
class Tally:
    """What one run did, by action kind."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str) -> None:
        """Count one applied action."""
        self.counts[kind] = self.counts.get(kind, 0) + 1

    @property
    def messages(self) -> int:
        """How many messages were queued."""
        return self.counts.get("Prompt", 0) + self.counts.get("Remind", 0)


def _steps(db: Database, catalogs: Catalogs, now: datetime, tally: Tally) -> Iterator[None]:
    """Plan and apply in chunks of one transaction each, yielding between chunks; one bad action skips only itself."""
    now = now.astimezone(UTC)  # stored times are UTC ISO strings and are compared as text
    broken: set[int] = set()
    for _pass in range(_MAX_PASSES):
        actions = _plan_each(snapshot(db, now, CONSENT_VERSION), now, broken)
        if not actions:
            break
        for start in range(0, len(actions), _CHUNK):
            with db.atomic():
                for action in actions[start:start + _CHUNK]:
                    try:
                        with db.atomic():
                            if apply(db, catalogs, action, now):
                                tally.add(type(action).__name__)
                    except Exception:
                        log.exception("rounds: could not apply %s", action)
            yield
    if broken:
        raise RoundsError(f"could not plan the rounds of network(s) {sorted(broken)}; the others went ahead")


class RoundsError(RuntimeError):
    """Some networks' rounds could not be planned (bad data); the error handler tells the admins."""


def _plan_each(networks: list[NetworkView], now: datetime, broken: set[int]) -> list[Action]:
    """The planner network by network: one network's bad data (say, a damaged schedule) stops only that one."""
    actions: list[Action] = []
    for network in networks:
        try:
            actions.extend(plan_network(network, now))
        except Exception:
            if network.id not in broken:
                log.exception("rounds: could not plan network %d", network.id)
            broken.add(network.id)
    return actions


def _log(tally: Tally) -> None:
    if tally.counts:
        log.info("rounds: %s", ", ".join(f"{k} {v}" for k, v in sorted(tally.counts.items())))


def run_due(db: Database, catalogs: Catalogs, now: datetime) -> Tally:
    """Apply everything due at `now`; safe to call any time and as often as wanted."""
    tally = Tally()
    for _chunk in _steps(db, catalogs, now, tally):
        pass
    _log(tally)
    return tally


async def run_due_stepwise(db: Database, catalogs: Catalogs, now: datetime, wake: Callable[[], None]) -> Tally:
    """run_due for the scheduler: lets the loop (and the sender) run between chunks, waking it once messages wait."""
    tally = Tally()
    for _chunk in _steps(db, catalogs, now, tally):
        if tally.messages:
            wake()
        # Once messages wait, pause a little between chunks: long enough for the sender's connection, sleeping in
        # SQLite's busy handler, to get the write lock for its claims.
        await asyncio.sleep(_BREATHER if tally.messages else 0)
    _log(tally)
    return tally


def apply(db: Database, catalogs: Catalogs, action: Action, now: datetime) -> bool:
    """Write one action (and the message it causes) in one transaction; False if it was moot."""
    if isinstance(action, OpenRound):
        return open_round(db, action.network_id, action.period, action.due_at, action.closes_at, action.members,
                          now) is not None
    if isinstance(action, AddParticipant):
        add_participant(db, action.round_id, action.membership_id, now)
        return True
    if isinstance(action, CloseRound):
        return close_round(db, action.round_id, action.excused, now)
    member = membership_by_id(db, action.membership_id)
    current = get_round(db, action.round_id)
    if member is None or current is None:
        return False
    schedule = schedule_of(db, action.network_id)
    missed = missed_before(db, member, current)
    if isinstance(action, Prompt):
        message = prompt_message(catalogs, member, current, schedule, action.again, action.snoozed_until, missed)
        return record_prompt(db, current.id, member.id, action.reminders_due, message, now)
    started = round_checkin(db, member.id, current.id) is not None
    message = reminder_message(catalogs, db, member, current, schedule, action.nth, started, now, missed)
    return record_reminder(db, current.id, member.id, action.nth, message, now)
