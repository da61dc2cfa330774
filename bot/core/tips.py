"""Coaching tips as data (dialogs/tips/coaching_tips.yaml): per rule, a tip for each stage of a signal (first seen,
seen again, persisting, urgent about one partner), German and English; loading with every problem named by file and
line, and choosing the tip that fits a signal. Pure: text in, plain data out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from bot.core.history import Function
from bot.core.yaml_text import Located, YamlSyntaxError, parse_located

Stage = Literal["first", "again", "persisting", "urgent_partner", "urgent_unnamed"]
STAGES: tuple[Stage, ...] = ("first", "again", "persisting", "urgent_partner", "urgent_unnamed")
URGENT_STAGES = frozenset({"urgent_partner", "urgent_unnamed"})
FUNCTIONS: tuple[Function, ...] = ("selektion", "allokation", "regulation", "evaluation")
LANGUAGES = ("de", "en")
PARTNER = "{partner}"
MAX_TIP = 600  # a tip is one or two sentences; the digest quotes it in full


@dataclass(frozen=True)
class Tip:
    """One tip's text per language, and the management function it serves when it is not the rule's own."""

    text: Mapping[str, str]
    function: Function | None = None


@dataclass(frozen=True)
class Tips:
    """All tips: per rule (with the risk factor its tips apply to, if it covers several), per risk factor (for rules
    without their own and for a rule's other risk factors), and general ones."""

    version: int
    rules: Mapping[str, Mapping[Stage, Tip]]
    rule_risks: Mapping[str, int]
    risks: Mapping[int, Mapping[Stage, Tip]]
    general: Mapping[Stage, Tip]

    def pick(self, rule: str, risk: int | None, stage: Stage) -> Tip:
        """The tip for a signal of this rule and risk factor at this stage: the rule's, else its risk factor's, else
        the general one; a stage that is missing falls back to the general tip of that stage (urgent stages) or to
        the same source's first tip."""
        sources = []
        if rule in self.rules and (rule not in self.rule_risks or risk in (None, self.rule_risks[rule])):
            sources.append(self.rules[rule])
        if risk is not None and risk in self.risks:
            sources.append(self.risks[risk])
        sources.append(self.general)
        for source in sources:
            if stage in source:
                return source[stage]
            if stage not in URGENT_STAGES and "first" in source:
                return source["first"]
        return self.general[stage]


class TipsError(ValueError):
    """The tips file could not be loaded; `problems` lists every reason as "file:line: message"."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _Checker:
    def __init__(self, file: str, located: Located) -> None:
        self.file, self.located, self.problems = file, located, list[str]()

    def fail(self, path: tuple[str | int, ...], message: str) -> None:
        self.problems.append(f"{self.file}:{self.located.line(path)}: {message}")

    def mapping(self, value: Any, path: tuple[str | int, ...], what: str) -> dict[Any, Any]:
        if not isinstance(value, dict):
            self.fail(path, f"{what} must be a mapping")
            return {}
        return value


@lru_cache(maxsize=8)  # cached by its arguments like the scripts: Tips are immutable
def load_tips_text(text: str, file: str = "coaching_tips.yaml", rules: tuple[str, ...] = ()) -> Tips:
    """Parse and check the tips file: known keys only, every text in German and English, a tip for the first stage
    of every rule in `rules`, `{partner}` exactly in the urgent_partner tips; raise TipsError naming file and line."""
    try:
        located = parse_located(text)
    except YamlSyntaxError as error:
        raise TipsError([f"{file}:{error.line}: {error.message}"]) from None
    c = _Checker(file, located)
    top = c.mapping(located.data, (), "the tips file")
    for key in top:
        if key not in ("version", "rules", "risks", "general"):
            c.fail((key,), f"unknown key '{key}' (allowed: general, risks, rules, version)")
    version = top.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        c.fail(("version",), "version must be a whole number from 1")
        version = 0
    found: dict[str, dict[Stage, Tip]] = {}
    rule_risks: dict[str, int] = {}
    for rule, entry in c.mapping(top.get("rules"), ("rules",), "'rules'").items():
        path = ("rules", rule)
        raw = dict(c.mapping(entry, path, f"rule '{rule}'"))
        if "risk" in raw:
            risk = raw.pop("risk")
            if isinstance(risk, int) and not isinstance(risk, bool) and 1 <= risk <= 9:
                rule_risks[str(rule)] = risk
            else:
                c.fail((*path, "risk"), f"risk must be a risk factor number 1-9, got {risk!r}")
        if rules and rule not in rules:
            c.fail(path, f"unknown rule '{rule}' (rules: {', '.join(rules)})")
        found[str(rule)] = _stages(c, raw, path)
    for rule in rules:
        if "first" not in found.get(rule, {}):
            c.fail(("rules",), f"rule '{rule}' has no tip for its first stage")
    risks: dict[int, dict[Stage, Tip]] = {}
    for risk, entry in c.mapping(top.get("risks", {}), ("risks",), "'risks'").items():
        if not isinstance(risk, int) or isinstance(risk, bool) or not 1 <= risk <= 9:
            c.fail(("risks", risk), f"a risk factor is a number 1-9, got {risk!r}")
            continue
        risks[risk] = _stages(c, c.mapping(entry, ("risks", risk), f"risk {risk}"), ("risks", risk))
    general = _stages(c, c.mapping(top.get("general"), ("general",), "'general'"), ("general",))
    for stage in STAGES:
        if stage not in general:
            c.fail(("general",), f"'general' needs a tip for every stage; '{stage}' is missing")
    if c.problems:
        raise TipsError(c.problems)
    return Tips(version, found, rule_risks, risks, general)


def _stages(c: _Checker, raw: dict[Any, Any], path: tuple[str | int, ...]) -> dict[Stage, Tip]:
    stages: dict[Stage, Tip] = {}
    for key, value in raw.items():
        where = (*path, key)
        if key not in STAGES:
            c.fail(where, f"unknown stage '{key}' (stages: {', '.join(STAGES)})")
            continue
        entry = c.mapping(value, where, f"stage '{key}'")
        function = entry.get("function")
        for extra in entry:
            if extra not in (*LANGUAGES, "function"):
                c.fail((*where, extra), f"unknown key '{extra}' (allowed: de, en, function)")
        if function is not None and function not in FUNCTIONS:
            c.fail((*where, "function"), f"function must be one of {', '.join(FUNCTIONS)}, got {function!r}")
            function = None
        texts: dict[str, str] = {}
        for lang in LANGUAGES:
            text = entry.get(lang)
            if not isinstance(text, str) or not text.strip():
                c.fail((*where, lang) if lang in entry else where, f"the '{lang}' text must be non-empty text")
                continue
            if len(text) > MAX_TIP:
                c.fail((*where, lang), f"the '{lang}' text has {len(text)} characters, at most {MAX_TIP}")
            if (PARTNER in text) != (key == "urgent_partner"):
                c.fail((*where, lang), f"{PARTNER} belongs in urgent_partner tips, and there always")
            texts[lang] = " ".join(text.split())
        stages[key] = Tip(texts, function)
    return stages
