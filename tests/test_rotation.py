"""Rotation modules and context conditions: which steps a round shows, and what the flow checks make of it."""

from __future__ import annotations

import pytest

from bot.core import engine
from bot.core.context import CheckinContext, guess_kind
from bot.core.engine import Accepted, DialogState, Press
from bot.core.flow import always_asked, factors_per_round, longest_path, quarter_gaps, questions_on, rounds_to_check
from bot.core.script.loader import ScriptError, load_script_text
from bot.core.script.model import Script

HEAD = """\
version: 1
id: rotating
languages: [de, en]
title: {de: T, en: T}
outro: {de: Danke, en: Thanks}
"""


def yes_no(step_id: str, factor: int, extra: str = "") -> str:
    """A yes/no step as YAML (indented for the steps list)."""
    return f"""  - id: {step_id}
    kind: yes_no
    factor: {factor}
    text: {{de: Frage {step_id}, en: Question {step_id}}}
{extra}"""


ROTATING = HEAD + """modules:
  - {id: a, every: 3, offset: 0}
  - {id: b, every: 3, offset: 1}
  - {id: c, every: 3, offset: 2}
steps:
""" + yes_no("goals", 2) + yes_no("mod_a", 1, "    module: a\n") + yes_no("mod_b", 5, "    module: b\n") \
    + yes_no("mod_c", 6, "    module: c\n") + yes_no("last", 3)


def walk(script: Script, context: CheckinContext) -> tuple[str, ...]:
    """Answer every step with "yes" and return the path taken."""
    state = engine.start(script, context)
    while state.current is not None:
        outcome = engine.answer(script, state, state.current, Press("yes"), context)
        assert isinstance(outcome, Accepted)
        state = outcome.state
    return state.path


@pytest.mark.parametrize(("round_number", "module_step"), [(1, "mod_a"), (2, "mod_b"), (3, "mod_c"), (4, "mod_a"),
                                                           (8, "mod_b")])
def test_a_round_shows_only_its_due_module(round_number: int, module_step: str) -> None:
    script = load_script_text(ROTATING)
    assert walk(script, CheckinContext(round_number=round_number)) == ("goals", module_step, "last")


def test_a_module_first_step_is_skipped_at_the_start() -> None:
    text = ROTATING.replace(yes_no("goals", 2), "").replace("steps:\n", "steps:\n" + yes_no("goals", 2).replace(
        "goals", "zz"), 1)
    script = load_script_text(text.replace("  - id: zz", "  - id: zz\n    module: b", 1).replace(
        yes_no("mod_b", 5, "    module: b\n"), ""))
    assert engine.start(script, CheckinContext(round_number=1)).current == "mod_a"
    assert engine.start(script, CheckinContext(round_number=2)).current == "zz"


def test_flow_checks_count_questions_per_round() -> None:
    script = load_script_text(ROTATING)
    assert rounds_to_check(script) == [1, 2, 3]
    for round_number in (1, 2, 3):
        assert questions_on(script, longest_path(script, round_number), round_number) == 3
    assert questions_on(script, longest_path(script)) == 5  # every module at once


def test_too_many_questions_in_one_round_name_the_round() -> None:
    many = "".join(yes_no(f"q{n}", 2, "    module: a\n") for n in range(6))
    with pytest.raises(ScriptError) as error:
        load_script_text(ROTATING + many)
    assert "one path in round 1 asks 9 questions" in str(error.value)


def test_quarter_coverage_and_the_factors_on_every_path() -> None:
    script = load_script_text(ROTATING)
    assert factors_per_round(script, 1) == {1, 2, 3}
    assert factors_per_round(script, 2) == {2, 3, 5}
    assert quarter_gaps(script) == {1: {4, 7, 8, 9, 10, 11}, 2: {4, 7, 8, 9, 10, 11}, 3: {4, 7, 8, 9, 10, 11}}


def test_a_question_behind_a_branch_is_not_on_every_path() -> None:
    text = HEAD + "steps:\n" + yes_no("goals", 2, "    next:\n      - if: {step: goals, eq: false}\n"
                                                  "        then: why\n      - then: last\n") \
        + yes_no("why", 1) + yes_no("last", 3)
    script = load_script_text(text)
    assert [step.id for step in always_asked(script, 1)] == ["goals", "last"]


CONTEXTUAL = HEAD + "steps:\n" + """  - id: intro
    kind: info
    text: {de: Hallo, en: Hello}
    next:
      - if: {all: [{context: role, eq: jobcenter}, {context: month, in: [1, 4, 7, 10]}]}
        then: jobcenter_only
      - if: {not: {context: answered_last_round, eq: true}}
        then: welcome_back
      - if: {context: round, gte: 12}
        then: anniversary
      - then: last
""" + yes_no("jobcenter_only", 8, "    next: last\n") + yes_no("welcome_back", 1, "    next: last\n") \
    + yes_no("anniversary", 11) + yes_no("last", 3)


@pytest.mark.parametrize(("context", "second"), [
    (CheckinContext(role="jobcenter", month=4, answered_last_round=True), "jobcenter_only"),
    (CheckinContext(role="jobcenter", month=5, answered_last_round=True), "last"),
    (CheckinContext(role="care", month=4, answered_last_round=False), "welcome_back"),
    (CheckinContext(round_number=12, answered_last_round=True), "anniversary"),
    (CheckinContext(round_number=11, answered_last_round=True), "last"),
])
def test_conditions_on_context(context: CheckinContext, second: str) -> None:
    script = load_script_text(CONTEXTUAL)
    outcome = engine.answer(script, engine.start(script, context), "intro", Press("continue"), context)
    assert isinstance(outcome, Accepted) and outcome.state.current == second


@pytest.mark.parametrize(("condition", "message"), [
    ("{context: weather, eq: 1}", "context is one of round, month, role, answered_last_round, successor_asked"),
    ("{context: month, eq: 13}", "'month' is compared with whole numbers from 1 to 12"),
    ("{context: round, in: [0, 2]}", "'round' is compared with whole numbers from 1"),
    ("{context: role, eq: bakery}", "role is one of jobcenter"),
    ("{context: role, gte: 2}", "'gte' only works on the context round and month"),
    ("{context: answered_last_round, eq: 1}", "answered_last_round is true or false"),
    ("{context: round, step: intro, eq: 1}", "unknown key 'step'"),
])
def test_bad_context_conditions_are_named(condition: str, message: str) -> None:
    text = CONTEXTUAL.replace("{context: round, gte: 12}", condition)
    with pytest.raises(ScriptError) as error:
        load_script_text(text, "dialogs/x.yaml")
    assert message in str(error.value)
    assert "dialogs/x.yaml:" in str(error.value) and "step 'intro'" in str(error.value)


@pytest.mark.parametrize(("modules", "step_module", "message"), [
    ("  - {id: a, every: 1, offset: 0}\n", "a", "every must be a number of rounds from 2 to 12"),
    ("  - {id: a, every: 3, offset: 3}\n", "a", "offset must be from 0 to 2"),
    ("  - {id: a, every: 3}\n  - {id: a, every: 2}\n", "a", "module id 'a' is used twice"),
    ("  - {id: a, every: 3, weight: 2}\n", "a", "unknown key 'weight'"),
    ("  - {id: a, every: 3}\n", "z", "module 'z' is not listed under 'modules'"),
    ("  - {id: a, every: 3}\n  - {id: b, every: 2}\n", "a", "module 'b' has no steps"),
])
def test_bad_modules_are_named(modules: str, step_module: str, message: str) -> None:
    text = HEAD + "modules:\n" + modules + "steps:\n" + yes_no("q", 2, f"    module: {step_module}\n") \
        + yes_no("last", 3)
    with pytest.raises(ScriptError) as error:
        load_script_text(text)
    assert message in str(error.value)


def test_state_with_ticks_survives_json() -> None:
    state = DialogState("who", {"goals": True, "why": ("a", "b")}, ("goals", "why", "who"), ("3", "7"), 1)
    assert DialogState.from_json(state.to_json()) == state


@pytest.mark.parametrize(("name", "kind"), [
    ("Jobcenter Musterstadt", "jobcenter"), ("Jugendamt Kreis X", "youth_office"),
    ("Schuldnerberatung der Diakonie", "counselling"), ("Kita Sonnenschein", "care"), ("Müller GmbH", "employer"),
    ("AWO Ortsverein", "welfare"), ("Sportverein", "other")])
def test_organisation_kind_is_guessed_from_the_name(name: str, kind: str) -> None:
    assert guess_kind(name) == kind
