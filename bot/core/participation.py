"""Facts about taking part, each from one function, so that the digest, /partners, the export and the rules never
disagree: missed check-ins in a row, and what changed with an organisation's contact person in a round."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.core.history import History, MembershipEvent, ParticipationStatus, RoundFacts

Change = Literal["new_partner", "contact_changed", "stepped_down", "left", "unreachable"]
CHANGES: tuple[Change, ...] = ("new_partner", "contact_changed", "stepped_down", "unreachable", "left")


def missed_in_row(statuses: Iterable[ParticipationStatus | None]) -> int:
    """How many rounds in a row an organisation missed, counting back from the last of `statuses` (oldest first;
    None: it was not asked in that round, which ends the count like any answer or pause)."""
    count = 0
    for status in reversed(list(statuses)):
        if status != "missed":
            break
        count += 1
    return count


@dataclass(frozen=True)
class Missed:
    """Missed check-ins in a row up to a round: how many, and the round number of the first of them."""

    rounds: int
    since: int | None


def missed_streak(history: History, organisation_id: int, round_id: int) -> Missed:
    """The closed rounds up to this one that the organisation missed in a row, counting back from the newest closed
    one (an open round does not count yet)."""
    number = history.round(round_id).number
    closed = [facts for facts in history.rounds if facts.closed and facts.number <= number]
    statuses = [_status(history, facts, organisation_id) for facts in closed]
    count = missed_in_row(statuses)
    return Missed(count, closed[-count].number if count else None)


def _status(history: History, facts: RoundFacts, organisation_id: int) -> ParticipationStatus | None:
    taking_part = history.taking_part.get((facts.id, organisation_id))
    return taking_part[0].status if taking_part else None


def round_window(history: History, round_id: int) -> tuple[datetime | None, datetime]:
    """The time a round's membership events belong to: after the round before closed, until this one closes."""
    current = history.round(round_id)
    earlier = [facts for facts in history.rounds if facts.number == current.number - 1]
    return (earlier[0].closes_at if earlier else None), current.closes_at


def event_round(history: History, at: datetime) -> int | None:
    """The number of the round whose window (round_window) a moment falls in; None after the newest round closed."""
    for facts in history.rounds:
        since, until = round_window(history, facts.id)
        if (since is None or at > since) and at <= until:
            return facts.number
    return None


def membership_changes(history: History, round_id: int) -> dict[int, list[Change]]:
    """What happened with each organisation's contact person in the round's window, in CHANGES order: a new
    partner (the organisation's first contact person joined), a contact change (a new contact person took over from
    an earlier one: the old one's "replaced" and the new one's "joined" are one change, also when the old one stepped
    down first and the successor joined later), a contact person who stepped down and whose successor has not joined
    yet ("stepped_down"), left, unreachable."""
    since, until = round_window(history, round_id)
    first_join: dict[int, datetime] = {}
    for event in history.events:
        if event.kind == "joined" and (event.organisation_id not in first_join
                                       or event.at < first_join[event.organisation_id]):
            first_join[event.organisation_id] = event.at
    found: dict[int, set[Change]] = {}
    for event in history.events:
        if not _within(event, since, until):
            continue
        change = _change(event, first_join)
        if change is not None:
            found.setdefault(event.organisation_id, set()).add(change)
    return {organisation: [change for change in CHANGES if change in changes]
            for organisation, changes in sorted(found.items())}


def _change(event: MembershipEvent, first_join: dict[int, datetime]) -> Change | None:
    if event.kind == "joined":
        return "new_partner" if first_join.get(event.organisation_id) == event.at else "contact_changed"
    if event.kind == "replaced":
        return "contact_changed"
    if event.kind == "stepped_down":
        return "stepped_down"
    return "left" if event.kind == "left" else "unreachable"


def _within(event: MembershipEvent, since: datetime | None, until: datetime) -> bool:
    return (since is None or event.at > since) and event.at <= until
