"""The JSON Schema in dialogs/: every script validates, and schema and loader agree on what a script may contain."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from bot.core.script.loader import (
    MAX_LABEL,
    MAX_NUMBER,
    MAX_OPTION_ID,
    MAX_OPTIONS,
    MAX_STEP_ID,
    MAX_TEXT,
    MAX_TEXT_ANSWER,
    ScriptError,
    load_script_text,
)
from bot.core.tips import load_tips_text
from bot.core.yaml_text import dump, load

DIALOGS = Path(__file__).resolve().parent.parent / "dialogs"
SCHEMA = json.loads((DIALOGS / "script.schema.json").read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA)

Doc = dict[str, Any]
Change = Callable[[Doc], None]


def _texts(de: str, en: str) -> dict[str, str]:
    return {"de": de, "en": en}


def _base() -> Doc:
    """A small valid script with one step of every kind and a branch."""
    return {
        "version": 1,
        "id": "tiny",
        "languages": ["de", "en"],
        "title": _texts("Klein", "Tiny"),
        "outro": _texts("Danke", "Thanks"),
        "steps": [
            {"id": "benefit", "kind": "scale", "factor": 3, "text": _texts("Nutzen?", "Benefit?"),
             "low": _texts("kaum", "little"), "high": _texts("viel", "a lot"),
             "next": [{"if": {"step": "benefit", "lte": 2}, "then": "why"}, {"then": "kept"}]},
            {"id": "why", "kind": "text", "factor": 3, "max_length": 200, "optional": True,
             "text": _texts("Warum?", "Why?")},
            {"id": "kept", "kind": "choice", "factor": 4, "text": _texts("Eingehalten?", "Kept?"),
             "options": [{"id": "all", "text": _texts("Alle", "All")},
                         {"id": "some", "text": _texts("Manche", "Some")}]},
            {"id": "met", "kind": "yes_no", "factor": 1, "text": _texts("Getroffen?", "Met?")},
            {"id": "thanks", "kind": "info", "text": _texts("Fast fertig.", "Almost done.")},
        ],
    }


def _set(*path_and_value: Any) -> Change:
    """Set the value at a path of keys and list positions (the last argument is the value)."""
    *path, value = path_and_value

    def change(doc: Doc) -> None:
        target: Any = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = copy.deepcopy(value)

    return change


def _drop(*path: Any) -> Change:
    """Remove the key (or list item) at a path."""

    def change(doc: Doc) -> None:
        target: Any = doc
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


def _if(condition: Any, step: int = 0) -> Change:
    """Branch on this condition: from the scale step to `why`, else `kept`; from a later step to the end."""
    if step == 0:
        return _set("steps", 0, "next", [{"if": condition, "then": "why"}, {"then": "kept"}])
    return _set("steps", step, "next", [{"if": condition, "then": "end"}])


def _text_maps(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, list):
        return [found for item in node for found in _text_maps(item)]
    if not isinstance(node, dict):
        return []
    own = [node] if "de" in node else []
    return own + [found for value in node.values() for found in _text_maps(value)]


def _languages(*languages: str) -> Change:
    """Use these languages, writing (or dropping) every text accordingly."""

    def change(doc: Doc) -> None:
        doc["languages"] = list(languages)
        for texts in _text_maps(doc):
            german = texts["de"]
            texts.clear()
            texts.update({lang: f"{german} ({lang})" for lang in languages})

    return change


def _options(count: int) -> Change:
    return _set("steps", 2, "options", [{"id": f"o{n}", "text": _texts(f"O{n}", f"O{n}")} for n in range(count)])


def _more_questions(count: int) -> Change:
    def change(doc: Doc) -> None:
        doc["steps"][4:4] = [{"id": f"extra{n}", "kind": "yes_no", "factor": 1, "text": _texts("Ja?", "Yes?")}
                             for n in range(count)]

    return change


_MISSING = object()  # in _number: leave this key out


def _number(**fields: Any) -> Change:
    """Add a number step (before the info step) with these keys besides id, kind, factor and text."""

    def change(doc: Doc) -> None:
        step = {"id": "cases", "kind": "number", "factor": 3, "text": _texts("Wie viele?", "How many?"), **fields}
        doc["steps"].insert(4, {key: value for key, value in step.items() if value is not _MISSING})

    return change


def _both(*changes: Change) -> Change:
    """Apply several changes in order."""

    def change(doc: Doc) -> None:
        for one in changes:
            one(doc)

    return change


def _changed(change: Change) -> Doc:
    doc = _base()
    change(doc)
    return doc


def _schema_accepts(doc: Any) -> bool:
    return VALIDATOR.is_valid(doc)


def _loader_accepts(doc: Any) -> bool:
    text = dump(doc, aliases=False)  # never anchors and aliases (the loader refuses them), even for a value used twice
    assert load(text) == doc  # the loader must see exactly the data the schema saw
    try:
        load_script_text(text)
    except ScriptError:
        return False
    return True


def _unchanged(doc: Doc) -> None:
    """No change: the base script as it is."""


@pytest.mark.parametrize("path", sorted(DIALOGS.glob("*.yaml")), ids=lambda path: path.name)
def test_every_script_in_dialogs_validates(path: Path) -> None:
    document = load(path.read_text(encoding="utf-8"))
    problems = [f"{list(error.absolute_path)}: {error.message}" for error in VALIDATOR.iter_errors(document)]
    assert problems == []


def test_schema_is_a_draft_2020_12_schema_with_id_and_title() -> None:
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA["$id"] and SCHEMA["title"]


@pytest.mark.parametrize(
    ("change", "where"),
    [
        pytest.param(_set("colour", "blue"), (), id="unknown top-level key"),
        pytest.param(_set("steps", 0, "factr", 3), ("steps", 0), id="unknown step key"),
        pytest.param(_set("steps", 1, "options", [{"id": "a", "text": _texts("A", "A")}]), ("steps", 1),
                     id="text step with options"),
        pytest.param(_set("steps", 0, "factor", 12), ("steps", 0, "factor"), id="factor 12"),
        pytest.param(_set("steps", 3, "id", "Met-Up"), ("steps", 3, "id"), id="bad step id"),
        pytest.param(_if({"step": "benefit", "lte": 2, "gte": 1}), ("steps", 0, "next", 0, "if"),
                     id="condition with two operators"),
        pytest.param(_drop("title", "de"), ("title",), id="missing de"),
    ],
)
def test_schema_rejects_broken_document_where_it_is_broken(change: Change, where: tuple[str | int, ...]) -> None:
    errors = list(VALIDATOR.iter_errors(_changed(change)))
    assert where in {tuple(error.absolute_path) for error in errors}


# Structural cases only: what one look at the document can decide. Flow checks (targets exist and lie ahead,
# conditions look back at questions with possible values, every step reachable, at most 8 questions on a path,
# unique ids, texts in exactly the listed languages) need the whole script and stay with the loader: see FLOW_ONLY.
AGREEMENT: list[Any] = [
    # The whole script
    pytest.param(_unchanged, True, id="base script"),
    pytest.param(_languages("de", "en", "fr"), False, id="a language the bot does not speak"),
    pytest.param(_languages("de", "en", "de"), False, id="a language twice"),
    pytest.param(_languages("de"), True, id="German only"),
    pytest.param(_set("version", 2), True, id="version 2"),
    pytest.param(_set("version", 0), False, id="version 0"),
    pytest.param(_set("version", "1"), False, id="version as text"),
    pytest.param(_set("version", True), False, id="version true"),
    pytest.param(_drop("version"), False, id="no version"),
    pytest.param(_set("id", "s" * 40), True, id="script id of 40"),
    pytest.param(_set("id", "s" * 41), False, id="script id of 41"),
    pytest.param(_set("id", "Tiny"), False, id="script id with capital"),
    pytest.param(_set("languages", ["en"]), False, id="languages without de"),
    pytest.param(_set("languages", "de"), False, id="languages not a list"),
    pytest.param(_set("colour", "blue"), False, id="unknown top-level key"),
    pytest.param(_drop("outro"), False, id="no outro"),
    pytest.param(_drop("steps"), False, id="no steps"),
    pytest.param(_set("steps", []), False, id="empty steps"),
    pytest.param(_set("id", 7), False, id="script id a number"),
    pytest.param(_set("languages", ["de", 5]), False, id="language a number"),
    pytest.param(_set("steps", {"benefit": {}}), False, id="steps a mapping"),
    # Texts: German required, never blank, within their limits
    pytest.param(_set("intro", _texts("Hallo", "Hello")), True, id="intro"),
    pytest.param(_set("title", "Klein"), False, id="title as plain text"),
    pytest.param(_set("title", "de", "t" * 200), True, id="title of 200"),
    pytest.param(_set("title", "de", "t" * 201), False, id="title of 201"),
    pytest.param(_drop("title", "de"), False, id="title without de"),
    pytest.param(_set("outro", "en", "   "), False, id="blank text"),
    pytest.param(_set("outro", "en", 5), False, id="text is a number"),
    pytest.param(_set("steps", 0, "text", "de", "t" * MAX_TEXT), True, id="step text at MAX_TEXT"),
    pytest.param(_set("steps", 0, "text", "de", "t" * (MAX_TEXT + 1)), False, id="step text over MAX_TEXT"),
    pytest.param(_set("steps", 0, "low", "de", "t" * MAX_LABEL), True, id="scale label at MAX_LABEL"),
    pytest.param(_set("steps", 0, "high", "en", "t" * (MAX_LABEL + 1)), False, id="scale label over MAX_LABEL"),
    pytest.param(_set("steps", 2, "options", 0, "text", "de", "t" * (MAX_LABEL + 1)), False,
                 id="button label over MAX_LABEL"),
    pytest.param(_set("title", "de", " "), False, id="blank title"),
    pytest.param(_set("title", "de", 2026), False, id="title a number"),
    pytest.param(_both(_languages("de", "en", "fr"), _set("title", "fr", "t" * 201)), False,
                 id="third-language title of 201"),
    pytest.param(_set("intro", {"en": "Hello"}), False, id="intro without de"),
    pytest.param(_set("intro", "Hallo"), False, id="intro a plain word"),
    pytest.param(_both(_set("intro", _texts("Hallo", "Hello")), _languages("de", "en", "fr"), _set("intro", "fr", " ")),
                 False, id="blank third-language intro"),
    pytest.param(_drop("outro", "de"), False, id="outro without de"),
    pytest.param(_set("outro", "Danke"), False, id="outro a plain word"),
    pytest.param(_drop("steps", 3, "text", "de"), False, id="step text without de"),
    pytest.param(_set("steps", 3, "text", "Getroffen?"), False, id="step text a plain word"),
    pytest.param(_both(_languages("de", "en", "fr"), _set("steps", 3, "text", "fr", "\n")), False,
                 id="blank third-language step text"),
    pytest.param(_drop("steps", 0, "high", "de"), False, id="label without de"),
    pytest.param(_set("steps", 0, "high", "viel"), False, id="label a plain word"),
    pytest.param(_set("steps", 2, "options", 1, "text", "en", "  "), False, id="blank button label"),
    pytest.param(_set("intro", _texts(" ", "Hello")), False, id="blank intro"),
    pytest.param(_set("title", "en", "t" * 201), False, id="English title of 201"),
    pytest.param(_both(_languages("de", "en", "fr"), _set("outro", "fr", "")), False, id="empty third-language text"),
    pytest.param(_both(_languages("de", "en", "fr"), _set("steps", 0, "low", "fr", "t" * (MAX_LABEL + 1))), False,
                 id="third-language label over MAX_LABEL"),
    pytest.param(_set("steps", 0, "low", "en", True), False, id="label true"),
    # Steps: ids, kinds and the keys each kind takes
    pytest.param(_drop("steps", 4, "text"), False, id="step without text"),
    pytest.param(_set("steps", 4, "id", "s" * MAX_STEP_ID), True, id="step id at MAX_STEP_ID"),
    pytest.param(_set("steps", 4, "id", "s" * (MAX_STEP_ID + 1)), False, id="step id over MAX_STEP_ID"),
    pytest.param(_set("steps", 4, "id", "Thanks"), False, id="step id with capital"),
    pytest.param(_set("steps", 4, "id", "9lives"), False, id="step id starting with digit"),
    pytest.param(_set("steps", 4, "id", "thank-you"), False, id="step id with hyphen"),
    # The loader refuses a step named end only because no path can reach it; the schema says so directly.
    pytest.param(_set("steps", 4, "id", "end"), False, id="step id end"),
    pytest.param(_drop("steps", 4, "id"), False, id="step without id"),
    pytest.param(_set("steps", 4, "kind", "slider"), False, id="unknown kind"),
    pytest.param(_drop("steps", 4, "kind"), False, id="step without kind"),
    pytest.param(_set("steps", 0, "factr", 3), False, id="unknown step key"),
    pytest.param(_set("steps", 0, "options", []), False, id="scale step with options"),
    pytest.param(_set("steps", 1, "options", [{"id": "a", "text": _texts("A", "A")}]), False,
                 id="text step with options"),
    pytest.param(_set("steps", 2, "low", _texts("a", "a")), False, id="choice step with low"),
    pytest.param(_set("steps", 3, "max_length", 10), False, id="yes_no step with max_length"),
    pytest.param(_set("steps", 4, "dont_know", True), False, id="info step with dont_know"),
    pytest.param(_set("steps", 4, "thanks"), False, id="step a plain word"),
    pytest.param(_set("steps", 4, "id", "thanks\n"), False, id="step id with trailing newline"),
    pytest.param(_set("steps", 4, "id", 4), False, id="step id a number"),
    # Success and risk factors
    pytest.param(_set("steps", 3, "factor", "3"), False, id="factor as text"),
    pytest.param(_set("steps", 4, "risk", "5"), False, id="risk as text"),
    pytest.param(_set("steps", 4, "factor", 5), True, id="info step with factor"),
    pytest.param(_set("steps", 4, "factor", None), True, id="info step with empty factor"),
    pytest.param(_set("steps", 4, "factor", 12), False, id="info step with factor 12"),
    pytest.param(_drop("steps", 3, "factor"), False, id="question without factor"),
    pytest.param(_set("steps", 3, "factor", None), False, id="question with empty factor"),
    pytest.param(_set("steps", 3, "factor", 11), True, id="factor 11"),
    pytest.param(_set("steps", 3, "factor", 0), False, id="factor 0"),
    pytest.param(_set("steps", 3, "factor", 12), False, id="factor 12"),
    pytest.param(_set("steps", 3, "factor", 2.5), False, id="factor 2.5"),
    pytest.param(_set("steps", 3, "factor", True), False, id="factor true"),
    pytest.param(_set("steps", 0, "risk", 5), True, id="risk 5"),
    pytest.param(_set("steps", 4, "risk", None), True, id="empty risk"),
    pytest.param(_set("steps", 0, "risk", 10), False, id="risk 10"),
    pytest.param(_set("steps", 0, "risk", 0), False, id="risk 0"),
    pytest.param(_number(min=0, max=5, factor=_MISSING), False, id="number without factor"),
    # Scale steps
    pytest.param(_set("steps", 0, "dont_know", "yes"), False, id="dont_know as text"),
    pytest.param(_drop("steps", 0, "low"), False, id="scale without low"),
    pytest.param(_set("steps", 0, "dont_know", True), True, id="scale with dont_know"),
    # Choice steps
    pytest.param(_options(MAX_OPTIONS), True, id="MAX_OPTIONS options"),
    pytest.param(_options(MAX_OPTIONS + 1), False, id="too many options"),
    pytest.param(_options(1), False, id="one option"),
    pytest.param(_drop("steps", 2, "options"), False, id="choice without options"),
    pytest.param(_set("steps", 2, "options", 0, "id", "o" * MAX_OPTION_ID), True, id="option id at MAX_OPTION_ID"),
    pytest.param(_set("steps", 2, "options", 0, "id", "o" * (MAX_OPTION_ID + 1)), False,
                 id="option id over MAX_OPTION_ID"),
    pytest.param(_set("steps", 2, "options", 0, "id", "dont_know"), False, id="option id dont_know"),
    pytest.param(_set("steps", 2, "options", 0, "id", "yes"), True, id="option id yes as text"),
    pytest.param(_set("steps", 2, "options", 0, "id", True), False, id="option id true"),
    pytest.param(_set("steps", 2, "options", 0, "hint", "x"), False, id="unknown option key"),
    pytest.param(_drop("steps", 2, "options", 0, "text"), False, id="option without text"),
    pytest.param(_set("steps", 2, "options", 0, "id", "all\n"), False, id="option id with trailing newline"),
    pytest.param(_set("steps", 2, "options", 0, "id", "All"), False, id="option id with capital"),
    pytest.param(_set("steps", 2, "options", {"all": "Alle"}), False, id="options a mapping"),
    pytest.param(_set("steps", 2, "options", 1, "some"), False, id="option a plain word"),
    # Text steps
    pytest.param(_set("steps", 1, "max_length", MAX_TEXT_ANSWER), True, id="max_length at MAX_TEXT_ANSWER"),
    pytest.param(_set("steps", 1, "max_length", MAX_TEXT_ANSWER + 1), False, id="max_length over MAX_TEXT_ANSWER"),
    pytest.param(_set("steps", 1, "max_length", 0), False, id="max_length 0"),
    pytest.param(_drop("steps", 1, "max_length"), False, id="text without max_length"),
    pytest.param(_set("steps", 1, "max_length", "200"), False, id="max_length as text"),
    pytest.param(_set("steps", 1, "optional", "yes"), False, id="optional as text"),
    # Number steps
    pytest.param(_number(min=0, max="5"), False, id="number max as text"),
    pytest.param(_number(min=0, max=500), True, id="number step"),
    pytest.param(_number(min=-MAX_NUMBER, max=MAX_NUMBER), True, id="number range at MAX_NUMBER"),
    pytest.param(_number(min=0, max=MAX_NUMBER + 1), False, id="number max over MAX_NUMBER"),
    pytest.param(_number(min=-MAX_NUMBER - 1, max=0), False, id="number min under -MAX_NUMBER"),
    pytest.param(_number(min=_MISSING, max=5), False, id="number without min"),
    pytest.param(_number(min=0, max=_MISSING), False, id="number without max"),
    pytest.param(_number(min=0.5, max=5), False, id="number min 0.5"),
    pytest.param(_number(min=0, max=5, max_length=3), False, id="number step with max_length"),
    pytest.param(_number(min=MAX_NUMBER + 1, max=5), False, id="number min over MAX_NUMBER"),
    pytest.param(_number(min=0, max=-MAX_NUMBER - 1), False, id="number max under -MAX_NUMBER"),
    # next and its rules
    pytest.param(_set("steps", 3, "next", 5), False, id="next a number"),
    pytest.param(_set("steps", 4, "next", "end"), True, id="next end"),
    pytest.param(_set("steps", 3, "next", None), True, id="empty next"),
    pytest.param(_set("steps", 3, "next", []), True, id="next without rules"),
    pytest.param(_set("steps", 3, "next", {"then": "thanks"}), False, id="next a single rule"),
    pytest.param(_set("steps", 0, "next", 1, {"else": "kept"}), False, id="rule without then"),
    pytest.param(_set("steps", 0, "next", 1, "else", "kept"), False, id="unknown rule key"),
    pytest.param(_set("steps", 0, "next", 1, "then", ["kept"]), False, id="then a list"),
    pytest.param(_set("steps", 0, "next", [{"then": "why"}, {"then": "kept"}]), False, id="two rules without if"),
    pytest.param(_set("steps", 3, "next", "t" * (MAX_STEP_ID + 1)), False, id="next to a too long id"),
    pytest.param(_set("steps", 3, "next", "Thanks"), False, id="next to an invalid id"),
    pytest.param(_set("steps", 0, "next", 1, {"if": {"step": "benefit", "gte": 3}}), False, id="rule with only if"),
    pytest.param(_set("steps", 0, "next", 1, "kept"), False, id="rule a plain word"),
    # Conditions
    pytest.param(_if({"step": "why", "eq": None}, step=3), True, id="eq null on skipped text"),
    pytest.param(_if({"step": "benefit", "lte": "2"}), False, id="lte as text"),
    pytest.param(_if({"step": "benefit", "gte": "3"}), False, id="gte as text"),
    pytest.param(_both(_number(min=0, max=500), _if({"step": "cases", "gte": 10}, step=5)), True,
                 id="gte on a number step"),
    pytest.param(_if({"all": [{"step": "benefit", "gte": 1}, {"not": {"any": [{"step": "benefit", "lte": 1},
                                                                               {"step": "benefit", "eq": 5}]}}]}),
                 True, id="nested all any not"),
    pytest.param(_if({"step": "benefit", "in": [1, 2]}), True, id="in"),
    pytest.param(_if({"step": "met", "eq": True}, step=3), True, id="eq true on yes_no"),
    pytest.param(_if({"step": "benefit", "lte": 2, "gte": 1}), False, id="two operators"),
    pytest.param(_if({"step": "benefit"}), False, id="no operator"),
    pytest.param(_if({"step": "benefit", "lt": 2}), False, id="unknown operator"),
    pytest.param(_if({}), False, id="empty condition"),
    pytest.param(_if(None), False, id="null condition"),
    pytest.param(_if({"all": []}), False, id="all empty"),
    pytest.param(_if({"any": {"step": "benefit", "lte": 2}}), False, id="any not a list"),
    pytest.param(_if({"all": [{"step": "benefit", "lte": 2}], "step": "benefit"}), False, id="all with step"),
    pytest.param(_if({"not": None}), False, id="not empty"),
    pytest.param(_if({"step": "benefit", "in": []}), False, id="in empty"),
    pytest.param(_if({"step": "benefit", "in": 1}), False, id="in not a list"),
    pytest.param(_if({"step": "benefit", "in": [[1], 2]}), False, id="in with a list inside"),
    pytest.param(_if({"step": "benefit", "eq": [1]}), False, id="eq a list"),
    pytest.param(_if({"step": "met", "eq": {"yes": 1}}, step=3), False, id="eq a mapping"),
    pytest.param(_if({"step": "why", "eq": 2.5}, step=3), True, id="eq 2.5 on a text step"),
    pytest.param(_if({"any": [{"step": "benefit", "lte": 2}], "step": "benefit"}), False, id="any with step"),
    pytest.param(_if({"not": {"step": "benefit", "lte": 2}, "eq": 1}), False, id="not with eq"),
    pytest.param(_if({"eq": 1, "lte": 2}), False, id="comparison without step"),
]


@pytest.mark.parametrize(("change", "accepted"), AGREEMENT)
def test_schema_and_loader_agree_on_structure(change: Change, accepted: bool) -> None:
    doc = _changed(change)
    assert (_schema_accepts(doc), _loader_accepts(doc)) == (accepted, accepted)


@pytest.mark.parametrize("document", [None, [], "steps", 1], ids=repr)
def test_schema_and_loader_refuse_a_document_that_is_no_mapping(document: Any) -> None:
    assert not _schema_accepts(document)
    assert not _loader_accepts(document)


# What a JSON Schema cannot say, so it lets these pass and the loader (python -m bot dialogs check, and the bot at
# start) refuses them: checks over the whole script (jumps, reachability, unique ids, the languages listed), two
# values compared (min below max), the position of a rule, and YAML's number types (JSON counts 3.0 as an integer).
FLOW_ONLY: list[Any] = [
    pytest.param(_set("steps", 3, "next", "nowhere"), id="next to an unknown step"),
    pytest.param(_set("steps", 3, "next", "benefit"), id="next backwards"),
    pytest.param(_set("steps", 0, "next", [{"then": "kept"}, {"if": {"step": "benefit", "lte": 2}, "then": "why"}]),
                 id="rule without if not last"),
    pytest.param(_set("steps", 4, "id", "met"), id="step id twice"),
    pytest.param(_set("steps", 2, "options", 1, "id", "all"), id="option id twice"),
    pytest.param(_if({"step": "kept", "eq": "all"}), id="condition on a later step"),
    pytest.param(_if({"step": "thanks", "eq": 1}, step=4), id="condition on an info step"),
    pytest.param(_if({"step": "kept", "lte": 2}, step=3), id="lte on a choice step"),
    pytest.param(_if({"step": "benefit", "eq": 7}), id="scale can never be 7"),
    pytest.param(_if({"step": "benefit", "eq": "dont_know"}), id="dont_know without the button"),
    pytest.param(_drop("steps", 3, "text", "en"), id="text lacks a listed language"),
    pytest.param(_set("steps", 3, "text", "fr", "Oui?"), id="text in an unlisted language"),
    pytest.param(_set("steps", 0, "next", "kept"), id="unreachable step"),
    pytest.param(_more_questions(5), id="more than 8 questions on a path"),
    pytest.param(_number(min=5, max=5), id="number min not below max"),
    pytest.param(_set("steps", 3, "factor", 3.0), id="factor 3.0 (an integer to JSON Schema)"),
]


@pytest.mark.parametrize("change", FLOW_ONLY)
def test_flow_checks_are_left_to_the_loader(change: Change) -> None:
    doc = _changed(change)
    assert _schema_accepts(doc)
    assert not _loader_accepts(doc)



def _readme_examples() -> list[Any]:
    """The data of every yaml block in dialogs/README.md (the comment-only modeline block has none)."""
    text = (DIALOGS / "README.md").read_text(encoding="utf-8")
    blocks = [part.split("\n```", 1)[0] for part in text.split("```yaml\n")[1:]]
    return [data for data in (load(block) for block in blocks) if data is not None]


README_EXAMPLES = _readme_examples()


def test_readme_shows_a_whole_script_a_list_of_steps_and_rules() -> None:
    shapes = [next(iter(example)) if isinstance(example, dict) else "steps" for example in README_EXAMPLES]
    assert shapes == ["version", "steps", "steps", "next", "version", "steps", "rules"]  # a focus step, the tips


@pytest.mark.parametrize("example", README_EXAMPLES, ids=lambda example: "script" if "version" in example else
                         "steps" if isinstance(example, list) else "tips" if "rules" in example else "next")
def test_readme_examples_are_valid(example: Any) -> None:
    if isinstance(example, dict) and "rules" in example:  # the coaching tips: in place of the shipped file's rules
        shipped = load((DIALOGS / "tips" / "coaching_tips.yaml").read_text(encoding="utf-8"))
        tips = load_tips_text(dump({**shipped, "rules": example["rules"]}))
        assert set(tips.rules["unclear_benefit"]) == {"first", "again"}
        return
    if isinstance(example, dict) and "next" in example:  # rules alone: the loader needs the steps they name
        assert Draft202012Validator({"$defs": SCHEMA["$defs"], "$ref": "#/$defs/next"}).is_valid(example["next"])
        return
    doc = example if isinstance(example, dict) else {**README_EXAMPLES[0], "steps": example}
    assert _schema_accepts(doc)
    assert _loader_accepts(doc)
