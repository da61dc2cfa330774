"""Run what is due now: plan from a database snapshot, then apply each action with its messages in one transaction."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from babel.dates import format_date
from sqlite_utils import Database

from bot.core.calendar import Schedule, local
from bot.core.planner import Action, AddParticipant, CloseRound, NetworkView, OpenRound, Prompt, plan_network
from bot.i18n import Catalogs
from bot.services import CONSENT_VERSION
from bot.telegram import callbacks
from storage.checkins import round_checkin
from storage.outbox import Outgoing
from storage.people import Membership, membership_by_id
from storage.rounds import (
    RoundInfo,
    add_participant,
    answer_counts,
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
    if isinstance(action, Prompt):
        message = prompt_message(catalogs, member, current, schedule, action.again, action.snoozed_until)
        return record_prompt(db, current.id, member.id, action.reminders_due, message, now)
    started = round_checkin(db, member.id, current.id) is not None
    message = reminder_message(catalogs, db, member, current, schedule, action.nth, started, now)
    return record_reminder(db, current.id, member.id, action.nth, message, now)


def month_name(period: str, locale: str) -> str:
    """"Januar 2027" for "2027-01"."""
    year, month = (int(part) for part in period.split("-"))
    return format_date(date(year, month, 1), "MMMM yyyy", locale=locale)


def local_day(schedule: Schedule, moment: datetime, locale: str) -> str:
    """The moment's local date, written out: "15. Januar 2027"."""
    return format_date(local(schedule, moment).date(), format="long", locale=locale)


def _keyboard(*buttons: tuple[str, str]) -> dict[str, Any]:
    return {"inline_keyboard": [[{"text": text, "callback_data": data} for text, data in buttons]]}


def prompt_message(catalogs: Catalogs, member: Membership, current: RoundInfo, schedule: Schedule,
                   again: bool = False, snoozed_until: datetime | None = None) -> Outgoing:
    """The invitation to a round's check-in, with Start and Later buttons."""
    _ = catalogs.gettext(member.locale)
    month = month_name(current.period, member.locale)
    until = local_day(schedule, current.closes_at, member.locale)
    if again:
        text = _("As promised, here is the check-in for {month} again. Please answer by {date}.").format(
            month=month, date=until)
        key = f"prompt:{current.id}:{member.id}:again:{snoozed_until.isoformat() if snoozed_until else ''}"
    else:
        text = _("Hello {name}! The network check-in for {month} is open: about two minutes, mostly one tap per "
                 "question. Please answer by {date}.").format(name=member.first_name, month=month, date=until)
        key = f"prompt:{current.id}:{member.id}"
    markup = _keyboard((_("Start now"), callbacks.RoundPrompt(current.id, "go").pack()),
                       (_("Later"), callbacks.RoundPrompt(current.id, "later").pack()))
    return Outgoing(key, "prompt", member.user_id, text, markup, current.network_id, member.id, current.id)


def reminder_message(catalogs: Catalogs, db: Database, member: Membership, current: RoundInfo, schedule: Schedule,
                     nth: int, started: bool, now: datetime) -> Outgoing:
    """A short reminder with how many partners answered and a button that continues where the partner stopped."""
    _ = catalogs.gettext(member.locale)
    ngettext = catalogs.ngettext(member.locale)
    answered, total = answer_counts(db, current.id, now)
    lines = [_("A short reminder: your check-in for {month} is still open until {date}.").format(
        month=month_name(current.period, member.locale),
        date=local_day(schedule, current.closes_at, member.locale))]
    if answered:
        lines.append(ngettext("{answered} of {total} partners has already answered.",
                              "{answered} of {total} partners have already answered.", answered).format(
            answered=answered, total=total))
    label = _("Continue") if started else _("Start now")
    markup = _keyboard((label, callbacks.RoundPrompt(current.id, "go").pack()))
    return Outgoing(f"remind:{current.id}:{member.id}:{nth}", "reminder", member.user_id, "\n".join(lines), markup,
                    current.network_id, member.id, current.id)
