"""The script loader: the default script loads; broken files fail naming file, line and step."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.core.script.loader import ScriptError, load_script_file, load_script_text
from bot.core.script.model import AnyOf, Compare
from tests.e2e import TEST_DIALOGS

DIALOGS = Path(__file__).resolve().parent.parent / "dialogs"

MINIMAL = """\
version: 3
id: tiny
languages: [de, en]
title: {de: Klein, en: Tiny}
outro: {de: Danke, en: Thanks}
steps:
  - id: benefit
    kind: scale
    factor: 3
    text: {de: "Nutzen?", en: "Benefit?"}
    low: {de: kaum, en: little}
    high: {de: viel, en: a lot}
    next:
      - if: {step: benefit, lte: 2}
        then: benefit_why
      - then: end
  - id: benefit_why
    kind: text
    factor: 3
    max_length: 50
    text: {de: "Warum?", en: "Why?"}
"""


def test_default_script_loads_with_factors_on_every_question_but_the_closing_text() -> None:
    script = load_script_file(TEST_DIALOGS / "monthly_checkin.yaml")
    assert script.id == "monthly_checkin"
    assert script.version >= 1
    questions = [step for step in script.steps if step.is_question]
    assert {step.factor for step in questions} >= {2, 3, 4}
    assert [step.id for step in questions if step.factor is None] == ["anything_else"]  # to the coordinator
    assert all(set(step.text) == {"de", "en"} for step in script.steps)


def test_minimal_script_parses_rules_as_data() -> None:
    script = load_script_text(MINIMAL)
    first = script.steps[0]
    assert script.version == 3
    assert first.rules[0].target == "benefit_why"
    assert first.rules[0].condition == Compare("benefit", "lte", 2)
    assert first.rules[1].condition is None and first.rules[1].target == "end"
    assert script.step("benefit_why").max_length == 50


def test_the_default_script_names_the_risk_factors_its_questions_reveal() -> None:
    script = load_script_file(TEST_DIALOGS / "monthly_checkin.yaml")
    assert {step.id: step.risk for step in script.steps if step.risk} == {
        "goals_clear": 1, "goals_missing": 1, "goal_statement": 1, "benefit": 5, "benefit_why": 5,
        "agreements_kept": 2, "agreements_what": 2}


def test_nested_conditions_are_parsed() -> None:
    script = load_script_file(TEST_DIALOGS / "monthly_checkin.yaml")
    condition = script.step("benefit").rules[0].condition
    assert isinstance(condition, AnyOf)
    assert Compare("benefit", "eq", "dont_know") in condition.conditions


def _broken(replace: str, by: str) -> str:
    assert replace in MINIMAL, replace
    return MINIMAL.replace(replace, by, 1)


@pytest.mark.parametrize(
    ("text", "line", "step", "fragment"),
    [
        (_broken("    factor: 3\n    text: {de: \"Nutzen?", "    factr: 3\n    text: {de: \"Nutzen?"), 9, "benefit",
         "unknown key 'factr'"),
        (_broken("then: benefit_why", "then: nowhere"), 14, "benefit", "unknown step 'nowhere'"),
        (_broken("{step: benefit, lte: 2}", "{step: benefit_why, lte: 2}"), 14, "benefit", "later step"),
        (_broken("    max_length: 50\n", ""), 17, "benefit_why", "max_length"),
        (_broken('text: {de: "Warum?", en: "Why?"}', 'text: {de: "Warum?"}'), 21, "benefit_why", "lacks the 'en' text"),
        (_broken("version: 3", "version: drei"), 1, None, "version must be a whole number"),
        (_broken("kind: text", "kind: essay"), 18, "benefit_why", "kind must be one of"),
        (_broken("factor: 3\n    max_length", "factor: 12\n    max_length"), 19, "benefit_why", "1-11"),
        (_broken("factor: 3\n    max_length", "factor: 3\n    risk: 10\n    max_length"), 20, "benefit_why",
         "risk factor number 1-9"),
        (_broken("  - id: benefit_why", "  - id: benefit"), 17, "benefit", "used twice"),
        (_broken("  - id: benefit_why", "  - id: end"), 17, "end", "'end' is reserved"),
        (_broken("languages: [de, en]", "languages: [de, en, de]"), 3, None, "at most once"),
        (_broken("lte: 2}", "lte: viel}"), 14, "benefit", "compares numbers"),
        (_broken("title: {de: Klein, en: Tiny}", "title: {de: Klein, en: Tiny}\ncolour: red"), 5, None,
         "unknown key 'colour'"),
    ],
)
def test_broken_scripts_name_file_line_and_step(text: str, line: int, step: str | None, fragment: str) -> None:
    with pytest.raises(ScriptError) as caught:
        load_script_text(text, "dialogs/broken.yaml")
    matching = [p for p in caught.value.problems if fragment in p.message]
    assert matching, str(caught.value)
    assert matching[0].line == line, str(caught.value)
    assert matching[0].step == step
    assert str(matching[0]).startswith(f"dialogs/broken.yaml:{line}: ")


def test_yaml_1_2_reads_no_yes_on_and_off_as_text() -> None:
    # YAML 1.1 (PyYAML) read these as booleans, so `en: No` was refused as "must be non-empty text".
    text = _broken("low: {de: kaum, en: little}", "low: {de: Nein, en: No}")
    text = text.replace("high: {de: viel, en: a lot}", "high: {de: on, en: Yes}").replace('en: "Why?"', "en: off")
    script = load_script_text(text)
    assert script.step("benefit").low == {"de": "Nein", "en": "No"}
    assert script.step("benefit").high == {"de": "on", "en": "Yes"}
    assert script.step("benefit_why").text == {"de": "Warum?", "en": "off"}


def test_true_is_still_a_boolean_and_refused_as_text() -> None:
    with pytest.raises(ScriptError) as caught:
        load_script_text(_broken("low: {de: kaum, en: little}", "low: {de: kaum, en: true}"), "dialogs/b.yaml")
    assert str(caught.value) == "dialogs/b.yaml:11: step 'benefit': the 'en' text must be non-empty text"


def test_yaml_syntax_error_names_the_line() -> None:
    with pytest.raises(ScriptError) as caught:
        load_script_text("version: 1\nsteps: [\n  - id: x\n", "dialogs/bad.yaml")
    assert str(caught.value).startswith("dialogs/bad.yaml:")
    assert "YAML syntax error" in str(caught.value)


@pytest.mark.parametrize(("text", "line", "fragment"), [
    ("version: 1\nid: x\nid: y\n", 3, "duplicate key 'id'"),
    ("version: 1\nsteps:\n  - &a {id: x}\n  - *a\n", 3, "anchors and aliases"),  # the anchor's line
    ("version: 1\ntitle: {de: a\n", 3, "YAML syntax error"),
    ("version: 1\ndate: 2026-02-30\n", 2, "cannot be read"),
    ("version: 1\n\nx: \x01\n", 3, "YAML syntax error"),
    ("version: 1\nx: " + "[" * 60 + "\n", 2, "nested more than 40 levels"),
])
def test_yaml_problems_name_file_and_line(text: str, line: int, fragment: str) -> None:
    with pytest.raises(ScriptError) as caught:
        load_script_text(text, "dialogs/bad.yaml")
    assert [problem.line for problem in caught.value.problems] == [line], str(caught.value)
    assert str(caught.value).startswith(f"dialogs/bad.yaml:{line}: ") and fragment in str(caught.value)


def test_backward_jump_is_refused_so_no_cycles() -> None:
    text = MINIMAL + "    next: benefit\n"
    with pytest.raises(ScriptError, match="must point forward"):
        load_script_text(text)


def test_condition_value_that_can_never_match_is_refused() -> None:
    text = textwrap.dedent(MINIMAL).replace("{step: benefit, lte: 2}", "{step: benefit, eq: maybe}")
    with pytest.raises(ScriptError, match="can never be 'maybe'"):
        load_script_text(text)


def test_empty_and_non_mapping_files_are_refused() -> None:
    with pytest.raises(ScriptError, match="empty"):
        load_script_text("", "x.yaml")
    with pytest.raises(ScriptError, match="must be a mapping"):
        load_script_text("- a\n- b\n", "x.yaml")


LEVELLED = MINIMAL + """\
  - id: rules
    kind: choice
    factor: 6
    text: {de: "Regeln?", en: "Rules?"}
    options:
      - {id: shared, level: 5, text: {de: Alle, en: All}}
      - {id: some, level: LEVEL, text: {de: Manche, en: Some}}
      - {id: unknown, text: {de: Weiß nicht, en: "Don't know"}}
"""


def test_choice_options_carry_a_level_that_measures_the_factor() -> None:
    script = load_script_text(LEVELLED.replace("LEVEL", "2").replace("      - then: end\n", "      - then: rules\n"))
    step = script.step("rules")
    assert [option.level for option in step.options] == [5, 2, None]
    assert step.measures and step.level_of("some") == 2 and step.level_of("unknown") is None
    assert not script.step("benefit_why").measures


@pytest.mark.parametrize("level", ["0", "6", "2.5", "true", "hoch"])
def test_an_option_level_outside_one_to_five_is_refused_with_its_line(level: str) -> None:
    with pytest.raises(ScriptError) as raised:
        load_script_text(LEVELLED.replace("LEVEL", level).replace("      - then: end\n", "      - then: rules\n"),
                         "levels.yaml")
    [problem] = raised.value.problems
    assert (problem.file, problem.line, problem.step) == ("levels.yaml", 28, "rules")
    assert "level must be a whole number from 1 (low) to 5 (high)" in problem.message


def test_levels_on_a_multiple_choice_are_refused() -> None:
    text = LEVELLED.replace("LEVEL", "2").replace("      - then: end\n", "      - then: rules\n").replace(
        "    factor: 6\n", "    factor: 6\n    multiple: true\n")
    with pytest.raises(ScriptError) as raised:
        load_script_text(text, "multiple.yaml")
    [problem] = raised.value.problems
    assert problem.step == "rules" and "options with a level need a choice of one answer" in problem.message


def test_a_text_is_parsed_once_and_a_refusal_every_time() -> None:
    # The bot (and each start of it in the tests) loads the same few texts again; a Script is immutable.
    assert load_script_text(MINIMAL, "a.yaml") is load_script_text(MINIMAL, "a.yaml")
    assert load_script_text(MINIMAL, "b.yaml") == load_script_text(MINIMAL, "a.yaml")
    for _ in range(2):
        with pytest.raises(ScriptError, match=r"b\.yaml:1: version must be a whole number"):
            load_script_text(MINIMAL.replace("version: 3", "version: x"), "b.yaml")
