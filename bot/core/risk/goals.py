"""Risk 1, vague or divergent goals: how concrete the partners' goal statements are and whether they share one goal."""

from __future__ import annotations

from collections import defaultdict

from bot.core.goal_concepts import Agreement, concepts, diverge
from bot.core.goal_text import missing
from bot.core.history import AnswerFact, Evidence, History, Severity, Signal, Thresholds
from bot.core.risk.common import Finding, RuleMeta, assemble, evidence, rounds_up_to

VAGUE = RuleMeta("vague_goals", 1, 2, "regulation")
DIVERGENT = RuleMeta("divergent_goals", 1, 2, "regulation")
REASONS = ("whom", "result", "time")  # what a vague statement misses, in this order (the digest: "whom? ...")
_DEFAULT_MIN_WORDS = Thresholds().vague_min_words


def vague_reasons(text: str, min_words: int = _DEFAULT_MIN_WORDS) -> list[str]:
    """What a goal statement misses to be concrete, of REASONS in that order: [] when it names a result an outsider
    can check and a time frame (and whom it is for; "whom" is reported only beside another missing part).
    Statements of fewer than `min_words` words must name whom explicitly (bot.core.goal_text)."""
    return missing(text, min_words)


def is_goal_statement(answer: AnswerFact) -> bool:
    """Whether an answer is a typed goal statement: a text answer about risk 1 (vague goals). A text about goals
    without that risk (e.g. "what is missing for a clear goal") is no statement of the goal."""
    return answer.risk == 1 and answer.kind == "text" and isinstance(answer.value, str) and bool(answer.value.strip())


def _statements(history: History, round_id: int) -> dict[int, dict[int, list[AnswerFact]]]:
    """Goal statements up to the round (and from the onboarding, as round 0): organisation → round number →
    answers."""
    numbers = history.numbers_up_to(round_id)  # with the baseline: the goal a partner gave when it joined
    found: dict[int, dict[int, list[AnswerFact]]] = defaultdict(lambda: defaultdict(list))
    for answer in history.answers:
        if answer.round_id in numbers and is_goal_statement(answer):
            found[answer.organisation_id][numbers[answer.round_id]].append(answer)
    return found


def _vague(answers: list[AnswerFact], round_number: int, min_words: int) -> list[Evidence]:
    found = []
    for answer in sorted(answers, key=lambda one: one.step_id):
        why = vague_reasons(str(answer.value), min_words)
        if why:
            found.append(evidence("vague_goal", round_number, answer.organisation_id, step=answer.step_id,
                                  text=str(answer.value), why=",".join(why)))
    return found


def vague_goals(history: History, round_id: int) -> list[Signal]:
    """Vague goal statements in this round; a warning when the partner's statement before was vague too."""
    thresholds = history.thresholds
    number = rounds_up_to(history, round_id)[-1].number
    findings: dict[int, Finding] = {}
    statements = _statements(history, round_id)
    total = sum(1 for by_round in statements.values() if number in by_round)
    for organisation, by_round in statements.items():
        now = _vague(by_round.get(number, []), number, thresholds.vague_min_words)
        if not now:
            continue
        finding = findings[organisation] = Finding("info", now)
        earlier = [one for one in by_round if one < number]
        before = _vague(by_round[max(earlier)], max(earlier), thresholds.vague_min_words) if earlier else []
        if before:
            finding.evidence[:0] = before
            finding.add("warning")
    return assemble(VAGUE, number, findings, total, thresholds.low_share, thresholds)


def divergent_goals(history: History, round_id: int) -> list[Signal]:
    """Partners' newest goal statements (within trend_rounds rounds) that do not share one goal: fewer than all but
    one of them (both of two, and at least goal_overlap of them) pursue the same target group and field of help
    (bot.core.goal_concepts). Statements naming neither count for nor against. A network signal."""
    thresholds = history.thresholds
    rounds = rounds_up_to(history, round_id)
    number = rounds[-1].number
    window = {facts.number for facts in rounds[-max(1, thresholds.trend_rounds):]}
    newest: dict[int, tuple[int, list[AnswerFact]]] = {}
    for organisation, by_round in _statements(history, round_id).items():
        recent = [one for one in by_round if one in window]
        if recent:
            newest[organisation] = (max(recent), by_round[max(recent)])
    about = {organisation: concepts(" ".join(str(answer.value) for answer in answers))
             for organisation, (_, answers) in newest.items()}
    compared = sorted(organisation for organisation, found in about.items() if not found.empty)
    if len(compared) < 2 or not any(newest[organisation][0] == number for organisation in compared):
        return []
    apart, found = diverge([about[organisation] for organisation in compared], thresholds.goal_overlap)
    if not apart:
        return []
    shown = (evidence("divergent_goals", number, None, overlap=_share(found), statements=found.counted),
             *(evidence("goal_statement", newest[organisation][0], organisation, step=answer.step_id,
                        text=str(answer.value))
               for organisation in compared for answer in newest[organisation][1]))
    severity: Severity = "warning" if found.counted >= 3 else "info"
    return [Signal(DIVERGENT.rule, DIVERGENT.risk, DIVERGENT.factor, DIVERGENT.function, severity, (), shown, number)]


def _share(found: Agreement) -> float:
    """The share of the compared statements that pursue the most shared goal, rounded (the evidence's overlap)."""
    return round(found.share, 2)
