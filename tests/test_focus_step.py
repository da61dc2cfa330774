"""The focus step (one of the check-in's topics as buttons) and the coordinator's coaching script that uses it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from bot.core import engine
from bot.core.coaching import Commitment, commitment
from bot.core.context import CheckinContext
from bot.core.engine import CONTINUE, SKIP, Accepted, DialogState, Input, Press, Rejected, Typed
from bot.core.flow import longest_path, questions_on
from bot.core.render import MAX_TOPIC_LABEL, describe_value, render_step
from bot.core.script.loader import ScriptError, load_script_file, load_script_text
from bot.core.script.model import Script
from bot.core.yaml_text import load
from tests.e2e import ROOT

DIALOGS = Path(__file__).resolve().parent.parent / "dialogs"
SCHEMA = json.loads((DIALOGS / "script.schema.json").read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA)

SCRIPT = """\
version: 1
id: focus_sample
languages: [de, en]
title: {de: Coaching, en: Coaching}
outro: {de: Notiert, en: Noted}
steps:
  - id: hello
    kind: info
    text: {de: Hallo, en: Hello}
  - id: focus
    kind: focus
    factor: 1
    text: {de: "Worum kümmern Sie sich?", en: "What will you take care of?"}
  - id: action
    kind: text
    factor: 1
    max_length: 300
    text: {de: "Was tun Sie?", en: "What will you do?"}
"""
LONG_LABEL = "Orientierung am bestehenden Angebot statt am Bedarf der Zielgruppe"  # 66 characters
TOPICS = (("unclear_benefit", "Unklarheit über den Nutzen"), ("factor_2", "Gemeinsame Ziele"),
          ("offer_orientation", LONG_LABEL))
CONTEXT = CheckinContext(topics=TOPICS)


def gettext(text: str) -> str:
    """No translation: the English source text."""
    return text


@pytest.fixture
def script() -> Script:
    """The script above."""
    return load_script_text(SCRIPT)


def at_focus(script: Script, context: CheckinContext = CONTEXT) -> DialogState:
    """The state after the greeting: at the focus step when the context has topics."""
    outcome = engine.answer(script, engine.start(script, context), "hello", Press(CONTINUE), context)
    assert isinstance(outcome, Accepted)
    return outcome.state


@pytest.mark.parametrize("topic_id", [topic_id for topic_id, _label in TOPICS])
def test_a_known_topic_id_answers_the_focus_step(script: Script, topic_id: str) -> None:
    outcome = engine.answer(script, at_focus(script), "focus", Press(topic_id), CONTEXT)
    assert isinstance(outcome, Accepted) and outcome.is_answer
    assert outcome.value == topic_id and outcome.state.answers["focus"] == topic_id
    assert outcome.state.current == "action"
    assert DialogState.from_json(outcome.state.to_json()) == outcome.state


@pytest.mark.parametrize(("given", "reason"), [
    pytest.param(Press("unknown"), "invalid", id="unknown id"),
    pytest.param(Press("Gemeinsame Ziele"), "invalid", id="a label instead of the id"),
    pytest.param(Press("factor_3"), "invalid", id="an id this check-in does not offer"),
    pytest.param(Press(CONTINUE), "invalid", id="continue"),
    pytest.param(Press(SKIP), "invalid", id="skip"),
    pytest.param(Typed("factor_2"), "use_buttons", id="the id typed"),
    pytest.param(Typed("Gemeinsame Ziele"), "use_buttons", id="the label typed"),
])
def test_the_focus_step_refuses_anything_but_an_offered_topic(script: Script, given: Input, reason: str) -> None:
    state = at_focus(script)
    outcome = engine.answer(script, state, "focus", given, CONTEXT)
    assert isinstance(outcome, Rejected) and outcome.reason == reason


def test_a_topic_of_another_context_is_refused(script: Script) -> None:
    other = CheckinContext(topics=(("factor_5", "Klare Aufgabenstrukturen"),))
    outcome = engine.answer(script, at_focus(script, other), "focus", Press("factor_2"), other)
    assert isinstance(outcome, Rejected) and outcome.reason == "invalid"


def test_the_focus_step_is_passed_by_without_topics(script: Script) -> None:
    assert at_focus(script, CheckinContext()).current == "action"
    first = load_script_text(SCRIPT.replace("  - id: hello\n    kind: info\n    text: {de: Hallo, en: Hello}\n", ""))
    assert engine.start(first, CheckinContext()).current == "action"
    assert engine.start(first, CONTEXT).current == "focus"


def test_partners_do_not_make_a_focus_step_shown(script: Script) -> None:
    partners_only = CheckinContext(partners=(("1", "Jobcenter"),))
    assert at_focus(script, partners_only).current == "action"


def test_render_shows_one_button_a_row_per_topic_with_short_labels(script: Script) -> None:
    view = render_step(script, "focus", "de", gettext, 1, state=at_focus(script), context=CONTEXT)
    assert [len(row) for row in view.buttons] == [1, 1, 1]
    assert [row[0].value for row in view.buttons] == ["unclear_benefit", "factor_2", "offer_orientation"]
    labels = [row[0].label for row in view.buttons]
    assert labels[:2] == ["Unklarheit über den Nutzen", "Gemeinsame Ziele"]
    assert len(labels[2]) == MAX_TOPIC_LABEL and labels[2].endswith("…") and LONG_LABEL.startswith(labels[2][:-1])
    assert view.text == "Question 1\nWorum kümmern Sie sich?" and not view.expects_text


@pytest.mark.parametrize("context", [None, CheckinContext()], ids=["no context", "no topics"])
def test_render_without_topics_shows_no_buttons(script: Script, context: CheckinContext | None) -> None:
    assert render_step(script, "focus", "en", gettext, 1, context=context).buttons == ()


@pytest.mark.parametrize(("names", "shown"), [
    pytest.param(dict(TOPICS), "Gemeinsame Ziele", id="label from the topics"),
    pytest.param(None, "factor_2", id="the id without names"),
    pytest.param({"other": "Andere"}, "factor_2", id="the id when the topic is gone"),
])
def test_describe_a_focus_answer(script: Script, names: dict[str, str] | None, shown: str) -> None:
    assert describe_value(script.step("focus"), "factor_2", "de", gettext, names) == shown


@pytest.mark.parametrize(("context", "accepted"), [(CONTEXT, True), (CheckinContext(), False)],
                         ids=["with topics", "without context"])
def test_a_focus_answer_is_changed_to_an_offered_topic_only(script: Script, context: CheckinContext,
                                                            accepted: bool) -> None:
    answered = engine.answer(script, at_focus(script), "focus", Press("factor_2"), CONTEXT)
    assert isinstance(answered, Accepted)
    outcome = engine.revise(script, answered.state, "focus", Press("unclear_benefit"), context)
    assert isinstance(outcome, Accepted) is accepted
    if isinstance(outcome, Accepted):
        assert outcome.state.answers["focus"] == "unclear_benefit" and outcome.state.current == "action"


CONDITION_ON_FOCUS = SCRIPT.replace("""    max_length: 300
""", """    max_length: 300
    next:
      - if: {step: focus, eq: factor_2}
        then: end
""")


@pytest.mark.parametrize(("text", "message"), [
    pytest.param(SCRIPT.replace("    kind: focus\n", "    kind: focus\n    options:\n"
                                "      - {id: a, text: {de: A, en: A}}\n      - {id: b, text: {de: B, en: B}}\n"),
                 "a focus step takes no options", id="options"),
    pytest.param(CONDITION_ON_FOCUS, "conditions cannot look at the focus step 'focus'", id="condition"),
    pytest.param(CONDITION_ON_FOCUS.replace("{step: focus, eq: factor_2}", "{not: {step: focus, in: [factor_2]}}"),
                 "conditions cannot look at the focus step 'focus'", id="condition inside not"),
    pytest.param(SCRIPT.replace("    kind: focus\n", "    kind: focus\n    concern: {eq: factor_2}\n"),
                 "unknown key 'concern'", id="concern"),
    pytest.param(SCRIPT.replace("    kind: focus\n    factor: 1\n", "    kind: focus\n"),
                 "a question must name the success factor", id="no factor"),
    pytest.param(SCRIPT.replace("    kind: focus\n", "    kind: focus\n    multiple: true\n"),
                 "unknown key 'multiple'", id="multiple"),
])
def test_the_loader_names_what_is_wrong_with_a_focus_step(text: str, message: str) -> None:
    with pytest.raises(ScriptError) as error:
        load_script_text(text)
    assert message in str(error.value)
    assert all(problem.step == "focus" or "'focus'" in problem.message for problem in error.value.problems)


@pytest.mark.parametrize(("text", "accepted"), [
    pytest.param(SCRIPT, True, id="focus step"),
    pytest.param(SCRIPT.replace("    kind: focus\n    factor: 1\n", "    kind: focus\n    factor: 1\n    risk: 5\n"),
                 True, id="with risk"),
    pytest.param(SCRIPT.replace("    kind: focus\n", "    kind: focus\n    options:\n"
                                "      - {id: a, text: {de: A, en: A}}\n      - {id: b, text: {de: B, en: B}}\n"),
                 False, id="with options"),
    pytest.param(SCRIPT.replace("    kind: focus\n    factor: 1\n", "    kind: focus\n"), False, id="without factor"),
    pytest.param(SCRIPT.replace("    kind: focus\n", "    kind: focus\n    max_length: 10\n"), False,
                 id="with max_length"),
])
def test_schema_and_loader_agree_on_focus_steps(text: str, accepted: bool) -> None:
    try:
        load_script_text(text)
        loaded = True
    except ScriptError:
        loaded = False
    assert (VALIDATOR.is_valid(load(text)), loaded) == (accepted, accepted)


def test_the_schema_accepts_the_coaching_script() -> None:
    document: Any = load((DIALOGS / "coaching.yaml").read_text(encoding="utf-8"))
    assert [f"{list(error.absolute_path)}: {error.message}" for error in VALIDATOR.iter_errors(document)] == []


def _coaching() -> Script:
    return load_script_file(DIALOGS / "coaching.yaml")


def test_the_coaching_script_asks_six_questions_the_focus_first() -> None:
    script = _coaching()
    assert (script.id, script.version, script.languages) == ("coaching", 1, ("de", "en"))
    assert [(step.id, step.kind) for step in script.steps] == [
        ("focus", "focus"), ("why", "text"), ("who_helps", "text"), ("action", "text"), ("with_whom", "text"),
        ("by_when", "choice")]
    assert questions_on(script, longest_path(script)) == 6  # the focus step counts as a question
    assert all(step.factor == 1 for step in script.steps)
    assert not script.step("action").optional
    assert all(script.step(step_id).optional for step_id in ("why", "who_helps", "with_whom"))
    assert [option.id for option in script.step("by_when").options] == ["next_meeting", "two_weeks", "this_month"]
    assert script.intro and script.outro


@pytest.mark.parametrize(("answers", "stored"), [
    pytest.param([Press("factor_2"), Typed("Ziele sind vage"), Typed("Frau A. vom Jobcenter"),
                  Typed("Ziel auf die Tagesordnung setzen"), Typed("mit Frau A."), Press("two_weeks")],
                 {"focus": "factor_2", "why": "Ziele sind vage", "who_helps": "Frau A. vom Jobcenter",
                  "action": "Ziel auf die Tagesordnung setzen", "with_whom": "mit Frau A.", "by_when": "two_weeks"},
                 id="every answer given"),
    pytest.param([Press("unclear_benefit"), Press(SKIP), Press(SKIP), Typed("Fälle sammeln"), Press(SKIP),
                  Press("next_meeting")],
                 {"focus": "unclear_benefit", "why": None, "who_helps": None, "action": "Fälle sammeln",
                  "with_whom": None, "by_when": "next_meeting"},
                 id="optional questions skipped"),
])
def test_a_walk_through_the_coaching_script_answers_every_step_and_ends(answers: list[Input],
                                                                        stored: dict[str, Any]) -> None:
    script = _coaching()
    state = engine.start(script, CONTEXT)
    for given in answers:
        assert state.current is not None
        outcome = engine.answer(script, state, state.current, given, CONTEXT)
        assert isinstance(outcome, Accepted), (state.current, given, outcome)
        state = outcome.state
    assert state.finished and dict(state.answers) == stored
    assert state.path == tuple(step.id for step in script.steps)
    assert engine.questions_answered(script, state) == 6


def test_the_coaching_action_cannot_be_skipped() -> None:
    script = _coaching()
    state = DialogState("action", {"focus": "factor_2", "why": None, "who_helps": None},
                        ("focus", "why", "who_helps", "action"))
    outcome = engine.answer(script, state, "action", Press(SKIP), CONTEXT)
    assert isinstance(outcome, Rejected) and outcome.reason == "use_text"


def test_the_commitment_of_a_finished_coaching_dialog() -> None:
    script = load_script_file(ROOT / "dialogs" / "coaching.yaml")
    answers = {"focus": "unclear_benefit", "why": None, "action": "Beispiele sammeln", "with_whom": "Jugendamt",
               "by_when": "next_meeting"}
    assert commitment(script, answers) == Commitment("unclear_benefit", "Beispiele sammeln", "Jugendamt",
                                                     "next_meeting")
    assert commitment(script, {**answers, "with_whom": None}) == Commitment(
        "unclear_benefit", "Beispiele sammeln", None, "next_meeting")
    assert commitment(script, {"action": "x"}) is None  # no topic chosen
