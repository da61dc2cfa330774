"""What is due now: a pure function of a snapshot of the rounds and a clock, returning actions as data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.calendar import Schedule, add_local_days, is_quiet, next_allowed, next_period, period_of, round_due

PENDING = "pending"


@dataclass(frozen=True)
class PartnerView:
    """An active partner of a network, as the planner needs to see them."""

    membership_id: int
    joined_at: datetime
    paused: bool = False
    unreachable: bool = False
    consent_pending: bool = False  # has not agreed to the current consent text yet: asked, not prompted

    @property
    def resting(self) -> bool:
        """Gets no prompts or reminders now and is excused at the close: paused, or the new consent text waits."""
        return self.paused or self.consent_pending


@dataclass(frozen=True)
class ParticipantView:
    """A partner's place in one round."""

    membership_id: int
    status: str
    prompted_at: datetime | None = None
    reminders_sent: int = 0
    snoozed_until: datetime | None = None


@dataclass(frozen=True)
class RoundView:
    """A round of a network with its participants."""

    id: int
    period: str
    opened_at: datetime
    closes_at: datetime
    open: bool
    participants: tuple[ParticipantView, ...] = ()


@dataclass(frozen=True)
class NetworkView:
    """One network: its schedule, its newest round and its active partners."""

    id: int
    created_at: datetime
    schedule: Schedule
    partners: tuple[PartnerView, ...] = ()
    latest: RoundView | None = None


@dataclass(frozen=True)
class OpenRound:
    """Open the round of `period`; every listed partner becomes a participant (to be prompted)."""

    network_id: int
    period: str
    due_at: datetime
    closes_at: datetime
    members: tuple[int, ...]


@dataclass(frozen=True)
class AddParticipant:
    """A partner who joined while the round is open takes part; the welcome counts as their prompt."""

    round_id: int
    membership_id: int


@dataclass(frozen=True)
class Prompt:
    """Invite a participant to the round's check-in; `again` after a snooze."""

    network_id: int
    round_id: int
    membership_id: int
    again: bool = False
    reminders_due: int = 0
    snoozed_until: datetime | None = None


@dataclass(frozen=True)
class Remind:
    """Remind a participant who has not finished; `nth` is the reminder count after this one."""

    network_id: int
    round_id: int
    membership_id: int
    nth: int


@dataclass(frozen=True)
class CloseRound:
    """Close the round: unfinished participants become missed, or excused when paused or never asked."""

    network_id: int
    round_id: int
    excused: tuple[int, ...]


Action = OpenRound | AddParticipant | Prompt | Remind | CloseRound


def plan(networks: Sequence[NetworkView], now: datetime) -> list[Action]:
    """Every action due at `now`, network by network, in the order they must be applied."""
    actions: list[Action] = []
    for network in networks:
        actions.extend(plan_network(network, now))
    return actions


def plan_network(network: NetworkView, now: datetime) -> list[Action]:
    """The actions due for one network."""
    latest = network.latest
    if latest is not None and latest.open:
        if now >= latest.closes_at:
            return [_close(network, latest)]
        return _keep_going(network, latest, now)
    opening = _opening(network, latest, now)
    return [] if opening is None else [opening]


def _opening(network: NetworkView, latest: RoundView | None, now: datetime) -> OpenRound | None:
    """The round of the current month, once its due time (moved out of quiet hours) has come."""
    schedule = network.schedule
    period = period_of(schedule, now)
    if latest is not None and latest.period >= period:
        return None
    due = round_due(schedule, period)
    # A network created after this month's due time starts with next month's round.
    if due < network.created_at or now < next_allowed(schedule, due) or is_quiet(schedule, now):
        return None
    members = tuple(p.membership_id for p in network.partners if p.joined_at <= now)
    return OpenRound(network.id, period, due, add_local_days(schedule, now, schedule.close_days), members)


def _close(network: NetworkView, current: RoundView) -> CloseRound:
    paused = {p.membership_id for p in network.partners if p.resting}
    unreachable = {p.membership_id for p in network.partners if p.unreachable}
    active = {p.membership_id for p in network.partners}
    # Excused: paused (or waiting to agree to a new consent text) at the close, never asked (not for being
    # unreachable), or no longer in the network.
    excused = tuple(
        p.membership_id
        for p in current.participants
        if p.status == PENDING
        and (p.membership_id in paused or p.membership_id not in active
             or (p.prompted_at is None and p.membership_id not in unreachable))
    )
    return CloseRound(network.id, current.id, excused)


def _keep_going(network: NetworkView, current: RoundView, now: datetime) -> list[Action]:
    """Newcomers join the open round; prompts and reminders go out when it is not quiet."""
    actions: list[Action] = []
    taking_part = {p.membership_id for p in current.participants}
    actions.extend(
        AddParticipant(current.id, p.membership_id)
        for p in network.partners
        if p.membership_id not in taking_part and p.joined_at <= now
    )
    if is_quiet(network.schedule, now):
        return actions
    partners = {p.membership_id: p for p in network.partners}
    for participant in current.participants:
        partner = partners.get(participant.membership_id)
        if participant.status != PENDING or partner is None or partner.resting or partner.unreachable:
            continue
        action = _nudge(network, current, participant, now)
        if action is not None:
            actions.append(action)
    return actions


# `days` local calendar days differ from days × 24 h by a daylight-saving change, or by 24 h where a zone once
# skipped a whole day (Samoa, 2011); before days × 24 h less this, no reminder can be due, whatever the zone.
_LOCAL_DAYS_SLACK = timedelta(hours=26)


def reminders_due(schedule: Schedule, prompted_at: datetime, now: datetime) -> int:
    """How many of the schedule's reminders have fallen due since the prompt."""
    due = 0
    for days in schedule.reminder_days:  # strictly increasing: the first not yet due ends the count
        # The exact local-calendar reckoning costs a dozen time-zone conversions; every tick asks for every
        # pending partner, most of them prompted hours ago, so the plain arithmetic rules those out first.
        if now < prompted_at + timedelta(days=days) - _LOCAL_DAYS_SLACK:
            break
        if add_local_days(schedule, prompted_at, days) > now:
            break
        due += 1
    return due


def _nudge(network: NetworkView, current: RoundView, participant: ParticipantView,
           now: datetime) -> Prompt | Remind | None:
    """The one message a pending participant is due, if any: a prompt, or one (catch-up) reminder."""
    schedule = network.schedule
    if participant.snoozed_until is not None:
        if now < participant.snoozed_until:
            return None
        prompted = participant.prompted_at or now
        return Prompt(network.id, current.id, participant.membership_id, again=True,
                      reminders_due=reminders_due(schedule, prompted, now), snoozed_until=participant.snoozed_until)
    if participant.prompted_at is None:
        return Prompt(network.id, current.id, participant.membership_id)
    due = reminders_due(schedule, participant.prompted_at, now)
    # After downtime several reminders may be due at once: one message catches up on all of them.
    if due > participant.reminders_sent:
        return Remind(network.id, current.id, participant.membership_id, due)
    return None


def next_opening(schedule: Schedule, created_at: datetime, latest_period: str | None, now: datetime) -> datetime:
    """When the network's next round will open, by the same rules as `plan` (for showing it to people)."""
    period = period_of(schedule, now)
    if latest_period is not None and latest_period >= period:
        period = next_period(period)
    if round_due(schedule, period) < created_at:
        period = next_period(period)
    return next_allowed(schedule, max(round_due(schedule, period), now))
