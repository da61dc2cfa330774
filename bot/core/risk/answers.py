"""Rules over scale and choice answers, selected by risk factor and success factor (never by step id).

Each topic takes the answers (not texts) whose risk is one of its risks, or, for answers without a risk, whose
success factor is one of its factors. Per organisation and round: a low answer (level <= low_level: a scale answer,
or a choice whose option carries a level), a
concern answer (marked in the script) or a "none of them" partners answer is a sign. Severity per organisation:
info for a sign in this round or a falling level over the last trend_rounds answers; warning when the answer before
was a sign too, for a drop by `drop` points, or "don't know" in dont_know_rounds answers in a row (topics with
`dont_know`); urgent when the level collapsed (topics with `collapse`, see bot.core.risk.rules).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from bot.core.history import AnswerFact, Evidence, History, Severity, Signal, Thresholds
from bot.core.risk.common import (
    COLLAPSE_DROP,
    COLLAPSE_SHARE,
    Finding,
    Param,
    RuleMeta,
    assemble,
    evidence,
    is_falling,
    network_min,
    param_value,
    rounds_up_to,
    setting,
)
from bot.core.script.model import DONT_KNOW


@dataclass(frozen=True)
class Topic:
    """Which answers a rule reads and how it judges them."""

    meta: RuleMeta
    risks: tuple[int, ...]
    factors: tuple[int, ...]
    collapse: bool = False  # a steep drop or half the partners low is urgent
    dont_know: bool = False  # "don't know" in a row is a sign
    network_trend: bool = False  # a falling share of partners without a sign makes it a network signal

    def reads(self, answer: AnswerFact) -> bool:
        """Whether the answer belongs to the topic (its risk decides; its factor only when it has no risk)."""
        if answer.kind == "text":
            return False
        if answer.risk is not None:
            return answer.risk in self.risks
        return answer.factor in self.factors


GOAL_CLARITY = Topic(RuleMeta("low_goal_clarity", 1, 2, "regulation"), (1,), (2,))
BENEFIT = Topic(RuleMeta("unclear_benefit", 5, 3, "evaluation"), (5,), (3,), collapse=True, dont_know=True)
AGREEMENTS = Topic(RuleMeta("broken_agreements", 2, 4, "regulation"), (2,), (4, 6), network_trend=True)
BURDEN = Topic(RuleMeta("burden", 6, 5, "allokation"), (6, 7), ())
AUTONOMY = Topic(RuleMeta("autonomy", 8, 9, "regulation"), (8,), (9,))
OFFER = Topic(RuleMeta("offer_orientation", 3, 7, "evaluation"), (3,), (7,))
KNOWLEDGE = Topic(RuleMeta("little_knowledge", 4, 5, "allokation"), (4,), (5,))
LEADERSHIP = Topic(RuleMeta("leadership", None, 8, "selektion"), (), (8,))
ADVOCACY = Topic(RuleMeta("inner_advocacy", None, 10, "regulation"), (), (10,))
PARALLEL = Topic(RuleMeta("parallel_structures", None, 11, "selektion"), (), (11,))


def signs(answers: list[AnswerFact], round_number: int, thresholds: Thresholds) -> list[Evidence]:
    """The answers that are signs of a risk: low scale answers, concern answers, "none of them" partners answers."""
    found = []
    for answer in sorted(answers, key=lambda one: one.step_id):
        where = (round_number, answer.organisation_id)
        if answer.kind == "scale" and answer.level is not None and answer.level <= thresholds.low_level:
            found.append(evidence("low_answer", *where, step=answer.step_id, value=answer.level))
        elif answer.concern:
            found.append(evidence("concern_answer", *where, step=answer.step_id, value=param_value(answer.value)))
        elif answer.level is not None and answer.level <= thresholds.low_level:  # a choice whose option has a level
            found.append(evidence("low_answer", *where, step=answer.step_id, value=param_value(answer.value)))
        elif answer.kind == "partners" and answer.value == ():
            found.append(evidence("no_cooperation", *where, step=answer.step_id))
    return found


def _series(by_round: dict[int, list[AnswerFact]], numbers: list[int], number: int,
            wanted: int) -> dict[str, list[tuple[int, AnswerFact]]]:
    """Per question answered with a level in round `number`: its newest levelled answers of this organisation up to
    then (at most `wanted`, oldest first, the baseline counting as round 0)."""
    found: dict[str, list[tuple[int, AnswerFact]]] = {}
    for answer in by_round.get(number, ()):
        if answer.level is not None:
            found.setdefault(answer.step_id, [])
    for one in reversed(numbers):
        for answer in by_round[one]:
            series = found.get(answer.step_id)
            if series is not None and answer.level is not None and len(series) < wanted:
                series.append((one, answer))
    return {step: list(reversed(series)) for step, series in sorted(found.items())}


def _judge(topic: Topic, by_round: dict[int, list[AnswerFact]], number: int, thresholds: Thresholds) -> Finding | None:
    """What the topic's answers of one organisation say in round `number`, looking back over its earlier answers."""
    now = by_round.get(number)
    if not now:
        return None
    numbers = sorted(one for one in by_round if one <= number)
    organisation = now[0].organisation_id
    found = signs(now, number, thresholds)
    finding = Finding("info", list(found))
    if found and len(numbers) >= 2:
        before = signs(by_round[numbers[-2]], numbers[-2], thresholds)
        if before:
            finding.evidence[:0] = before
            finding.add("warning")
    # Levels are compared per question: two questions of one topic (agreements kept, network rules) are two scales.
    for step, series in _series(by_round, numbers, number, max(2, thresholds.trend_rounds)).items():
        latest = series[-1][1]
        earlier = series[-2][1] if len(series) >= 2 else latest
        fall = (earlier.level or 0) - (latest.level or 0)
        if fall >= thresholds.drop:
            collapsed = (topic.collapse and (latest.level or 0) <= thresholds.low_level
                         and fall >= setting(thresholds, "collapse_drop", COLLAPSE_DROP))
            shown: dict[str, Param] = {"before": earlier.level or 0, "after": latest.level or 0}
            if latest.kind != "scale":  # name the options chosen
                shown = {"before": param_value(earlier.value), "after": param_value(latest.value)}
            finding.add("urgent" if collapsed else "warning",
                        evidence("drop", number, organisation, step=step, **shown))
        trend = [answer.level or 0 for _, answer in series[-thresholds.trend_rounds:]]
        if thresholds.trend_rounds >= 2 and len(trend) == thresholds.trend_rounds and is_falling(trend):
            finding.add("info", evidence("falling_trend", number, organisation,
                                         factor=latest.factor or topic.meta.factor,
                                         levels=",".join(str(level) for level in trend)))
    in_row = thresholds.dont_know_rounds
    recent = numbers[-in_row:]
    if topic.dont_know and in_row >= 1 and len(recent) == in_row and all(
            any(answer.value == DONT_KNOW for answer in by_round[one]) for one in recent):
        step = next(answer.step_id for answer in now if answer.value == DONT_KNOW)
        finding.add("warning", evidence("dont_know", number, organisation, step=step, rounds=in_row))
    if not finding.evidence:
        return None
    steps = {dict(one.params).get("step") for one in finding.evidence}
    risks = sorted({answer.risk for one in numbers for answer in by_round[one]
                    if answer.risk in topic.risks and answer.step_id in steps})
    risks = risks or sorted({answer.risk for answer in now if answer.risk in topic.risks})
    finding.risk = risks[0] if risks else None
    return finding


def topic_signals(topic: Topic, history: History, round_id: int) -> list[Signal]:
    """The signals of one topic as of this round."""
    thresholds = history.thresholds
    rounds = rounds_up_to(history, round_id)
    numbers = history.numbers_up_to(round_id)  # with the baseline (round 0): where each partner's trend starts
    number = rounds[-1].number
    answers: dict[int, dict[int, list[AnswerFact]]] = defaultdict(lambda: defaultdict(list))
    for answer in history.about(topic.risks, topic.factors):  # what topic.reads takes, in stored order
        if answer.round_id in numbers:
            answers[answer.organisation_id][numbers[answer.round_id]].append(answer)
    findings = {organisation: finding for organisation, by_round in answers.items()
                if (finding := _judge(topic, by_round, number, thresholds)) is not None}
    total = sum(1 for by_round in answers.values() if number in by_round)
    low = sum(1 for by_round in answers.values() if any(
        answer.level is not None and answer.level <= thresholds.low_level
        for answer in by_round.get(number, [])))
    severity: Severity = "warning"
    if topic.collapse and low >= network_min(thresholds) and low / max(total, 1) >= setting(
            thresholds, "collapse_share", COLLAPSE_SHARE):
        severity = "urgent"
    extra: list[Evidence] = []
    if topic.network_trend and thresholds.trend_rounds >= 2:
        kept = []
        for facts in rounds[-thresholds.trend_rounds:]:
            answering = [by_round[facts.number] for by_round in answers.values() if by_round.get(facts.number)]
            unsigned = sum(1 for given in answering if not signs(given, facts.number, thresholds))
            # A share of one or two answers would be their answers: such rounds do not count.
            kept.append(round(100 * unsigned / len(answering)) if len(answering) >= TREND_MIN_ANSWERS else -1)
        if len(kept) == thresholds.trend_rounds and min(kept) >= 0 and is_falling(kept):
            extra.append(evidence("falling_trend", number, None, factor=topic.meta.factor,
                                  levels=",".join(str(share) for share in kept)))
    return assemble(topic.meta, number, findings, total, thresholds.low_share, thresholds,
                    force_network=bool(extra), network_severity=severity, extra=extra)


TREND_MIN_ANSWERS = 3


def low_goal_clarity(history: History, round_id: int) -> list[Signal]:
    """Low or falling goal-clarity answers (risk 1, success factor 2)."""
    return topic_signals(GOAL_CLARITY, history, round_id)


def unclear_benefit(history: History, round_id: int) -> list[Signal]:
    """Low, dropping or collapsed benefit answers, or "don't know" in a row (risk 5, success factor 3)."""
    return topic_signals(BENEFIT, history, round_id)


def broken_agreements(history: History, round_id: int) -> list[Signal]:
    """Agreements reported as not kept, and a falling share of partners keeping them (risk 2, factors 4, 6)."""
    return topic_signals(AGREEMENTS, history, round_id)


def burden(history: History, round_id: int) -> list[Signal]:
    """Less time for the network or too few resources (risks 6, 7)."""
    return topic_signals(BURDEN, history, round_id)


def autonomy(history: History, round_id: int) -> list[Signal]:
    """A partner's autonomy seems restricted (risk 8, success factor 9)."""
    return topic_signals(AUTONOMY, history, round_id)


def offer_orientation(history: History, round_id: int) -> list[Signal]:
    """Help shaped by the existing offers rather than by people's needs (risk 3, success factor 7)."""
    return topic_signals(OFFER, history, round_id)


def little_knowledge(history: History, round_id: int) -> list[Signal]:
    """Partners working with none of the others, or other signs of risk 4 (success factor 5)."""
    return topic_signals(KNOWLEDGE, history, round_id)


def leadership(history: History, round_id: int) -> list[Signal]:
    """The partner's decision makers are not on board (success factor 8)."""
    return topic_signals(LEADERSHIP, history, round_id)


def inner_advocacy(history: History, round_id: int) -> list[Signal]:
    """The network's ideas do not reach the partner's own routines (success factor 10)."""
    return topic_signals(ADVOCACY, history, round_id)


def parallel_structures(history: History, round_id: int) -> list[Signal]:
    """The network works beside other local networks instead of with them (success factor 11)."""
    return topic_signals(PARALLEL, history, round_id)
