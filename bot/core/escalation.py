"""How many rounds in a row each signal has shown up: a signal seen again calls for a firmer next step than the same
tip word for word (bot.core.tips). Rounds that did not ask a signal's questions (a rotating question, a goal asked
every third round) are passed over rather than ending the row. Pure: reads a History, runs rules on earlier rounds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.core.history import History, RoundFacts, Signal
from bot.core.risk.rules import RULES

LOOK_BACK = 2  # earlier rounds that asked: enough to tell first, again (2) and persisting (3 or more)
MAX_SKIPPED = 6  # rounds looked at, at most, while passing over those that did not ask


def _concerned(signal: Signal) -> set[int]:
    """The organisations a signal is about: its own, or for a signal about the whole network those in its evidence."""
    if signal.organisations:
        return set(signal.organisations)
    return {evidence.organisation_id for evidence in signal.evidence if evidence.organisation_id is not None}


def _same(signal: Signal, earlier: Signal) -> bool:
    """The same concern: the same rule about a shared organisation (a partner's signal that became the network's
    goes on), or about the whole network both times without naming anyone."""
    if signal.rule != earlier.rule:
        return False
    now, before = _concerned(signal), _concerned(earlier)
    return bool(now & before) if now and before else not now and not before


def _asked(history: History, facts: RoundFacts, signal: Signal) -> bool:
    """Whether the round asked what the signal rests on: an answer to one of its evidence's questions by one of the
    organisations it concerns (signals without questions, about taking part, are asked every round)."""
    steps = {str(value) for evidence in signal.evidence for key, value in evidence.params if key == "step"}
    if not steps:
        return True
    concerned = _concerned(signal)
    return any(answer.step_id in steps and (not concerned or answer.organisation_id in concerned)
               for answer in history.by_round.get(facts.id, ()))


def escalate(history: History, round_id: int, signals: Sequence[Signal]) -> list[Signal]:
    """The signals of this round, each with its streak: 1 when the last earlier round that asked its questions had no
    such signal, 2 when it had, 3 when the one before that had it too (the rules run on earlier rounds only for the
    rules that fired now)."""
    current = history.round(round_id)
    before = sorted((facts for facts in history.rounds
                     if current.number - MAX_SKIPPED <= facts.number < current.number),
                    key=lambda facts: facts.number, reverse=True)
    found_then: dict[tuple[int, str], list[Signal]] = {}

    def then(facts: RoundFacts, rule: str) -> list[Signal]:
        """One rule's signals of an earlier round, each computed once (a rule unknown here found nothing)."""
        key = (facts.id, rule)
        if key not in found_then:
            found_then[key] = RULES[rule](history, facts.id) if rule in RULES else []
        return found_then[key]

    escalated = []
    for signal in signals:
        streak, looked = 1, 0
        for facts in before:
            if looked == LOOK_BACK:
                break
            if not _asked(history, facts, signal):
                continue
            looked += 1
            if not any(_same(signal, one) for one in then(facts, signal.rule)):
                break
            streak += 1
        escalated.append(replace(signal, streak=streak))
    return escalated
