"""One concrete coaching tip per signal, chosen from the tips data by how the signal stands (first seen, again,
persisting, urgent about one partner), with the lever it pulls; the topics a coaching dialog offers."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from bot.core.digest.names import factor_name, function_name, signal_topic
from bot.core.history import Signal, sort_signals
from bot.core.script.model import Script, Value
from bot.core.tips import PARTNER, Stage, Tips

Gettext = Callable[[str], str]


def streak_stage(signal: Signal) -> Stage:
    """How long the signal has stood: first seen, again (two rounds) or persisting (three or more)."""
    return "first" if signal.streak <= 1 else "again" if signal.streak == 2 else "persisting"


def tip_stage(signal: Signal, named_partner: bool) -> Stage:
    """Which tip fits: an urgent signal about one partner calls for contacting it first (by name where the coordinator
    may know who it is); otherwise how long the signal has stood."""
    if signal.severity == "urgent" and len(signal.organisations) == 1:
        return "urgent_partner" if named_partner else "urgent_unnamed"
    return streak_stage(signal)


def tip(signal: Signal, tips: Tips, lang: str, _: Gettext, partner: str | None = None) -> str:
    """The coaching tip for a signal as one line, naming the management function it serves; `partner`: the name of
    the one organisation an urgent signal is about, where the coordinator may see it."""
    chosen = tips.pick(signal.rule, signal.risk, tip_stage(signal, partner is not None))
    text = chosen.text.get(lang) or chosen.text["de"]
    return _("Tip ({function}): {advice}").format(function=function_name(chosen.function or signal.function, _),
                                                  advice=text.replace(PARTNER, partner or ""))


# The success factor each rule aims at, and a rule whose tip fits each success factor chosen as a topic.
RULE_FACTOR: dict[str, int] = {
    "vague_goals": 2, "divergent_goals": 2, "low_goal_clarity": 2, "unclear_benefit": 3, "fluctuation": 1,
    "broken_agreements": 4, "burden": 5, "autonomy": 9, "offer_orientation": 7, "fading_engagement": 1,
    "little_knowledge": 5, "leadership": 8, "inner_advocacy": 10, "parallel_structures": 11}
FACTOR_RULE: dict[int, str] = {
    1: "fading_engagement", 2: "low_goal_clarity", 3: "unclear_benefit", 4: "broken_agreements",
    5: "little_knowledge", 6: "broken_agreements", 7: "offer_orientation", 8: "leadership", 9: "autonomy",
    10: "inner_advocacy", 11: "parallel_structures"}
FACTOR_TOPIC = "factor_"
MAX_SIGNAL_TOPICS = 5


def coaching_topics(signals: list[Signal], _: Gettext) -> tuple[tuple[str, str], ...]:
    """What the coordinator may choose to work on: this month's signals (most severe first), then the factors."""
    topics: dict[str, str] = {}
    for signal in sort_signals(signals):
        if len(topics) < MAX_SIGNAL_TOPICS:
            topics.setdefault(signal.rule, signal_topic(signal, _))
    for factor in range(1, 12):
        topics[f"{FACTOR_TOPIC}{factor}"] = factor_name(factor, _)
    return tuple(topics.items())


def topic_factor(topic: str) -> int | None:
    """The success factor a chosen topic aims at."""
    if topic.startswith(FACTOR_TOPIC) and topic[len(FACTOR_TOPIC):].isdigit():
        return int(topic[len(FACTOR_TOPIC):])
    return RULE_FACTOR.get(topic)


def topic_advice(topic: str, tips: Tips, lang: str, signals: Sequence[Signal] = ()) -> str:
    """Suggested actions for a chosen topic: its rule's tip (a factor's fitting rule), at the stage its signal of
    this round has reached (a step taken already is not suggested again)."""
    factor = topic_factor(topic)
    rule = FACTOR_RULE.get(factor or 0, topic) if topic.startswith(FACTOR_TOPIC) else topic
    standing = [streak_stage(signal) for signal in signals if signal.rule == rule]
    chosen = tips.pick(rule, None, max(standing, key=("first", "again", "persisting").index, default="first"))
    return chosen.text.get(lang) or chosen.text["de"]


def outcome_label(outcome: str | None, _: Gettext) -> str:
    """How an action went, in words ("open" while nobody said)."""
    return {"done": _("done"), "partly": _("partly done"), "not_done": _("not done")}.get(outcome or "", _("open"))


@dataclass(frozen=True)
class Commitment:
    """What a finished coaching dialog commits to: the chosen topic, the step, with whom, by when."""

    topic: str
    what: str
    with_whom: str | None
    due: str


def commitment(script: Script, answers: Mapping[str, Value]) -> Commitment | None:
    """The commitment in a finished dialog's answers: the focus step's topic and the `action` step (else the last
    text answered), `with_whom` and `by_when`; None without a topic or a step."""
    topic = next((str(answers[s.id]) for s in script.steps if s.kind == "focus" and s.id in answers), "")
    texts = [str(answers[s.id]) for s in script.steps if s.kind == "text" and answers.get(s.id)]
    what = str(answers.get("action") or (texts[-1] if texts else ""))
    if not topic or not what:
        return None
    with_whom = answers.get("with_whom")
    return Commitment(topic, what, str(with_whom) if with_whom else None, str(answers.get("by_when") or ""))
