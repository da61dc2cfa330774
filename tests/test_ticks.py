"""Steps answered by ticking several buttons: a choice with `multiple`, and the paged partners step."""

from __future__ import annotations

import pytest

from bot.core import engine
from bot.core.context import CheckinContext
from bot.core.engine import DONE, Accepted, DialogState, Pending, Press, Rejected, Typed
from bot.core.render import describe_value, render_step
from bot.core.script.loader import ScriptError, load_script_text
from bot.core.script.model import Script

SCRIPT = """\
version: 1
id: ticks
languages: [de, en]
title: {de: T, en: T}
outro: {de: Danke, en: Thanks}
steps:
  - id: helps
    kind: choice
    multiple: true
    factor: 3
    text: {de: "Was hilft?", en: "What helps?"}
    options:
      - {id: contacts, text: {de: Kontakte, en: Contacts}}
      - {id: cases, text: {de: Fallberatung, en: Case advice}}
      - {id: nothing, text: {de: Nichts, en: Nothing}}
    next:
      - if: {step: helps, eq: nothing}
        then: why_not
      - then: worked_with
  - id: why_not
    kind: text
    factor: 3
    max_length: 100
    text: {de: "Warum nicht?", en: "Why not?"}
  - id: worked_with
    kind: partners
    factor: 11
    text: {de: "Mit wem haben Sie gearbeitet?", en: "Who did you work with?"}
"""
PARTNERS = tuple((str(n), f"Partner {n:02d}") for n in range(1, 20))  # 19 partners: three pages of 8
CONTEXT = CheckinContext(partners=PARTNERS)


def gettext(text: str) -> str:
    """No translation: the English source text."""
    return text


@pytest.fixture
def script() -> Script:
    """The script above."""
    return load_script_text(SCRIPT)


def press(script: Script, state: DialogState, value: str, context: CheckinContext = CONTEXT) -> engine.Outcome:
    """Tap a button on the current step."""
    return engine.answer(script, state, state.current or "", Press(value), context)


def tick(script: Script, state: DialogState, *values: str) -> DialogState:
    """Tap buttons that only tick (each must be Pending)."""
    for value in values:
        outcome = press(script, state, value)
        assert isinstance(outcome, Pending), (value, outcome)
        state = outcome.state
    return state


def test_ticking_toggles_and_done_answers_in_button_order(script: Script) -> None:
    state = tick(script, engine.start(script, CONTEXT), "cases", "contacts", "nothing", "nothing")
    assert state.draft == ("cases", "contacts") and state.current == "helps"
    outcome = press(script, state, DONE)
    assert isinstance(outcome, Accepted)
    assert outcome.value == ("contacts", "cases") and outcome.state.current == "worked_with"
    assert outcome.state.draft == ()


def test_a_choice_needs_one_tick_before_done(script: Script) -> None:
    outcome = press(script, engine.start(script, CONTEXT), DONE)
    assert isinstance(outcome, Rejected) and outcome.reason == "none_ticked"


def test_eq_on_several_chosen_holds_when_one_matches(script: Script) -> None:
    state = tick(script, engine.start(script, CONTEXT), "cases", "nothing")
    outcome = press(script, state, DONE)
    assert isinstance(outcome, Accepted) and outcome.state.current == "why_not"


@pytest.mark.parametrize("given", [Press("unknown"), Press("o3"), Typed("contacts")])
def test_foreign_input_on_a_tick_step_is_refused(script: Script, given: engine.Input) -> None:
    outcome = engine.answer(script, engine.start(script, CONTEXT), "helps", given, CONTEXT)
    assert isinstance(outcome, Rejected)


def at_partners(script: Script) -> DialogState:
    """The state at the partners step."""
    outcome = press(script, tick(script, engine.start(script, CONTEXT), "cases"), DONE)
    assert isinstance(outcome, Accepted)
    return outcome.state


def test_partners_page_tick_and_finish(script: Script) -> None:
    state = tick(script, at_partners(script), "o2", "_p2", "o19", "_p0")
    assert state.page == 0 and state.draft == ("2", "19")
    outcome = press(script, state, DONE)
    assert isinstance(outcome, Accepted) and outcome.value == ("2", "19") and outcome.state.finished


def test_none_of_them_is_an_answer_on_the_partners_step(script: Script) -> None:
    outcome = press(script, at_partners(script), DONE)
    assert isinstance(outcome, Accepted) and outcome.value == ()


@pytest.mark.parametrize("value", ["o99", "o", "_p3", "_px", "2"])
def test_partners_refuse_unknown_organisations_and_pages(script: Script, value: str) -> None:
    outcome = press(script, at_partners(script), value)
    assert isinstance(outcome, Rejected) and outcome.reason == "invalid"


def test_the_partners_step_is_passed_by_when_there_are_no_partners(script: Script) -> None:
    alone = CheckinContext()
    state = tick(script, engine.start(script, alone), "cases")
    outcome = engine.answer(script, state, "helps", Press(DONE), alone)
    assert isinstance(outcome, Accepted) and outcome.state.finished


def test_render_shows_ticks_pages_and_done(script: Script) -> None:
    view = render_step(script, "helps", "en", gettext, 1, state=tick(script, engine.start(script, CONTEXT), "cases"))
    labels = [button.label for row in view.buttons for button in row]
    assert labels == ["Contacts", "✓ Case advice", "Nothing", "Done"]
    state = tick(script, at_partners(script), "_p1", "o10")
    view = render_step(script, "worked_with", "en", gettext, 2, state=state, context=CONTEXT)
    rows = [[button.value for button in row] for row in view.buttons]
    assert rows == [["o9", "o10"], ["o11", "o12"], ["o13", "o14"], ["o15", "o16"], ["_p0", "_p2"], [DONE]]
    assert "Page 2 of 3" in view.text and view.buttons[0][1].label == "✓ Partner 10"
    empty = render_step(script, "worked_with", "en", gettext, 2, state=at_partners(script), context=CONTEXT)
    assert empty.buttons[-1][0].label == "None of them"


def test_describe_several_answers(script: Script) -> None:
    assert describe_value(script.step("helps"), ("contacts", "cases"), "de", gettext) == "Kontakte, Fallberatung"
    names = dict(PARTNERS)
    assert describe_value(script.step("worked_with"), ("2", "19"), "en", gettext, names) == "Partner 02, Partner 19"
    assert describe_value(script.step("worked_with"), (), "en", gettext, names) == "None of them"


def test_several_answers_cannot_be_changed_with_one_tap(script: Script) -> None:
    state = at_partners(script)
    outcome = engine.revise(script, state, "helps", Press("nothing"))
    assert isinstance(outcome, Rejected)


@pytest.mark.parametrize(("change", "message"), [
    (("    multiple: true\n", "    multiple: yes please\n"), "multiple must be true or false"),
    (("    factor: 11\n", "    factor: 11\n    options: []\n"), "unknown key 'options'"),
    (("      - if: {step: helps, eq: nothing}", "      - if: {step: helps, gte: 2}"),
     "'gte' only works on scale and number steps"),
])
def test_bad_tick_steps_are_named(change: tuple[str, str], message: str) -> None:
    with pytest.raises(ScriptError) as error:
        load_script_text(SCRIPT.replace(*change))
    assert message in str(error.value)


def test_conditions_cannot_look_at_a_partners_step() -> None:
    text = SCRIPT + """    next:
      - if: {step: worked_with, eq: "1"}
        then: end
      - then: last
  - id: last
    kind: yes_no
    factor: 4
    text: {de: Letzte, en: Last}
"""
    with pytest.raises(ScriptError) as error:
        load_script_text(text)
    assert "conditions cannot look at the partners step 'worked_with'" in str(error.value)


def test_changing_an_earlier_answer_keeps_the_ticks_under_way(script: Script) -> None:
    state = tick(script, at_partners(script), "o2", "o5")
    outcome = engine.revise(script, state, "helps", Press("cases"))
    assert isinstance(outcome, Rejected)  # ticks steps are not revised one tap at a time ...
    typed = DialogState("worked_with", {"why_not": "x", "helps": ("cases",)}, ("helps", "worked_with"), ("2",), 1)
    changed = engine.revise(load_script_text(SCRIPT), typed, "why_not", Typed("anders"))
    assert isinstance(changed, Accepted)  # ... and changing another answer keeps what is ticked and the page
    assert (changed.state.draft, changed.state.page, changed.state.answers["why_not"]) == (("2",), 1, "anders")


def test_a_script_whose_round_asks_nothing_is_refused() -> None:
    text = SCRIPT.replace("    kind: partners\n", "    kind: info\n").replace("  - id: helps\n", "  - id: helps\n"
                                                                             "    module: rare\n", 1)
    text = text.replace("steps:\n", "modules:\n  - {id: rare, every: 2}\nsteps:\n", 1).replace(
        "  - id: why_not\n", "  - id: why_not\n    module: rare\n", 1)
    with pytest.raises(ScriptError) as error:
        load_script_text(text)
    assert "in round 2 no path asks a question" in str(error.value)


def test_long_scripts_are_refused_without_deep_recursion() -> None:
    step = "  - id: s{n}\n    kind: info\n    text: {{de: x, en: x}}\n"
    many = SCRIPT + "".join(step.format(n=n) for n in range(300))
    with pytest.raises(ScriptError) as error:
        load_script_text(many)
    assert "a script has at most 60 steps, this one 303" in str(error.value)
