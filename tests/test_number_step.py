"""The `number` step: a whole number typed within a range; in the engine, the loader and end to end."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import Settings
from bot.core import engine
from bot.core.engine import Accepted, Press, Rejected, Typed
from bot.core.script.loader import ScriptError, load_script_text
from bot.core.script.model import Script
from localapi.server import LocalBotApi
from tests.e2e import Harness

SCRIPT = """\
version: 1
id: monthly_checkin
languages: [de, en]
title: {de: Zahlen, en: Numbers}
outro: {de: Danke!, en: Thanks!}
steps:
  - id: cases
    kind: number
    factor: 3
    risk: 7
    min: 0
    max: 500
    text: {de: "Wie viele Fälle haben Sie über das Netzwerk vermittelt?", en: "How many cases did you refer?"}
    next:
      - if: {step: cases, lte: 0}
        then: why_none
      - then: end
  - id: why_none
    kind: text
    factor: 3
    max_length: 100
    text: {de: "Woran lag es?", en: "Why?"}
"""


@pytest.fixture
def numbers() -> Script:
    return load_script_text(SCRIPT, "numbers.yaml")


@pytest.mark.parametrize(("typed", "expected"), [("12", 12), (" 0 ", 0), ("+7", 7), ("500", 500), ("1 2", 12)])
def test_whole_numbers_in_range_are_taken(numbers: Script, typed: str, expected: int) -> None:
    outcome = engine.answer(numbers, engine.start(numbers), "cases", Typed(typed))
    assert isinstance(outcome, Accepted) and outcome.value == expected


@pytest.mark.parametrize("typed", ["501", "-1", "zwölf", "3.5", "", "1e3", "99999999"])
def test_other_text_is_refused_with_the_range(numbers: Script, typed: str) -> None:
    outcome = engine.answer(numbers, engine.start(numbers), "cases", Typed(typed))
    assert outcome == Rejected("not_number", minimum=0, maximum=500)


def test_a_button_is_refused_and_conditions_compare_numbers(numbers: Script) -> None:
    assert engine.answer(numbers, engine.start(numbers), "cases", Press("5")) == Rejected("use_text")
    zero = engine.answer(numbers, engine.start(numbers), "cases", Typed("0"))
    assert isinstance(zero, Accepted) and zero.state.current == "why_none"
    many = engine.answer(numbers, engine.start(numbers), "cases", Typed("4"))
    assert isinstance(many, Accepted) and many.state.finished


@pytest.mark.parametrize(("replace_", "by", "fragment"), [
    ("    min: 0\n", "", "needs 'min'"),
    ("max: 500", "max: 0", "max (0) must be greater than min (0)"),
    ("max: 500", "max: 5000000", "needs 'max', a whole number"),
    ("max: 500", "max: viele", "needs 'max'"),
])
def test_a_broken_range_is_named(replace_: str, by: str, fragment: str) -> None:
    with pytest.raises(ScriptError) as caught:
        load_script_text(SCRIPT.replace(replace_, by, 1), "numbers.yaml")
    assert any(fragment in problem.message and problem.step == "cases" for problem in caught.value.problems), \
        str(caught.value)


@pytest.fixture
def settings(api: LocalBotApi, tmp_path: Path, settings: Settings) -> Settings:
    """The usual test settings, with a dialogs folder holding the number script."""
    dialogs = tmp_path / "dialogs"
    dialogs.mkdir()
    (dialogs / "monthly_checkin.yaml").write_text(SCRIPT, encoding="utf-8")
    return replace(settings, dialogs_dir=dialogs)


async def test_a_number_is_typed_refused_politely_and_stored(harness: Harness) -> None:
    member = await harness.partner()
    [question] = await harness.send(member.user_id, "/checkin")  # this script has no intro
    assert "ganzen Zahl von 0 bis 500" in question.text and question.reply_markup is None
    [refusal] = await harness.send(member.user_id, "sehr viele")
    assert refusal.text == "Bitte antworten Sie mit einer ganzen Zahl von 0 bis 500."
    [outro] = await harness.send(member.user_id, "42")
    assert outro.text == "Danke!"
    assert harness.db.execute("SELECT step_id, value_json, value_num, risk FROM answers").fetchall() == [
        ("cases", "42", 42.0, 7)]
