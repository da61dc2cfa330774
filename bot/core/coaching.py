"""One concrete coaching tip per signal: what the coordinator can do at the next meeting, and which lever it pulls."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.core.digest_names import function_name
from bot.core.history import Signal
from bot.core.script import Script, Value

Gettext = Callable[[str], str]


def _rule_advice(_: Gettext) -> dict[str, str]:
    return {
        "vague_goals": _(
            "Put the goal first on the next meeting's agenda: let each partner say in one sentence what the network "
            "should achieve this year, then agree on one goal you can check in six months and write it down."),
        "divergent_goals": _(
            "At the next meeting, show the different goal statements side by side without names and agree which goal "
            "the network pursues first; record it in the minutes and ask about it again in three months."),
        "low_goal_clarity": _(
            "Open the next meeting by restating the shared goal in one plain sentence and ask each partner what it "
            "means for their own daily work; sharpen the wording until everyone could explain it to a colleague."),
        "unclear_benefit": _(
            "At the next meeting, ask each partner for one case in which the network helped them or would have "
            "helped; collect what would make it more useful and take up one of these points as the next task."),
        "fluctuation": _(
            "Before the next meeting, call the new contact persons: explain the goal, the current agreements and whom "
            "to reach; at the meeting, ask every organisation to name a deputy so that knowledge stays."),
        "broken_agreements": _(
            "At the next meeting, go through the open agreements one by one: who does what by when; write each down "
            "with a name and a date, and check them at the start of the following meeting."),
        "burden": _(
            "Say openly at the next meeting how much time the network will need in the coming months and cut what is "
            "not needed: fewer or shorter meetings, tasks shared among more partners."),
        "autonomy": _(
            "At the next meeting, ask which rules or decisions feel imposed and agree that the network decides "
            "together; let a different partner chair or host the next meetings."),
        "offer_orientation": _(
            "Bring one anonymised case to the next meeting and first ask what the person needs, before anyone names "
            "their own offer; plan the next step of the network from that need."),
        "little_knowledge": _(
            "Let two or three partners present their tasks, target groups and limits in five minutes each at the next "
            "meeting, and ask what they need from the others."),
        "leadership": _(
            "At the next meeting, ask each partner who decides in their organisation and how to win them over; "
            "invite the heads of the organisations once a year, or send them a one-page summary of what the network "
            "achieved."),
        "inner_advocacy": _(
            "Ask at the next meeting how network agreements reach each partner's own team (team meeting, intranet, one "
            "contact person) and agree on a short written summary after every meeting that partners can pass on."),
        "parallel_structures": _(
            "At the next meeting, list the other local networks and committees on similar topics; agree who keeps in "
            "touch with which of them and which topics you share instead of doing them twice."),
        "fading_engagement": _(
            "Call the partners who have gone quiet before the next meeting and ask what would make taking part worth "
            "their while; give them a small, visible part in the meeting."),
    }


def _risk_advice(_: Gettext) -> dict[int, str]:
    rules = _rule_advice(_)
    return {
        1: rules["vague_goals"],
        2: rules["broken_agreements"],
        3: rules["offer_orientation"],
        4: rules["little_knowledge"],
        5: rules["unclear_benefit"],
        6: rules["burden"],
        7: _(
            "At the next meeting, list what the network's tasks need in time, money and staff and agree who can "
            "contribute what; postpone what nobody can carry."),
        8: rules["autonomy"],
        9: rules["fluctuation"],
    }


def advice(signal: Signal, _: Gettext) -> str:
    """The tip's sentences for a signal: by its rule, else by its risk factor, else a general one."""
    by_rule, by_risk = _rule_advice(_), _risk_advice(_)
    if signal.rule == "burden" and signal.risk == 7:  # the burden rule covers time (6) and resources (7)
        return by_risk[7]
    if signal.rule in by_rule:
        return by_rule[signal.rule]
    if signal.risk is not None and signal.risk in by_risk:
        return by_risk[signal.risk]
    return _(
        "Take this up at the next meeting: describe what you noticed without blaming anyone, ask the partners how "
        "they see it and agree on one next step with a name and a date.")


def tip(signal: Signal, _: Gettext) -> str:
    """The coaching tip for a signal as one line, naming the management function it serves."""
    return _("Tip ({function}): {advice}").format(function=function_name(signal.function, _),
                                                  advice=advice(signal, _))


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
    from bot.core.digest import sort_signals  # the digest imports this module
    from bot.core.digest_names import factor_name, signal_topic

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


def topic_advice(topic: str, _: Gettext) -> str:
    """Suggested actions for a chosen topic: the tip of its rule (a factor's fitting rule)."""
    factor = topic_factor(topic)
    rule = FACTOR_RULE.get(factor or 0, topic) if topic.startswith(FACTOR_TOPIC) else topic
    return _rule_advice(_).get(rule) or _(
        "Take this up at the next meeting: describe what you noticed without blaming anyone, ask the partners how "
        "they see it and agree on one next step with a name and a date.")


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
