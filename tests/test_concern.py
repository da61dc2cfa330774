"""`concern`: which answers of a step are a sign of its risk factor (a comparison with the step's own answer)."""

from __future__ import annotations

import pytest

from bot.core.conditions import holds
from bot.core.script.loader import ScriptError, load_script_text
from bot.core.script.model import Compare

SCRIPT = """\
version: 1
id: concerns
languages: [de, en]
title: {de: T, en: T}
outro: {de: Danke, en: Thanks}
steps:
  - id: kept
    kind: choice
    factor: 4
    risk: 2
    concern: {in: [partly, "no"]}
    text: {de: Eingehalten, en: Kept}
    options:
      - {id: all, text: {de: Alle, en: All}}
      - {id: partly, text: {de: Teils, en: Partly}}
      - {id: "no", text: {de: Nein, en: "No"}}
  - id: leaving
    kind: yes_no
    factor: 1
    risk: 9
    concern: {eq: true}
    text: {de: Wechsel, en: Change}
  - id: benefit
    kind: scale
    factor: 3
    concern: {lte: 2}
    text: {de: Nutzen, en: Benefit}
    low: {de: wenig, en: little}
    high: {de: viel, en: much}
"""


def test_concerns_are_comparisons_with_the_own_answer() -> None:
    script = load_script_text(SCRIPT)
    kept, leaving, benefit = script.steps
    assert kept.concern == Compare("kept", "in", ("partly", "no"))
    assert holds(kept.concern, {"kept": "partly"}) and not holds(kept.concern, {"kept": "all"})
    assert leaving.concern is not None and holds(leaving.concern, {"leaving": True})
    assert benefit.concern is not None and holds(benefit.concern, {"benefit": 2})
    assert not holds(benefit.concern, {"benefit": "dont_know"})


@pytest.mark.parametrize(("change", "message"), [
    (('concern: {in: [partly, "no"]}', "concern: {in: [partly, never]}"), "'kept' can never be 'never'"),
    (("concern: {eq: true}", "concern: {lte: 1}"), "'lte' only works on scale and number steps"),
    (("concern: {eq: true}", "concern: {step: kept, eq: true}"), "without 'step'"),
    (("concern: {lte: 2}", "concern: 2"), "concern compares the step's own answer"),
    (("concern: {lte: 2}", "concern: {lte: 2, gte: 4}"), "exactly one of eq, in, lte, gte"),
])
def test_bad_concerns_are_named(change: tuple[str, str], message: str) -> None:
    with pytest.raises(ScriptError) as error:
        load_script_text(SCRIPT.replace(*change), "dialogs/c.yaml")
    assert message in str(error.value) and "dialogs/c.yaml:" in str(error.value)


def test_text_steps_take_no_concern() -> None:
    text = SCRIPT + """  - id: why
    kind: text
    factor: 3
    max_length: 50
    concern: {eq: x}
    text: {de: Warum, en: Why}
"""
    with pytest.raises(ScriptError) as error:
        load_script_text(text)
    assert "unknown key 'concern'" in str(error.value)
