"""diff_scripts: what changed between two versions of the real monthly check-in, line by line."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.core.script.diff import diff_scripts
from bot.core.script.loader import load_script_text
from bot.core.script.model import Option, Script, Step
from tests.e2e import TEST_DIALOGS

BASE = (TEST_DIALOGS / "monthly_checkin.yaml").read_text(encoding="utf-8")
GOAL_STATEMENT = BASE[BASE.index("  - id: goal_statement\n"):BASE.index("  - id: benefit\n")]
AGREEMENTS_WHAT = BASE[BASE.index("  - id: agreements_what\n"):BASE.index("  - id: anything_else\n")]
ANYTHING_ELSE = BASE[BASE.index("  - id: anything_else\n"):]
BENEFIT_DETAIL = """\
  - id: benefit_detail
    kind: scale
    factor: 3
    text:
      de: Wie sehr hat Ihnen das Netzwerk diesen Monat Arbeit abgenommen, etwa durch kurze Wege zu Partnern?
      en: How much work did the network save you this month?
    low: {de: gar nicht, en: not at all}
    high: {de: sehr, en: a lot}

"""
LONG = "Wie sehr hilft Ihnen das Netzwerk " + "wirklich " * 40 + "bei Ihrer Arbeit?"


def _variant(*replacements: tuple[str, str]) -> str:
    """The real script with each text replaced once (so a typo in a test fails instead of changing nothing)."""
    text = BASE
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def _diff(*replacements: tuple[str, str]) -> list[str]:
    return diff_scripts(load_script_text(BASE), load_script_text(_variant(*replacements)))


CASES = {
    "german text": (
        [("Wie klar ist Ihnen im Moment das gemeinsame", "Wie klar ist Ihnen das gemeinsame")],
        ['~ step goals_clear: text [de] "Wie klar ist Ihnen im Moment das gemeinsame Ziel des…" → '
         '"Wie klar ist Ihnen das gemeinsame Ziel des Netzwerks?"'],
    ),
    "english text and version": (
        [("version: 2", "version: 3"), ("Mostly}", "Mostly yes}")],
        ["~ version 2 → 3", '~ step agreements_kept: option most [en] "Mostly" → "Mostly yes"'],
    ),
    "title": (
        [("  de: Monatlicher Check-in", "  de: Check-in des Monats")],
        ['~ title [de] "Monatlicher Check-in" → "Check-in des Monats"'],
    ),
    "added step": (
        [("  - id: agreements_kept\n", "  - id: noted\n    kind: info\n    text: {de: Danke für den Hinweis!, "
                                      "en: Thanks!}\n\n  - id: agreements_kept\n")],
        ['+ step noted (info): "Danke für den Hinweis!"'],
    ),
    "removed step, its next changed": (
        [(GOAL_STATEMENT, ""), ("      - then: goal_statement", "      - then: benefit")],
        ['~ step goals_clear: next "goals_clear ≤ 2 → goals_missing; else → goal_statement" → '
         '"goals_clear ≤ 2 → goals_missing; else → benefit"',
         "- step goal_statement (text)"],
    ),
    "step replaced: removed at its old place, added with a shortened text": (
        [(GOAL_STATEMENT, BENEFIT_DETAIL), ("      - then: goal_statement", "      - then: benefit_detail")],
        ['~ step goals_clear: next "goals_clear ≤ 2 → goals_missing; else → goal_statement" → '
         '"goals_clear ≤ 2 → goals_missing; else → benefit_detail"',
         "- step goal_statement (text)",
         '+ step benefit_detail (scale, factor 3): "Wie sehr hat Ihnen das Netzwerk diesen Monat Arbeit…"'],
    ),
    "option label": (
        [("{de: Teilweise, en: Partly}", "{de: Zum Teil, en: Partly}")],
        ['~ step agreements_kept: option partly [de] "Teilweise" → "Zum Teil"'],
    ),
    "option added": (
        [("        text: {de: Etwas anderes, en: Something else}\n",
          "        text: {de: Etwas anderes, en: Something else}\n      - id: training\n"
          "        text: {de: Fortbildungen, en: Training}\n")],
        ['~ step benefit_why: option training added "Fortbildungen"'],
    ),
    "option removed": (
        [("      - id: partly\n        text: {de: Teilweise, en: Partly}\n", ""),
         ("in: [partly, not_kept]", "in: [not_kept]")],
        ["~ step agreements_kept: option partly removed",
         '~ step agreements_kept: next "agreements_kept in [partly, not_kept] → agreements_what;…" → '
         '"agreements_kept in [not_kept] → agreements_what; else →…"'],
    ),
    "option id renamed": (
        [("      - id: partly\n", "      - id: partial\n"), ("in: [partly, not_kept]", "in: [partial, not_kept]")],
        ["~ step agreements_kept: option partly renamed to partial",
         '~ step agreements_kept: next "agreements_kept in [partly, not_kept] → agreements_what;…" → '
         '"agreements_kept in [partial, not_kept] → agreements_what;…"'],
    ),
    "condition": (
        [("{step: goals_clear, lte: 2}", "{step: goals_clear, lte: 3}")],
        ['~ step goals_clear: next "goals_clear ≤ 2 → goals_missing; else → goal_statement" → '
         '"goals_clear ≤ 3 → goals_missing; else → goal_statement"'],
    ),
    "long condition keeps the change in view": (
        [("{step: benefit, lte: 2}", "{step: benefit, lte: 3}")],
        ['~ step benefit: next "any(benefit ≤ 2, benefit = dont_know) → benefit_why; else…" → '
         '"any(benefit ≤ 3, benefit = dont_know) → benefit_why; else…"'],
    ),
    "factor": (
        [("  - id: anything_else\n    kind: text\n", "  - id: anything_else\n    kind: text\n    factor: 5\n")],
        ["~ step anything_else: factor none → 5"],
    ),
    "risk, dont_know, max_length, optional": (
        [("    risk: 5\n    text:\n      de: Was", "    text:\n      de: Was"),
         ("    dont_know: true\n", ""), ("            - {step: benefit, eq: dont_know}\n", ""),
         ("    max_length: 300\n    optional: true", "    max_length: 500")],
        ["~ step benefit: dont_know true → false",
         '~ step benefit: next "any(benefit ≤ 2, benefit = dont_know) → benefit_why; else…" → '
         '"any(benefit ≤ 2) → benefit_why; else → agreements_kept"',
         "~ step benefit_why: risk 5 → none",
         "~ step anything_else: max_length 300 → 500",
         "~ step anything_else: optional true → false"],
    ),
    "scale labels and kind": (
        [("high: {de: sehr, en: a lot}", "high: {de: sehr stark, en: a lot}"),
         ("  - id: goals_missing\n    kind: text", "  - id: goals_missing\n    kind: yes_no"),
         ("    max_length: 200\n    optional: true\n    text:\n      de: Was fehlt", "    text:\n      de: Was fehlt")],
        ["~ step goals_missing: kind text → yes_no", '~ step benefit: high [de] "sehr" → "sehr stark"'],
    ),
    "reordered steps": (
        [(AGREEMENTS_WHAT + ANYTHING_ELSE, ANYTHING_ELSE.rstrip("\n") + "\n\n" + AGREEMENTS_WHAT.rstrip("\n") + "\n")],
        ["  step order changed: …, agreements_what, anything_else → …, anything_else, agreements_what"],
    ),
    "a new next rule": (
        [("        text: {de: Etwas anderes, en: Something else}\n",
          "        text: {de: Etwas anderes, en: Something else}\n    next: agreements_kept\n")],
        ['~ step benefit_why: next "following step" → "agreements_kept"'],
    ),
    "only spacing": (
        [("      de: Wie klar ist Ihnen im Moment", "      de: Wie klar ist Ihnen  im Moment")],
        ["~ step goals_clear: text [de] changed (whitespace only)"],
    ),
}


@pytest.mark.parametrize("replacements, expected", CASES.values(), ids=CASES.keys())
def test_one_change_gives_exact_lines(replacements: list[tuple[str, str]], expected: list[str]) -> None:
    assert _diff(*replacements) == expected


@pytest.mark.parametrize("replacements", [[], [("version: 2", "version: 3")], [("version: 2", "version: 1")]],
                         ids=["identical", "version raised", "version lowered"])
def test_equal_apart_from_the_version_is_no_changes(replacements: list[tuple[str, str]]) -> None:
    assert _diff(*replacements) == ["no changes"]


@pytest.mark.parametrize("field", ["text", "intro"])
def test_long_texts_are_shortened_and_every_line_fits(field: str) -> None:
    if field == "text":
        lines = _diff(("Wie sehr hilft Ihnen das Netzwerk zurzeit bei Ihrer eigenen Arbeit?", LONG))
        assert lines == ['~ step benefit: text [de] "Wie sehr hilft Ihnen das Netzwerk zurzeit bei Ihrer…" → '
                         '"Wie sehr hilft Ihnen das Netzwerk wirklich wirklich…"']
    else:  # a change near the end of a long text: the start is left out so the change shows
        lines = _diff(("mit /checkin weitermachen.", "mit /checkin fortsetzen."))
        assert lines == ['~ intro [de] "…unterbrechen und später mit /checkin weitermachen." → '
                         '"…unterbrechen und später mit /checkin fortsetzen."']
    assert all(len(line) <= 160 and "\n" not in line for line in lines)


def test_every_line_fits_even_with_the_longest_ids_and_texts() -> None:
    step_id, option_id = "s" * 24, "o" * 16
    text = {"de": "ä" * 3500, "en": "e" * 3500}
    old = Script("x" * 40, 1, ("de", "en"), text, text, (Step(step_id, "choice", text, factor=11, options=(
        Option(option_id, {"de": "a" * 40, "en": "b" * 40}), Option("p" * 16, text)),),), text)
    other = {"de": "ö" * 3500, "en": "f" * 3500}
    new = Script("y" * 40, 2, ("en", "de"), other, other, (Step(step_id, "scale", other, factor=1, low=other),
                                                          Step("t" * 24, "text", other, factor=1)), other)
    lines = diff_scripts(old, new)
    assert lines[0] == "~ version 1 → 2" and lines[-1].startswith('+ step tttttttttttttttttttttttt (text, factor 1): "')
    assert all(len(line) <= 160 for line in lines), [line for line in lines if len(line) > 160]


def test_languages_added_and_removed_are_one_line_each() -> None:
    old = load_script_text(BASE)
    assert diff_scripts(old, replace(old, languages=("de", "fr"))) == ["+ language fr", "- language en"]
    assert diff_scripts(old, replace(old, languages=("en", "de"))) == ["~ languages de, en → en, de"]


def test_a_short_order_change_lists_every_step() -> None:
    old = load_script_text(BASE)
    steps = old.steps
    new = replace(old, steps=(*steps[:-2], steps[-1], steps[-2]), title={"de": "Neu", "en": "New"})
    assert diff_scripts(replace(old, steps=steps[-3:]), replace(new, steps=new.steps[-3:])) == [
        '~ title [de] "Monatlicher Check-in" → "Neu"', '~ title [en] "Monthly check-in" → "New"',
        "  step order changed: agreements_kept, agreements_what, anything_else → "
        "agreements_kept, anything_else, agreements_what"]


def test_the_diff_is_stable() -> None:
    old, new = load_script_text(BASE), load_script_text(_variant(*CASES["step replaced: removed at its old place, "
                                                                       "added with a shortened text"][0]))
    assert diff_scripts(old, new) == diff_scripts(old, new)
    assert diff_scripts(new, old)[0].startswith("~ step goals_clear: next")


def test_rotation_modules_and_several_answers_are_named() -> None:
    old = load_script_text(BASE)
    with_module = BASE.replace("steps:\n", "modules:\n  - {id: quarterly, every: 3, offset: 1}\nsteps:\n", 1).replace(
        "  - id: anything_else\n", "  - id: anything_else\n    module: quarterly\n", 1)
    new = load_script_text(with_module.replace("  - id: benefit_why\n    kind: choice\n",
                                               "  - id: benefit_why\n    kind: choice\n    multiple: true\n", 1))
    assert diff_scripts(old, new) == ["+ module quarterly (every 3 rounds, offset 1)",
                                      "~ step benefit_why: multiple false → true",
                                      "~ step anything_else: module none → quarterly"]
    moved = load_script_text(with_module.replace("offset: 1", "offset: 2"))
    assert diff_scripts(load_script_text(with_module), moved) == [
        "~ module quarterly: every 3, offset 1 → every 3, offset 2"]
    assert diff_scripts(load_script_text(with_module), old) == ["- module quarterly",
                                                                "~ step anything_else: module quarterly → none"]
