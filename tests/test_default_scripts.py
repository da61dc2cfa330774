"""The scripts shipped in dialogs/: valid for schema and loader, short enough, and the monthly one covers all 11
success factors in any three rounds in a row."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from bot.core import engine
from bot.core.context import CheckinContext
from bot.core.engine import CONTINUE, DONE, NO, PARTNER_PREFIX, SKIP, YES, Accepted, Input, Pending, Press, Typed
from bot.core.flow import (
    FACTORS,
    MAX_QUESTIONS,
    RISKS,
    factors_per_round,
    longest_path,
    measured_per_round,
    questions_on,
    risks_per_round,
    rounds_to_check,
)
from bot.core.script.loader import load_script_file
from bot.core.script.model import Script, Step
from bot.core.yaml_text import load

DIALOGS = Path(__file__).resolve().parent.parent / "dialogs"
SCHEMA = json.loads((DIALOGS / "script.schema.json").read_text(encoding="utf-8"))
SCRIPT_FILES = sorted(DIALOGS.glob("*.yaml"))
PARTNERS = (("11", "Jobcenter Mitte"), ("12", "Schuldnerberatung"), ("13", "Jugendamt"))


def _load(name: str) -> Script:
    return load_script_file(DIALOGS / f"{name}.yaml")


def _most_questions(script: Script) -> int:
    """The most questions any path asks in any round."""
    return max(questions_on(script, longest_path(script, r), r) for r in rounds_to_check(script))


@pytest.mark.parametrize("path", SCRIPT_FILES, ids=lambda path: path.name)
def test_every_script_validates_against_the_schema(path: Path) -> None:
    document = load(path.read_text(encoding="utf-8"))
    problems = [f"{list(error.absolute_path)}: {error.message}"
                for error in Draft202012Validator(SCHEMA).iter_errors(document)]
    assert problems == []


@pytest.mark.parametrize("path", SCRIPT_FILES, ids=lambda path: path.name)
def test_every_script_loads_with_its_file_name_as_id(path: Path) -> None:
    script = load_script_file(path)
    assert script.id == path.stem
    assert script.languages == ("de", "en")
    assert all(step.factor is not None for step in script.steps if step.is_question and step.kind != "text")


@pytest.mark.parametrize("path", SCRIPT_FILES, ids=lambda path: path.name)
def test_no_round_of_any_script_asks_more_than_eight_questions(path: Path) -> None:
    assert _most_questions(load_script_file(path)) <= MAX_QUESTIONS


@pytest.mark.parametrize(("name", "most"), [("onboarding_checkin", 5), ("exit_checkin", 6)])
def test_onboarding_and_exit_scripts_exist_and_ask_a_few_questions(name: str, most: int) -> None:
    script = _load(name)
    assert script.version >= 1
    assert 3 <= _most_questions(script) <= most  # the exit's longest path: a hand-over settled, with its note


def test_monthly_script_is_version_4_with_three_modules_every_third_round() -> None:
    script = _load("monthly_checkin")
    assert script.version >= 4
    assert sorted((module.every, module.offset) for module in script.modules) == [(3, 0), (3, 1), (3, 2)]


# The step ids of version 2, with factor and risk: answers are filed under them, reports compare them over time.
KEPT_STEPS = {
    "goals_clear": (2, 1), "goals_missing": (2, None), "goal_statement": (2, 1), "benefit": (3, 5),
    "benefit_why": (3, 5), "agreements_kept": (4, 2), "agreements_what": (4, 2), "anything_else": (None, None),
}


@pytest.mark.parametrize(("step_id", "factor_risk"), KEPT_STEPS.items(), ids=list(KEPT_STEPS))
def test_monthly_script_keeps_the_step_ids_of_version_2(step_id: str, factor_risk: tuple[int, int | None]) -> None:
    step = _load("monthly_checkin").step(step_id)
    assert (step.factor, step.risk) == factor_risk


def test_monthly_script_keeps_the_option_ids_of_version_2() -> None:
    script = _load("monthly_checkin")
    assert [o.id for o in script.step("agreements_kept").options] == ["all", "most", "partly", "not_kept", "none_made"]
    assert {"faster_contacts", "client_results", "less_duplication", "clear_agreements", "other"} <= {
        o.id for o in script.step("benefit_why").options}


@pytest.mark.parametrize(("round_number", "factors"), [
    (1, {1, 2, 3, 4, 5, 6}),
    (2, {2, 3, 4, 7, 8, 11}),
    (3, {1, 2, 3, 4, 8, 9, 10}),
    (4, {1, 2, 3, 4, 5, 6}),
])
def test_monthly_script_asks_these_factors_on_every_path(round_number: int, factors: set[int]) -> None:
    assert factors_per_round(_load("monthly_checkin"), round_number) == factors


@pytest.mark.parametrize("first", range(1, 13))
def test_any_three_rounds_in_a_row_measure_all_eleven_success_factors_and_ask_all_nine_risks(first: int) -> None:
    script = _load("monthly_checkin")
    rounds = [first + n for n in range(3)]
    assert set().union(*(factors_per_round(script, number) for number in rounds)) == FACTORS
    assert set().union(*(measured_per_round(script, number) for number in rounds)) == FACTORS
    assert set().union(*(risks_per_round(script, number) for number in rounds)) == RISKS


def test_resources_are_asked_in_the_rotation_with_levels_and_a_concern() -> None:
    step = _load("monthly_checkin").step("resources")
    assert (step.factor, step.risk, step.module) == (8, 7, "own_org")
    assert not step.measures  # factor 8's level comes from one question (leadership_involved), not from two
    assert step.concern is not None and step.concern.operand == ("tight", "lacking")


def test_each_success_factor_is_measured_by_one_question_of_the_monthly_script() -> None:
    measuring = [step.factor for step in _load("monthly_checkin").steps if step.measures and step.factor is not None]
    assert sorted(measuring) == sorted(FACTORS)  # a second question would turn a change of question into a trend


@pytest.mark.parametrize(("step_id", "value", "level"), [
    ("agreements_kept", "all", 5), ("agreements_kept", "partly", 2), ("agreements_kept", "none_made", None),
    ("time_for_network", "hardly", 1), ("time_for_network", "unsure", None), ("network_rules", "not_by_all", 3),
    ("leadership_involved", "decides", 5), ("other_networks", "parallel", 1), ("other_networks", "none_known", None),
    ("benefit", 2, 2), ("benefit", "dont_know", None), ("benefit_why", ("other",), None),
])
def test_monthly_answers_carry_the_level_of_their_option(step_id: str, value: object, level: int | None) -> None:
    assert _load("monthly_checkin").step(step_id).level_of(value) == level  # type: ignore[arg-type]


def test_monthly_script_has_a_network_map_a_multiple_choice_and_a_contact_change_question() -> None:
    script = _load("monthly_checkin")
    [partners] = [step for step in script.steps if step.kind == "partners"]
    assert partners.module is not None
    assert any(step.kind == "choice" and step.multiple for step in script.steps)
    [contact] = [step for step in script.steps if step.risk == 9]
    assert contact.kind == "yes_no" and contact.module is not None


# --- walking the monthly check-in with the engine --------------------------------------------------------------

def _inputs(step: Step, given: Mapping[str, str]) -> list[Input]:
    """How a partner answers `step`: the value in `given`, else a calm default (4, the first option, no, skip)."""
    value = given.get(step.id)
    if step.kind == "partners":
        return [Press(PARTNER_PREFIX + PARTNERS[0][0]), Press(DONE)]
    if step.kind == "choice" and step.multiple:
        return [Press(value or step.options[0].id), Press(DONE)]
    if step.kind == "choice":
        return [Press(value or step.options[0].id)]
    if step.kind == "scale":
        return [Press(value or "4")]
    if step.kind == "yes_no":
        return [Press(value or NO)]
    if step.kind == "text":
        return [Typed(value) if value else Press(SKIP)]
    if step.kind == "number":
        return [Typed(value or str(step.minimum))]
    return [Press(CONTINUE)]


def _walk(script: Script, context: CheckinContext, given: Mapping[str, str]) -> list[str]:
    """The questions asked, in order, answering as `given` says."""
    state = engine.start(script, context)
    asked: list[str] = []
    while state.current is not None:
        step = script.step(state.current)
        for one in _inputs(step, given):
            outcome = engine.answer(script, state, step.id, one, context)
            assert isinstance(outcome, Accepted | Pending), (step.id, outcome)
            state = outcome.state
        if step.is_question:
            asked.append(step.id)
    return asked


EVERY_MONTH = ["goals_clear", "benefit", "agreements_kept"]
MODULE_STEPS = {1: ["time_for_network", "partners_worked_with", "tasks_clear", "network_rules"],
                2: ["needs_focus", "leadership_involved", "other_networks"],
                3: ["autonomy", "ideas_inside", "resources", "contact_change"]}


@pytest.mark.parametrize(("round_number", "given", "closing"), [
    pytest.param(1, {}, "goal_statement", id="round 1 all well: the goal in one sentence"),
    pytest.param(2, {}, "anything_else", id="round 2 all well: anything else"),
    pytest.param(3, {"contact_change": YES}, "anything_else", id="round 3 all well"),
    pytest.param(4, {}, "goal_statement", id="round 4 like round 1"),
    pytest.param(2, {"benefit": "2", "agreements_kept": "not_kept", "goals_clear": "1"}, "benefit_why",
                 id="low benefit comes first"),
    pytest.param(3, {"benefit": "dont_know"}, "benefit_why", id="benefit unknown"),
    pytest.param(1, {"agreements_kept": "partly", "goals_clear": "2"}, "agreements_what",
                 id="agreements before goals"),
    pytest.param(2, {"goals_clear": "2"}, "goals_missing", id="unclear goal"),
    pytest.param(1, {"goals_clear": "1"}, "goals_missing", id="unclear goal in a commitment round"),
])
def test_monthly_checkin_asks_the_module_questions_and_one_closing_question(
        round_number: int, given: dict[str, str], closing: str) -> None:
    script = _load("monthly_checkin")
    context = CheckinContext(round_number=round_number, partners=PARTNERS)
    residue = (round_number - 1) % 3 + 1
    assert _walk(script, context, given) == [*EVERY_MONTH, *MODULE_STEPS[residue], closing]


def test_without_other_partners_the_partners_step_is_passed_by() -> None:
    asked = _walk(_load("monthly_checkin"), CheckinContext(round_number=1), {})
    assert asked == [*EVERY_MONTH, "time_for_network", "tasks_clear", "network_rules", "goal_statement"]


@pytest.mark.parametrize(("given", "successor_asked", "asked"), [
    pytest.param({"exit_reason": "org_leaves"}, False, ["exit_reason", "recommend", "what_change"],
                 id="organisation leaves"),
    pytest.param({"exit_reason": "job_change", "handover_settled": YES}, False,
                 ["exit_reason", "handover_settled", "successor", "handover_notes", "recommend", "what_change"],
                 id="hand-over settled"),
    pytest.param({"exit_reason": "no_time"}, False,
                 ["exit_reason", "handover_settled", "handover_notes", "recommend", "what_change"],
                 id="hand-over open"),
    pytest.param({"exit_reason": "job_change"}, True, ["exit_reason", "handover_notes", "recommend", "what_change"],
                 id="no longer responsible: who takes over was asked already"),
    pytest.param({"exit_reason": "org_leaves"}, True, ["exit_reason", "recommend", "what_change"],
                 id="no longer responsible, and the organisation leaves"),
])
def test_exit_checkin_asks_about_the_hand_over_only_when_someone_can_take_over(
        given: dict[str, str], successor_asked: bool, asked: list[str]) -> None:
    assert _walk(_load("exit_checkin"), CheckinContext(successor_asked=successor_asked), given) == asked


def test_onboarding_checkin_asks_all_five_questions() -> None:
    script = _load("onboarding_checkin")
    assert _walk(script, CheckinContext(), {}) == [step.id for step in script.steps]
