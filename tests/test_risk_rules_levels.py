"""Risk rules over levelled choice answers and each partner's baseline (its onboarding answers, round 0)."""

from __future__ import annotations

from bot.core.history import BASELINE_ROUND, AnswerFact
from bot.core.risk.rules import broken_agreements, burden, leadership, vague_goals
from bot.core.script.model import Value
from tests.test_risk_rules import at, history, only, params, rid, statement


def levelled(number: int, org: int, step: str, value: Value, level: int | None, *, factor: int,
             risk: int | None = None, concern: bool = False) -> AnswerFact:
    """A choice answer whose option carries a level (round 0: the baseline)."""
    round_id = BASELINE_ROUND if number == 0 else rid(number)
    return AnswerFact(round_id, org, step, "choice", factor, risk, value, level, concern, at(max(number, 1), 0.5))


def test_a_low_level_choice_without_a_concern_is_a_sign() -> None:
    answers = [levelled(3, 1, "leadership_involved", "not_involved", 1, factor=8),
               *(levelled(3, org, "leadership_involved", "decides", 5, factor=8) for org in (2, 3, 4))]
    signal = only(leadership(history(answers), rid(3)))
    assert signal.organisations == (1,) and signal.severity == "info"
    assert [(one.code, params(one)["value"]) for one in signal.evidence] == [("low_answer", "not_involved")]


def test_a_levelled_choice_that_drops_names_the_options() -> None:
    answers = [levelled(1, 1, "agreements_kept", "all", 5, factor=4, risk=2),
               levelled(2, 1, "agreements_kept", "partly", 2, factor=4, risk=2, concern=True)]
    signal = only(broken_agreements(history(answers, rounds=2, orgs=(1,)), rid(2)))
    drop = next(one for one in signal.evidence if one.code == "drop")
    assert (params(drop)["before"], params(drop)["after"]) == ("all", "partly")
    assert signal.severity == "warning"


def test_a_drop_from_the_baseline_counts_in_the_first_round() -> None:
    answers = [levelled(0, 1, "time_for_network", "more", 5, factor=1, risk=6),
               levelled(1, 1, "time_for_network", "hardly", 1, factor=1, risk=6, concern=True)]
    signal = only(burden(history(answers, rounds=1, orgs=(1,)), rid(1)))
    assert signal.severity == "warning"
    assert [one.code for one in signal.evidence] == ["concern_answer", "drop"]


def test_the_baseline_alone_never_fires_a_signal() -> None:
    answers = [levelled(0, org, "time_for_network", "hardly", 1, factor=1, risk=6, concern=True) for org in (1, 2, 3)]
    assert burden(history(answers, rounds=1), rid(1)) == []


def test_a_vague_goal_given_at_joining_makes_the_same_vague_goal_later_a_warning() -> None:
    onboarding = AnswerFact(BASELINE_ROUND, 1, "own_goal", "text", 2, 1, "mal sehen", None, False, at(1, 0))
    answers = [onboarding, statement(1, 1, "irgendwie besser")]
    signal = only(vague_goals(history(answers, rounds=1, orgs=(1,)), rid(1)))
    assert signal.severity == "warning"
    assert [(one.code, one.round_number) for one in signal.evidence] == [("vague_goal", 0), ("vague_goal", 1)]
