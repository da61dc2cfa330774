"""Rules over people rather than answers: fluctuation of contact persons (risk 9) and fading engagement (factor 1)."""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise

from bot.core.history import AnswerFact, History, MembershipEvent, RoundFacts, Signal
from bot.core.participation import event_round, missed_streak
from bot.core.risk.common import (
    QUARTER_ROUNDS,
    Finding,
    RuleMeta,
    assemble,
    evidence,
    network_min,
    param_value,
    rounds_up_to,
    setting,
)

FLUCTUATION = RuleMeta("fluctuation", 9, 1, "selektion")
ENGAGEMENT = RuleMeta("fading_engagement", None, 1, "selektion")
_EVENT_CODES = {"replaced": "contact_changed", "stepped_down": "stepped_down", "left": "left",
                "unreachable": "unreachable"}


def _is_announced_change(answer: AnswerFact) -> bool:
    return answer.concern and answer.kind != "text" and (
        answer.risk == 9 or (answer.risk is None and answer.factor == 1))


def fluctuation(history: History, round_id: int) -> list[Signal]:
    """Contact persons changed, left or unreachable; several new ones within a quarter; announced changes."""
    thresholds = history.thresholds
    rounds = rounds_up_to(history, round_id)
    number = rounds[-1].number
    quarter = {facts.number for facts in rounds[-max(1, int(setting(thresholds, "quarter_rounds", QUARTER_ROUNDS))):]}
    start = rounds[0].opened_at
    recent: dict[int, list[tuple[int, MembershipEvent]]] = defaultdict(list)  # organisation → (round, event)
    for event in sorted(history.events, key=lambda one: (one.at, one.organisation_id, one.kind)):
        belongs = event_round(history, event.at)
        if belongs is not None and belongs in quarter and (event.kind != "joined" or event.at > start):
            recent[event.organisation_id].append((belongs, event))
    total = len({partner.organisation_id for partner in history.partners} | set(recent))
    affected = {organisation for organisation, events in recent.items()
                if any(event.kind != "joined" for _, event in events)}
    network = len(affected) >= network_min(thresholds) and len(affected) / total >= thresholds.fluctuation_share
    findings: dict[int, Finding] = {}
    for organisation, events in recent.items():
        finding = Finding("info")
        for belongs, event in events:
            now = belongs == number
            if event.kind != "joined" and (now or network):
                urgent = now and event.kind in ("left", "unreachable")
                finding.add("urgent" if urgent else "warning",
                            evidence(_EVENT_CODES[event.kind], belongs, organisation))
        # a handover is the old person's "replaced" and the new one's "joined": count the replacements only, so a
        # new organisation's first contact person is no fluctuation
        new = sum(1 for _, event in events if event.kind == "replaced")
        if new >= thresholds.new_contacts_per_quarter:
            finding.add("warning", evidence("new_contacts", number, organisation, count=new))
        if finding.evidence:
            findings[organisation] = finding
    numbers = {facts.id: facts.number for facts in rounds}
    this_round = [answer for round_id, answers in history.by_round.items() if numbers.get(round_id) == number
                  for answer in answers]
    for answer in sorted(this_round, key=lambda one: (one.organisation_id, one.step_id)):
        if _is_announced_change(answer):
            findings.setdefault(answer.organisation_id, Finding("info")).add("info", evidence(
                "concern_answer", number, answer.organisation_id, step=answer.step_id,
                value=param_value(answer.value)))
    return assemble(FLUCTUATION, number, findings, total, thresholds.fluctuation_share, thresholds,
                    force_network=network, affected=len(affected))


def answer_days(history: History, facts: RoundFacts, organisation: int) -> float | None:
    """How many days after being asked an organisation finished the round (None when it did not answer)."""
    for taking_part in history.taking_part.get((facts.id, organisation), ()):
        if taking_part.prompted_at is not None and taking_part.finished_at is not None:
            return (taking_part.finished_at - taking_part.prompted_at).total_seconds() / 86400
    times = [answer.answered_at for answer in history.by_round.get(facts.id, ())
             if answer.organisation_id == organisation]
    return (max(times) - facts.opened_at).total_seconds() / 86400 if times else None


def fading_engagement(history: History, round_id: int) -> list[Signal]:
    """Missed check-ins in a row (warning) and ever later answers over the last trend_rounds rounds (info)."""
    thresholds = history.thresholds
    rounds = rounds_up_to(history, round_id)
    number = rounds[-1].number
    later = rounds[-thresholds.trend_rounds:] if 2 <= thresholds.trend_rounds <= len(rounds) else []
    findings: dict[int, Finding] = {}
    for partner in history.partners:
        if not partner.active:
            continue
        organisation = partner.organisation_id
        finding = Finding("info")
        missed = missed_streak(history, organisation, round_id)  # the one count /partners and the export show too
        if missed.rounds >= max(1, thresholds.missed_in_row) and missed.since is not None:
            finding.add("warning", evidence("missed", missed.since + missed.rounds - 1, organisation,
                                            rounds=missed.rounds, since=missed.since))
        days = [answer_days(history, facts, organisation) for facts in later]
        known = [one for one in days if one is not None]
        if later and len(known) == len(later) and all(
                after - before >= thresholds.later_days for before, after in pairwise(known)):
            finding.add("info", *(evidence("later_answers", facts.number, organisation, days=round(one, 1))
                                  for facts, one in zip(later, known, strict=True)))
        if finding.evidence:
            findings[organisation] = finding
    total = sum(1 for partner in history.partners if partner.active)
    return assemble(ENGAGEMENT, number, findings, total, thresholds.low_share, thresholds)
