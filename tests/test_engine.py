"""The dialog engine as plain code: paths, follow-ups, refusals, and state that survives JSON."""

from __future__ import annotations

import pytest

from bot.core import engine
from bot.core.engine import Accepted, DialogState, Press, Rejected, Typed
from bot.core.render import Button, describe_value, render_step
from bot.core.script.model import DONT_KNOW, Script
from bot.i18n import Catalogs


def run(script: Script, inputs: list[engine.Input]) -> DialogState:
    """Feed inputs to the current steps one after the other; every one must be accepted."""
    state = engine.start(script)
    for given in inputs:
        outcome = engine.answer(script, state, state.current or "", given)
        assert isinstance(outcome, Accepted), (state.current, given, outcome)
        state = outcome.state
    return state


def test_happy_path_without_follow_ups(monthly_script: Script) -> None:
    state = run(monthly_script, [Press("4"), Typed("Alleinerziehende bis Juni in Arbeit bringen"), Press("5"),
                                 Press("all"), Press("skip")])
    assert state.finished
    assert state.answers == {"goals_clear": 4, "goal_statement": "Alleinerziehende bis Juni in Arbeit bringen",
                             "benefit": 5, "agreements_kept": "all", "anything_else": None}
    assert state.path == ("goals_clear", "goal_statement", "benefit", "agreements_kept", "anything_else")


def test_low_answers_bring_the_follow_up_questions(monthly_script: Script) -> None:
    state = run(monthly_script, [Press("2"), Typed("Ein messbares Ziel"), Press("1"), Press("less_duplication"),
                                 Press("not_kept"), Typed("Fallkonferenz fiel aus"), Typed("Nein")])
    assert state.finished
    assert "goals_missing" in state.answers and "goal_statement" not in state.answers
    assert state.answers["benefit_why"] == "less_duplication"
    assert state.answers["agreements_what"] == "Fallkonferenz fiel aus"
    assert len(state.answers) == 7


def test_dont_know_on_benefit_also_asks_why(monthly_script: Script) -> None:
    state = run(monthly_script, [Press("5"), Press("skip"), Press(DONT_KNOW)])
    assert state.current == "benefit_why"
    assert state.answers["benefit"] == DONT_KNOW


@pytest.mark.parametrize(
    ("step_input", "reason"),
    [
        (Press("7"), "invalid"),
        (Press("yes"), "invalid"),
        (Typed("sehr gut"), "use_buttons"),
        (Press(DONT_KNOW), "invalid"),  # goals_clear has no "don't know" button
    ],
)
def test_invalid_input_on_a_scale_is_refused_and_changes_nothing(
    monthly_script: Script, step_input: engine.Input, reason: str
) -> None:
    state = engine.start(monthly_script)
    outcome = engine.answer(monthly_script, state, "goals_clear", step_input)
    assert outcome == Rejected(reason)  # type: ignore[arg-type]


def test_typed_digit_answers_a_scale(monthly_script: Script) -> None:
    outcome = engine.answer(monthly_script, engine.start(monthly_script), "goals_clear", Typed(" 3 "))
    assert isinstance(outcome, Accepted) and outcome.value == 3


def test_text_over_the_limit_is_refused_with_limit_and_length(monthly_script: Script) -> None:
    state = run(monthly_script, [Press("4")])
    outcome = engine.answer(monthly_script, state, "goal_statement", Typed("x" * 201))
    assert outcome == Rejected("too_long", limit=200, length=201)
    exact = engine.answer(monthly_script, state, "goal_statement", Typed("x" * 200))
    assert isinstance(exact, Accepted) and exact.value == "x" * 200


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_text_is_refused(monthly_script: Script, text: str) -> None:
    state = run(monthly_script, [Press("4")])
    assert engine.answer(monthly_script, state, "goal_statement", Typed(text)) == Rejected("empty")


def test_answer_to_another_step_is_stale_and_finished_is_finished(monthly_script: Script) -> None:
    state = run(monthly_script, [Press("4")])
    assert engine.answer(monthly_script, state, "goals_clear", Press("5")) == Rejected("stale")
    done = run(monthly_script, [Press("4"), Press("skip"), Press("4"), Press("all"), Press("skip")])
    assert engine.answer(monthly_script, done, "anything_else", Typed("noch was")) == Rejected("finished")


def test_state_round_trips_through_json(monthly_script: Script) -> None:
    state = run(monthly_script, [Press("2"), Press("skip"), Press(DONT_KNOW)])
    restored = DialogState.from_json(state.to_json())
    assert restored == state
    assert isinstance(restored.answers["goals_clear"], int)


def test_render_scale_shows_labelled_ends_and_five_buttons(monthly_script: Script, catalogs: Catalogs) -> None:
    view = render_step(monthly_script, "goals_clear", "de", catalogs.gettext("de"), 1)
    assert view.text.startswith("Frage 1\nWie klar")
    assert "1 = ganz unklar … 5 = völlig klar" in view.text
    assert [b.value for b in view.buttons[0]] == ["1", "2", "3", "4", "5"]
    english = render_step(monthly_script, "benefit", "en", catalogs.gettext("en"), 3)
    assert english.text.startswith("Question 3\nHow much")
    assert english.buttons[1][0].label == "Don't know"


def test_render_optional_text_offers_skip_and_names_the_limit(monthly_script: Script, catalogs: Catalogs) -> None:
    view = render_step(monthly_script, "goal_statement", "de", catalogs.gettext("de"), 2)
    assert view.expects_text and view.max_length == 200
    assert "höchstens 200 Zeichen" in view.text
    assert view.buttons == ((Button("Überspringen", "skip"),),)


def test_describe_value_uses_option_texts(monthly_script: Script, catalogs: Catalogs) -> None:
    step = monthly_script.step("agreements_kept")
    assert describe_value(step, "most", "de", catalogs.gettext("de")) == "Größtenteils"
    assert describe_value(monthly_script.step("benefit"), DONT_KNOW, "en", catalogs.gettext("en")) == "Don't know"
