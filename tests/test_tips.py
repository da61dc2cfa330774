"""Coaching tips as data: the shipped file is complete, broken files are refused with file and line, and the tip
fits how a signal stands (first seen, again, persisting, urgent about one partner named or not)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.core.coaching import tip, tip_stage, topic_advice
from bot.core.escalation import escalate
from bot.core.history import Evidence, Signal
from bot.core.risk.rules import RULES, unclear_benefit, vague_goals
from bot.core.tips import STAGES, Stage, Tips, TipsError, load_tips_text
from bot.usecases.scripts import tips_path
from tests.e2e import ROOT
from tests.test_risk_rules import benefit, history, rid, series, statement

SHIPPED = tips_path(ROOT / "dialogs")


def identity(text: str) -> str:
    return text


def _signal(rule: str, risk: int | None = 5, *, severity: str = "warning", organisations: tuple[int, ...] = (1,),
            streak: int = 1) -> Signal:
    return Signal(rule, risk, 3, "evaluation", severity, organisations, (Evidence("low_answer", 3, 1),), 3,  # type: ignore[arg-type]
                  streak)


@pytest.mark.parametrize("rule", sorted(RULES))
def test_every_rule_has_three_different_steps_in_both_languages(tips: Tips, rule: str) -> None:
    stages = tips.rules[rule]
    for lang in ("de", "en"):
        texts = [stages[stage].text[lang] for stage in ("first", "again", "persisting")]
        assert len(set(texts)) == 3, (rule, lang)  # a signal seen again gets a different next step
        assert all(len(text) > 40 for text in texts)


@pytest.mark.parametrize(("streak", "stage"), [(1, "first"), (2, "again"), (3, "persisting"), (5, "persisting")])
def test_the_stage_follows_the_streak(streak: int, stage: str) -> None:
    assert tip_stage(_signal("unclear_benefit", streak=streak), named_partner=False) == stage


def test_an_urgent_signal_about_one_partner_asks_to_call_that_partner_first(tips: Tips) -> None:
    urgent = _signal("unclear_benefit", severity="urgent")
    named = tip(urgent, tips, "de", identity, partner="Kita Sonnenschein")
    assert named.startswith("Tip (Evaluation): Rufen Sie Kita Sonnenschein in den nächsten Tagen an")
    unnamed = tip(urgent, tips, "en", identity)
    assert "one-to-one" in unnamed and "{partner}" not in unnamed
    network = tip(replace(urgent, organisations=()), tips, "en", identity)  # the whole network: no one to call
    assert network == tip(_signal("unclear_benefit", organisations=()), tips, "en", identity)


def test_a_repeated_signal_escalates_and_may_pull_another_lever(tips: Tips) -> None:
    first = tip(_signal("unclear_benefit"), tips, "en", identity)
    again = tip(_signal("unclear_benefit", streak=2), tips, "en", identity)
    assert first.startswith("Tip (Evaluation): At the next meeting, ask each partner")
    assert again.startswith("Tip (Allocation): The benefit stays low") and again != first


def test_a_rule_covering_two_risks_takes_the_other_risks_tips(tips: Tips) -> None:
    time = tips.pick("burden", 6, "first").text["en"]
    resources = tips.pick("burden", 7, "first").text["en"]
    assert "time" in time and "money" in resources
    assert tips.pick("new_rule", 7, "again") == tips.risks[7]["again"]
    assert tips.pick("new_rule", 4, "again") == tips.risks[4]["first"]  # a stage a risk lacks: its first
    assert tips.pick("new_rule", None, "persisting") == tips.general["persisting"]
    assert tips.pick("autonomy", 8, "urgent_partner") == tips.general["urgent_partner"]


def test_coaching_ideas_come_from_the_tips(tips: Tips) -> None:
    assert topic_advice("factor_3", tips, "de") == tips.rules["unclear_benefit"]["first"].text["de"]
    assert topic_advice("leadership", tips, "en") == tips.rules["leadership"]["first"].text["en"]


@pytest.mark.parametrize(("streak", "stage"), [(1, "first"), (2, "again"), (4, "persisting")])
def test_coaching_ideas_follow_how_long_the_topics_signal_has_stood(tips: Tips, streak: int, stage: Stage) -> None:
    standing = [_signal("unclear_benefit", streak=streak), _signal("vague_goals", streak=3)]
    assert topic_advice("factor_3", tips, "en", standing) == tips.rules["unclear_benefit"][stage].text["en"]
    assert topic_advice("unclear_benefit", tips, "de", standing) == tips.rules["unclear_benefit"][stage].text["de"]


def test_escalation_counts_the_rounds_in_a_row_a_signal_stood() -> None:
    answers = [*series(benefit, 1, 4, 2, 2, 2), *series(benefit, 2, 4, 4, 4, 2),
               *(one for org in (3, 4) for one in series(benefit, org, 4, 4, 4, 4))]
    h = history(answers, rounds=4)

    def streaks(number: int) -> dict[tuple[int, ...], int]:
        return {signal.organisations: signal.streak for signal in escalate(h, rid(number),
                                                                           unclear_benefit(h, rid(number)))}

    assert streaks(2) == {(1,): 1}
    assert streaks(3) == {(1,): 2}
    assert streaks(4) == {(): 3}  # two of four low: the network's signal now, and organisation 1's goes on


def test_rounds_that_did_not_ask_the_question_do_not_end_the_row() -> None:
    vague = "Irgendwie besser zusammenarbeiten"
    answers = [statement(1, 1, vague), statement(4, 1, vague), statement(7, 1, vague),  # every third round
               *(benefit(number, 1, 4) for number in range(1, 8))]
    h = history(answers, rounds=7, orgs=(1,))
    assert [signal.streak for signal in escalate(h, rid(4), vague_goals(h, rid(4)))] == [2]
    assert [signal.streak for signal in escalate(h, rid(7), vague_goals(h, rid(7)))] == [3]


SMALL = """\
version: 1
rules:
  unclear_benefit:
    first: {de: "Erst fragen.", en: "Ask first."}
general:
  first: {de: a, en: a}
  again: {de: b, en: b}
  persisting: {de: c, en: c}
  urgent_partner: {de: "{partner} anrufen", en: "call {partner}"}
  urgent_unnamed: {de: d, en: d}
"""


def test_a_small_tips_file_loads_and_falls_back_to_general() -> None:
    tips = load_tips_text(SMALL, rules=("unclear_benefit",))
    assert tips.pick("unclear_benefit", 5, "again").text["de"] == "Erst fragen."  # the rule's first, not general
    assert tips.pick("unclear_benefit", 5, "urgent_partner").text["en"] == "call {partner}"
    assert set(STAGES) == set(tips.general)


@pytest.mark.parametrize(("change", "line", "fragment"), [
    (("version: 1", "version: 0"), 1, "version must be a whole number from 1"),
    (("rules:", "colour: red\nrules:"), 2, "unknown key 'colour'"),
    (("first: {de:", "firts: {de:"), 4, "unknown stage 'firts'"),
    (('en: "Ask first."', 'fr: "Ask first."'), 4, "unknown key 'fr'"),
    (('{de: "Erst fragen.", en: "Ask first."}', '{de: "Erst fragen.", en: " "}'), 4, "the 'en' text must be"),
    (('{de: "Erst fragen.", en: "Ask first."}', '{de: "{partner} fragen.", en: "Ask first."}'), 4, "{partner}"),
    (('urgent_partner: {de: "{partner} anrufen"', 'urgent_partner: {de: "anrufen"'), 9, "{partner}"),
    (("  urgent_unnamed: {de: d, en: d}\n", ""), 5, "'urgent_unnamed' is missing"),
    (("  unclear_benefit:", "  unclear_benefits:"), 3, "unknown rule 'unclear_benefits'"),
    (("first: {de: a", "first: {de: a, function: lobbying"), 6, "function must be one of"),
    (("rules:\n", "rules:\n  x: [\n"), 5, "YAML syntax error"),
])
def test_a_broken_tips_file_names_file_line_and_problem(change: tuple[str, str], line: int, fragment: str) -> None:
    text = SMALL.replace(*change)
    assert text != SMALL
    with pytest.raises(TipsError) as raised:
        load_tips_text(text, "tips.yaml", rules=("unclear_benefit",))
    problems = raised.value.problems
    assert any(problem.startswith(f"tips.yaml:{line}: ") and fragment in problem for problem in problems), problems


def test_a_rule_without_its_first_tip_is_refused() -> None:
    with pytest.raises(TipsError, match="rule 'fading_engagement' has no tip for its first stage"):
        load_tips_text(SMALL, rules=("unclear_benefit", "fading_engagement"))


def test_the_shipped_file_covers_every_rule_and_risk() -> None:
    tips = load_tips_text(SHIPPED.read_text(encoding="utf-8"), str(SHIPPED), tuple(RULES))
    assert set(tips.rules) == set(RULES) and set(tips.risks) == set(range(1, 10))
    assert tips.rule_risks == {"burden": 6}
