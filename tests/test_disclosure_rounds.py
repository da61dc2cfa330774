"""Across rounds: nothing of a hidden round shows later, a named round draws nothing from answers given anonymously
(earlier rounds, the onboarding baseline), an open anonymous round shows nothing until it closes, and a hidden round
hides every factor it asked."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.core.chart_data import chart_data
from bot.core.digest.build import build_digest, partner_feedback
from bot.core.disclosure import OUTLETS, Outlet, history_as_of, round_disclosure, visible_signals
from bot.core.history import BASELINE_ROUND, History, Participation, Privacy
from bot.core.script.model import DONT_KNOW, Value
from bot.core.tips import Tips
from bot.usecases.report import round_signals
from tests.test_risk_rules import START, benefit, goals_clear, history, rid
from tests.texts import plain_all


def identity(text: str) -> str:
    return text


def plural(singular: str, plural_: str, count: int) -> str:
    return singular if count == 1 else plural_


def digest(h: History, number: int, tips: Tips) -> str:
    """Round `number`'s digest in English, as the monthly report builds it."""
    return plain_all(build_digest(h, rid(number), round_signals(h, rid(number)), tips, "en", identity, plural,
                                  network_name="N", month="M"))


def privacies(h: History, *given: Privacy) -> History:
    """The history with its rounds opened under these settings, in order."""
    return replace(h, rounds=tuple(replace(facts, privacy=privacy) for facts, privacy in zip(h.rounds, given,
                                                                                            strict=True)))


def two_rounds_first_hidden(first_answer: int) -> History:
    """Round 1: only organisations 1 and 2 answered (too few to show), organisation 1 with `first_answer`.
    Round 2: all four answered, organisation 1 low."""
    answers = [benefit(1, 1, first_answer), benefit(1, 2, 4)]
    answers += [benefit(2, 1, 2), *(benefit(2, org, 4) for org in (2, 3, 4))]
    taking_part = [Participation(rid(1), org, "done" if org in (1, 2) else "missed") for org in (1, 2, 3, 4)]
    taking_part += [Participation(rid(2), org, "done") for org in (1, 2, 3, 4)]
    return history(answers, rounds=2, participations=taking_part)


def test_a_hidden_round_changes_nothing_shown_later(tips: Tips) -> None:
    """Two networks that differ only in a hidden round's answer get the same later digest, chart and feedback:
    otherwise a drop or a "before" would tell what the hidden round could not."""
    low, high = two_rounds_first_hidden(2), two_rounds_first_hidden(5)
    assert round_disclosure(low, rid(1), "digest") == "nothing"
    assert digest(low, 2, tips) == digest(high, 2, tips)
    assert chart_data(low, rid(2)) == chart_data(high, rid(2))
    feedback = [partner_feedback(h, rid(2), round_signals(h, rid(2), "feedback"), "en", identity, plural)
                for h in (low, high)]
    assert feedback[0] == feedback[1]
    assert "Visible benefit for each partner: 3.5 (first measurement" in digest(low, 2, tips)


def test_a_named_round_compares_nothing_with_answers_given_anonymously(tips: Tips) -> None:
    answers = [benefit(1, 1, 5), *(benefit(1, org, 4) for org in (2, 3, 4))]
    answers += [benefit(2, 1, 2), *(benefit(2, org, 4) for org in (2, 3, 4))]
    h = privacies(history(answers, rounds=2), "anonymous", "named")
    text = digest(h, 2, tips)
    assert "Visible benefit for each partner: 4.2 · 3.5 ↘ (4 answers; low: Org 1 2)" in text  # the mean
    # but not what Org 1 answered when nobody was named
    assert "from 5 to 2" not in text and "fell:" not in text and "fell sharply" not in text
    [state] = [state for state in chart_data(h, rid(2)).latest if state.factor == 3]
    assert state.dropped == ()
    both_named = privacies(h, "named", "named")
    assert "fell: Org 1 from 5 to 2" in digest(both_named, 2, tips)


@pytest.mark.parametrize(("given", "compared"), [("anonymous", False), ("named", True)])
def test_the_onboarding_baseline_counts_in_a_named_round_only_if_given_named(given: Privacy, compared: bool,
                                                                             tips: Tips) -> None:
    baseline = [benefit(1, org, 5)._replace(round_id=BASELINE_ROUND, answered_at=START - timedelta(days=5))
                for org in (1, 2, 3)]
    h = privacies(history([*baseline, benefit(1, 1, 2), benefit(1, 2, 5), benefit(1, 3, 5)], rounds=1,
                          orgs=(1, 2, 3)), "named")
    h = replace(h, privacy_changes=((START - timedelta(days=10), given), (START - timedelta(days=1), "named")))
    [state] = [state for state in chart_data(h, rid(1)).latest if state.factor == 3]
    assert (state.dropped == ((1, 5.0, 2.0),)) is compared
    assert ("fell: Org 1 from 5 to 2" in digest(h, 1, tips)) is compared


@pytest.mark.parametrize("outlet", OUTLETS)
def test_an_open_anonymous_round_shows_nothing_until_it_closes(outlet: Outlet) -> None:
    answers = [benefit(1, org, 1) for org in (1, 2, 3, 4)]
    open_round = history(answers, rounds=1)
    open_round = replace(open_round, rounds=(replace(open_round.rounds[0], closed=False),))
    assert round_disclosure(open_round, rid(1), outlet) == "nothing"
    found = round_signals(open_round, rid(1), outlet)
    assert found and visible_signals(found, "nothing") == []  # no alert that the next answer would change
    closed = replace(open_round, rounds=(replace(open_round.rounds[0], closed=True),))
    assert round_disclosure(closed, rid(1), outlet) == "aggregate"
    named = privacies(open_round, "named")
    assert round_disclosure(named, rid(1), outlet) == ("aggregate" if outlet == "feedback" else "named")


@pytest.mark.parametrize("answer", [4, 1, DONT_KNOW, None])
def test_a_hidden_round_hides_every_factor_it_asked(answer: Value | None, tips: Tips) -> None:
    """Only organisation 1 answered round 2, which asked about goals and benefit: whether it answered the benefit
    question, and how, or skipped it, must not show as the factor falling back to round 1's result."""
    answers = [goals_clear(1, org, 4) for org in (1, 2, 3, 4)] + [benefit(1, org, 4) for org in (1, 2, 3, 4)]
    answers += [goals_clear(2, 1, 4), *([] if answer is None else [benefit(2, 1, answer)])]
    taking_part = [Participation(rid(2), org, "done" if org == 1 else "missed") for org in (1, 2, 3, 4)]
    h = history(answers, rounds=2, participations=taking_part)
    h = replace(h, rounds=(h.rounds[0], replace(h.rounds[1], asks=frozenset({2, 3}))))
    text = digest(h, 2, tips)
    assert "Shared goals: too few answers (Feb)" in text
    assert "Visible benefit for each partner: too few answers (Feb)" in text
    assert "Not measured yet: Personal commitment, Binding commitments and reliability, Clear task structure" in text


def test_history_as_of_keeps_the_round_and_what_it_may_draw_on() -> None:
    answers = [benefit(number, org, 4) for number in (1, 2, 3) for org in (1, 2, 3, 4)]
    h = privacies(history(answers, rounds=3), "named", "anonymous", "named")
    kept = {one.round_id for one in history_as_of(h, rid(3), "digest").answers}
    assert kept == {rid(1), rid(3)}  # round 2 was anonymous
    assert {one.round_id for one in history_as_of(h, rid(2), "digest").answers} == {rid(1), rid(2)}
