"""When the planner will next have something to do: a pure function of the same snapshot `plan` reads."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.core.calendar import add_local_days, next_allowed
from bot.core.planner import PENDING, NetworkView, ParticipantView, RoundView, next_opening


def next_due(networks: Iterable[NetworkView], now: datetime) -> datetime | None:
    """The earliest moment after `now` at which some network's round opens, closes, or a prompt or reminder falls
    due (None: nothing is ahead)."""
    moments = [moment for network in networks if (moment := network_next_due(network, now)) is not None]
    return min(moments, default=None)


def network_next_due(network: NetworkView, now: datetime) -> datetime | None:
    """The earliest moment after `now` at which `plan_network` has an action for this network, by its rules."""
    latest = network.latest
    if latest is None or not latest.open:
        opening = next_opening(network.schedule, network.created_at, None if latest is None else latest.period, now)
        return opening if opening > now else None
    moments = [latest.closes_at, *_nudges(network, latest, now)]
    later = [moment for moment in moments if moment > now]
    return min(later, default=None)


def _nudges(network: NetworkView, current: RoundView, now: datetime) -> Iterable[datetime]:
    """When each pending participant's next prompt or reminder may go out (quiet hours pushed aside)."""
    partners = {p.membership_id: p for p in network.partners}
    for participant in current.participants:
        partner = partners.get(participant.membership_id)
        if participant.status != PENDING or partner is None or partner.resting or partner.unreachable:
            continue
        moment = _nudge_at(network, participant, now)
        if moment is not None:  # one already due waits only for the quiet hours to end
            yield next_allowed(network.schedule, max(moment, now))


def _nudge_at(network: NetworkView, participant: ParticipantView, now: datetime) -> datetime | None:
    """The moment the participant's next prompt or reminder falls due, ignoring quiet hours."""
    if participant.snoozed_until is not None:
        return participant.snoozed_until
    if participant.prompted_at is None:
        return now
    for nth, days in enumerate(network.schedule.reminder_days, start=1):
        if nth > participant.reminders_sent:
            return add_local_days(network.schedule, participant.prompted_at, days)
    return None
