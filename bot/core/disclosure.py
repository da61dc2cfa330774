"""One place decides what may be shown of a round's answers: the network's privacy for that round, how many
organisations answered it, and the outlet (who reads it). Every outlet asks here: the digest (at a round's close and
on /digest), urgent alerts, the partners' feedback, the chart, the network map, /partners, /export and the coaching
topics, /notes and /goals (the coordinator browsing the partners' words) and the period report (PDF, read by the
coordinator and those they share it with): like the digest.

The rule: in an anonymous round nothing derived from the answers is shown unless at least MIN_ANSWERING
organisations answered, and then only aggregated and without names. A named round shows the coordinator who answered
what; the partners, who read the feedback, never see names and get aggregates under the same rule as an anonymous
round. Who took part, joined, changed, left or cannot be reached is no answer: it is always shown by organisation.

"Answered" means answers given while the round was open. Answers given after it closed (late) are stored and
listed by name in a named export, but count in no result, so a closed round's results never change afterwards and
a late answer cannot be told from the difference.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Literal

from bot.core.history import BASELINE_ROUND, History, Privacy, RoundFacts, Signal

Outlet = Literal["digest", "alert", "feedback", "chart", "map", "partners", "export", "coaching", "report", "notes"]
Shown = Literal["nothing", "aggregate", "named"]
OUTLETS: tuple[Outlet, ...] = ("digest", "alert", "feedback", "chart", "map", "partners", "export", "coaching",
                               "report", "notes")
MIN_ANSWERING = 3  # organisations that must have answered before anything derived from anonymous answers is shown
PARTNER_OUTLETS: frozenset[Outlet] = frozenset({"feedback"})  # read by the partners, never by name
# Participation and membership facts: always shown by organisation, whatever the privacy choice.
MEMBERSHIP_CODES = frozenset({"missed", "later_answers", "contact_changed", "stepped_down", "unreachable", "left",
                              "joined", "new_contacts"})


def disclosure(privacy: Privacy, answering: int, outlet: Outlet) -> Shown:
    """What an outlet may show of a round's answers: "named" (who answered what: a named round, read by the
    coordinator), "aggregate" (counts, means, distributions and texts without names: at least MIN_ANSWERING
    organisations answered), or "nothing" derived from the answers."""
    if privacy == "named" and outlet not in PARTNER_OUTLETS:
        return "named"
    return "aggregate" if answering >= MIN_ANSWERING else "nothing"


def answering(history: History, round_id: int) -> int:
    """How many organisations answered in the round (while it was open; the history holds no late answers)."""
    return history.answering.get(round_id, 0)


def round_facts(history: History, round_id: int) -> RoundFacts:
    """The round with this id (KeyError if the history has none)."""
    return history.round(round_id)


def round_disclosure(history: History, round_id: int, outlet: Outlet) -> Shown:
    """What an outlet may show of this round's answers; nothing of an anonymous round while it is open (two looks at
    it, or an alert, one answer apart would tell that answer)."""
    facts = round_facts(history, round_id)
    if facts.privacy == "anonymous" and not facts.closed:
        return "nothing"
    return disclosure(facts.privacy, answering(history, round_id), outlet)


def history_as_of(history: History, round_id: int, outlet: Outlet) -> History:
    """What an outlet may draw on for one round's results (rules, trends, the one before): the round's own answers,
    those of earlier rounds it may show, in a named round only those given named (earlier answers given anonymously
    stay anonymous), and the onboarding baseline likewise (given under the setting of its moment; over at least
    MIN_ANSWERING organisations where names may not be shown)."""
    current = round_facts(history, round_id)
    shown = round_disclosure(history, round_id, outlet)
    keep = {current.id}
    for facts in history.rounds:
        if facts.number < current.number:
            earlier = round_disclosure(history, facts.id, outlet)
            if earlier != "nothing" and (shown != "named" or earlier == "named"):
                keep.add(facts.id)
    baseline = [answer for answer in history.answers if answer.round_id == BASELINE_ROUND]
    if shown == "named":
        baseline = [answer for answer in baseline if history.privacy_at(answer.answered_at) == "named"]
    elif len({answer.organisation_id for answer in baseline}) < MIN_ANSWERING:
        baseline = []
    kept = set(baseline)
    answers = tuple(answer for answer in history.answers if answer.round_id in keep or answer in kept)
    return history if len(answers) == len(history.answers) else replace(history, answers=answers)


def strictest(privacies: Iterable[Privacy]) -> Privacy:
    """The privacy of several rounds taken together: anonymous if any of them is."""
    return "anonymous" if any(privacy == "anonymous" for privacy in privacies) else "named"


def is_membership_signal(signal: Signal) -> bool:
    """Whether a signal rests only on participation and membership facts (always shown by organisation)."""
    return all(evidence.code in MEMBERSHIP_CODES for evidence in signal.evidence)


def visible_signals(signals: Iterable[Signal], shown: Shown) -> list[Signal]:
    """The signals an outlet may show, in their order: all of them, or, when nothing derived from the answers may be
    shown, those resting on participation and membership facts only."""
    return [signal for signal in signals if shown != "nothing" or is_membership_signal(signal)]
