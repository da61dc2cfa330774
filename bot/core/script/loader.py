"""Load and validate a check-in script from YAML; every problem names file, line and step."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path as FsPath
from typing import Any

from bot.core.context import CONTEXT_KEYS, ORGANISATION_KINDS
from bot.core.flow import MAX_QUESTIONS, longest_path, questions_on, rounds_to_check, unreachable
from bot.core.script.model import (
    CONTEXT_KINDS,
    DONT_KNOW,
    END,
    LEVELS,
    QUESTION_KINDS,
    STEP_KINDS,
    AllOf,
    AnyOf,
    Compare,
    CompareOp,
    Condition,
    ContextCompare,
    Module,
    Not,
    Option,
    Rule,
    Script,
    Step,
    Texts,
    Value,
)
from bot.core.yaml_text import YAML_1_2, Located, Path, YamlSyntaxError, parse_located

ID_RE = re.compile(r"[a-z][a-z0-9_]*")  # used with fullmatch: "$" would let a trailing newline through
MAX_STEP_ID = 24
MAX_OPTION_ID = 16
MAX_TEXT = 3500  # leaves room in Telegram's 4096 for the progress line and the scale legend
MAX_LABEL = 40
MAX_OPTIONS = 8
MAX_TEXT_ANSWER = 1000
SUPPORTED_LANGUAGES = ("de", "en")  # the bot's own texts exist in these (locales/)
TOP_KEYS = {"version", "id", "languages", "title", "intro", "outro", "modules", "steps"}
STEP_KEYS: dict[str, set[str]] = {
    "scale": {"low", "high", "dont_know"},
    "choice": {"options", "multiple"},
    "partners": set(),
    "focus": set(),
    "yes_no": set(),
    "text": {"max_length", "optional"},
    "number": {"min", "max"},
    "info": set(),
}
MAX_NUMBER = 1_000_000
COMMON_STEP_KEYS = {"id", "kind", "text", "factor", "risk", "next", "module"}
CONCERN_KINDS = {"scale", "choice", "yes_no", "number"}  # steps whose answers can be a sign of their risk
MAX_EVERY = 12
MAX_STEPS = 60  # far more than 8 questions need; keeps the flow checks quick on any upload
MAX_MODULES = 6
COMPARE_OPS: tuple[CompareOp, ...] = ("eq", "in", "lte", "gte")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a script file."""

    file: str
    line: int
    step: str | None
    message: str

    def __str__(self) -> str:
        where = f"step '{self.step}': " if self.step else ""
        return f"{self.file}:{self.line}: {where}{self.message}"


class ScriptError(ValueError):
    """A script file could not be loaded; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


class _Checker:
    def __init__(self, file: str, located: Located) -> None:
        self.file = file
        self.located = located
        self.problems: list[Problem] = []
        self.languages: tuple[str, ...] = ("de", "en")

    def fail(self, path: Path, message: str, step: str | None = None) -> None:
        self.problems.append(Problem(self.file, self.located.line(path), step, message))

    def keys(self, data: dict[str, Any], allowed: set[str], path: Path, step: str | None) -> None:
        for key in data:
            if key not in allowed:
                hint = ", ".join(sorted(allowed))
                self.fail((*path, str(key)), f"unknown key '{key}' (allowed: {hint})", step)

    def texts(self, value: Any, path: Path, step: str | None, limit: int = MAX_TEXT) -> Texts:
        if not isinstance(value, dict):
            self.fail(path, f"'{path[-1]}' needs a text per language ({', '.join(self.languages)})", step)
            return {}
        result: dict[str, str] = {}
        for lang, text in value.items():
            if lang not in self.languages:
                self.fail((*path, str(lang)), f"language '{lang}' is not listed in 'languages'", step)
            elif not isinstance(text, str) or not text.strip():
                self.fail((*path, str(lang)), f"the '{lang}' text must be non-empty text", step)
            elif len(text) > limit:
                self.fail((*path, str(lang)), f"the '{lang}' text has {len(text)} characters, at most {limit}", step)
            else:
                result[lang] = text.strip()
        for lang in self.languages:
            if lang not in value:
                self.fail(path, f"'{path[-1]}' lacks the '{lang}' text", step)
        return result

    def identifier(self, value: Any, path: Path, what: str, limit: int, step: str | None) -> str | None:
        if not isinstance(value, str) or not ID_RE.fullmatch(value) or len(value) > limit:
            self.fail(path, f"{what} must be lower-case letters, digits and _ (at most {limit}), got {value!r}", step)
            return None
        return value


@lru_cache(maxsize=64)
def load_script_text(text: str, file: str = "<script>", yaml_version: tuple[int, int] = YAML_1_2) -> Script:
    """Parse and validate script YAML (1.2, or the version given); raise ScriptError listing every problem.

    Cached by its arguments (a Script is immutable; a refusal is not cached): each start of the bot, many in the
    tests, loads the same few texts again, and ruamel.yaml parses at about half PyYAML's speed."""
    try:
        located = parse_located(text, yaml_version)
    except YamlSyntaxError as exc:
        raise ScriptError([Problem(file, exc.line, None, exc.message)]) from None
    checker = _Checker(file, located)
    script = _build_script(checker, located.data)
    if checker.problems or script is None:
        raise ScriptError(checker.problems or [Problem(file, 1, None, "the script is empty")])
    return script


def load_script_file(path: FsPath) -> Script:
    """Load and validate one script file."""
    return load_script_text(path.read_text(encoding="utf-8"), str(path))


def _build_script(c: _Checker, data: Any) -> Script | None:
    if data is None:
        c.fail((), "the script is empty")
        return None
    if not isinstance(data, dict):
        c.fail((), "a script must be a mapping with version, id, languages, title, outro and steps")
        return None
    c.keys(data, TOP_KEYS, (), None)
    for key in ("version", "id", "languages", "title", "outro", "steps"):
        if key not in data:
            c.fail((), f"missing key '{key}'")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        c.fail(("version",), f"version must be a whole number from 1, got {version!r}")
        version = 0
    script_id = c.identifier(data.get("id"), ("id",), "id", 40, None) or ""
    languages = data.get("languages")
    if not isinstance(languages, list) or not all(isinstance(x, str) for x in languages) or "de" not in languages:
        c.fail(("languages",), "languages must be a list that includes 'de' (German is required)")
    elif len(set(languages)) != len(languages) or not set(languages) <= set(SUPPORTED_LANGUAGES):
        c.fail(("languages",), f"languages lists each of {', '.join(SUPPORTED_LANGUAGES)} at most once (the bot "
                               "speaks no other)")
    else:
        c.languages = tuple(languages)
    title = c.texts(data.get("title"), ("title",), None, 200)
    intro = c.texts(data["intro"], ("intro",), None) if "intro" in data else {}
    outro = c.texts(data.get("outro"), ("outro",), None)
    modules = _build_modules(c, data["modules"]) if "modules" in data else ()
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        c.fail(("steps",), "steps must be a non-empty list")
        return None
    if len(raw_steps) > MAX_STEPS:
        c.fail(("steps",), f"a script has at most {MAX_STEPS} steps, this one {len(raw_steps)}")
        return None
    steps = [_build_step(c, raw, ("steps", number)) for number, raw in enumerate(raw_steps)]
    built = tuple(step for step in steps if step is not None)
    _check_modules(c, modules, built)
    _check_flow(c, built)
    script = Script(script_id, version, c.languages, title, outro, built, intro, modules)
    if not c.problems:  # the graph checks need a sound flow: known targets, forward only
        _check_paths(c, script)
    return script


def _check_paths(c: _Checker, script: Script) -> None:
    """Every step can be reached, and no path asks more than MAX_QUESTIONS questions."""
    for step in unreachable(script):
        c.fail(("steps", script.index(step.id), "id"), "no path leads to this step (check the 'next' rules before it)",
               step.id)
    for round_number in rounds_to_check(script):
        path = longest_path(script, round_number)
        if questions_on(script, path, round_number) == 0:
            when = f"in round {round_number} " if script.modules else ""
            c.fail(("steps", 0, "id"), f"{when}no path asks a question: a check-in needs at least one",
                   script.steps[0].id)
            break
        if (count := questions_on(script, path, round_number)) > MAX_QUESTIONS:
            when = f" in round {round_number}" if script.modules else ""
            c.fail(("steps", 0, "id"), f"one path{when} asks {count} questions, at most {MAX_QUESTIONS} fit in about "
                                       f"two minutes: {' → '.join(path)}", script.steps[0].id)
            break


def _build_modules(c: _Checker, raw: Any) -> tuple[Module, ...]:
    """Rotation modules: {id, every: 2-12, offset: 0..every-1}."""
    if not isinstance(raw, list) or not raw or len(raw) > MAX_MODULES:
        c.fail(("modules",), f"modules must be a list of 1 to {MAX_MODULES} modules, each {{id, every, offset}}")
        return ()
    modules: list[Module] = []
    for number, item in enumerate(raw):
        path: Path = ("modules", number)
        if not isinstance(item, dict):
            c.fail(path, "each module needs id, every and offset")
            continue
        c.keys(item, {"id", "every", "offset"}, path, None)
        module_id = c.identifier(item.get("id"), (*path, "id"), "a module id", MAX_STEP_ID, None)
        every, offset = item.get("every"), item.get("offset", 0)
        if not isinstance(every, int) or isinstance(every, bool) or not 2 <= every <= MAX_EVERY:
            c.fail((*path, "every") if "every" in item else path,
                   f"every must be a number of rounds from 2 to {MAX_EVERY}, got {every!r}")
            continue
        if not isinstance(offset, int) or isinstance(offset, bool) or not 0 <= offset < every:
            c.fail((*path, "offset"), f"offset must be from 0 to {every - 1} (every - 1), got {offset!r}")
            continue
        if module_id in {module.id for module in modules}:
            c.fail((*path, "id"), f"module id '{module_id}' is used twice")
        elif module_id:
            modules.append(Module(module_id, every, offset))
    return tuple(modules)


def _check_modules(c: _Checker, modules: tuple[Module, ...], steps: tuple[Step, ...]) -> None:
    """Every step's module exists; every module has a step."""
    known = {module.id for module in modules}
    for number, step in enumerate(steps):
        if step.module is not None and step.module not in known:
            c.fail(("steps", number, "module"), f"module '{step.module}' is not listed under 'modules'", step.id)
    used = {step.module for step in steps}
    for number, module in enumerate(modules):
        if module.id not in used:
            c.fail(("modules", number, "id"), f"module '{module.id}' has no steps", None)


def _build_step(c: _Checker, raw: Any, path: Path) -> Step | None:
    if not isinstance(raw, dict):
        c.fail(path, "each step must be a mapping with id, kind and text")
        return None
    step_id = c.identifier(raw.get("id"), (*path, "id"), "a step id", MAX_STEP_ID, None)
    if step_id == END:
        c.fail((*path, "id"), f"'{END}' is reserved: 'next: {END}' means the end of the script", END)
        step_id = None
    name = step_id or f"#{path[-1]}"
    kind = raw.get("kind")
    if kind not in STEP_KINDS:
        c.fail((*path, "kind"), f"kind must be one of {', '.join(STEP_KINDS)}, got {kind!r}", name)
        return None
    allowed = COMMON_STEP_KEYS | STEP_KEYS[kind] | ({"concern"} if kind in CONCERN_KINDS else set())
    if kind == "focus" and "options" in raw:  # a likely mistake: say why rather than just "unknown key"
        c.fail((*path, "options"), "a focus step takes no options: its buttons are the topics the check-in offers "
                                   "(this month's signals, then the success factors)", name)
        allowed |= {"options"}
    c.keys(raw, allowed, path, name)
    text = c.texts(raw.get("text"), (*path, "text"), name)
    factor = raw.get("factor")
    # A free text may stand without a factor: then it is a message to the coordinator ("from the network").
    if factor is None and kind in QUESTION_KINDS and kind != "text":
        c.fail(path, "a question must name the success factor it measures ('factor': 1-11)", name)
    elif factor is not None and (not isinstance(factor, int) or isinstance(factor, bool) or not 1 <= factor <= 11):
        c.fail((*path, "factor"), f"factor must be a success factor number 1-11, got {factor!r}", name)
        factor = None
    risk = raw.get("risk")
    if risk is not None and (not isinstance(risk, int) or isinstance(risk, bool) or not 1 <= risk <= 9):
        c.fail((*path, "risk"), f"risk must be a risk factor number 1-9, got {risk!r}", name)
        risk = None
    module = raw.get("module")
    if module is not None and (not isinstance(module, str) or not ID_RE.fullmatch(module)):
        c.fail((*path, "module"), f"module must be the id of a module listed under 'modules', got {module!r}", name)
        module = None
    step = Step(id=step_id or "", kind=kind, text=text, factor=factor, risk=risk, module=module)
    fields: dict[str, Any] = {}
    if kind == "scale":
        fields["low"] = c.texts(raw.get("low"), (*path, "low"), name, MAX_LABEL)
        fields["high"] = c.texts(raw.get("high"), (*path, "high"), name, MAX_LABEL)
        dont_know = raw.get("dont_know", False)
        if not isinstance(dont_know, bool):
            c.fail((*path, "dont_know"), "dont_know must be true or false", name)
        fields["dont_know"] = dont_know is True
    elif kind == "choice":
        fields["options"] = _build_options(c, raw.get("options"), (*path, "options"), name)
        multiple = raw.get("multiple", False)
        if not isinstance(multiple, bool):
            c.fail((*path, "multiple"), "multiple must be true or false", name)
        fields["multiple"] = multiple is True
        if multiple is True and any(option.level is not None for option in fields["options"]):
            c.fail((*path, "multiple"), "options with a level need a choice of one answer: several ticked options "
                                        "have no single level (remove 'multiple' or the levels)", name)
    elif kind == "number":
        fields["minimum"], fields["maximum"] = _number_range(c, raw, path, name)
    elif kind == "text":
        max_length = raw.get("max_length")
        if not isinstance(max_length, int) or isinstance(max_length, bool) or not 1 <= max_length <= MAX_TEXT_ANSWER:
            c.fail((*path, "max_length"), f"a text step needs max_length from 1 to {MAX_TEXT_ANSWER}", name)
            max_length = MAX_TEXT_ANSWER
        optional = raw.get("optional", False)
        if not isinstance(optional, bool):
            c.fail((*path, "optional"), "optional must be true or false", name)
        fields.update(max_length=max_length, optional=optional is True)
    fields["rules"] = _build_rules(c, raw.get("next"), (*path, "next"), name)
    built = replace(step, **fields)
    if "concern" in raw:
        return replace(built, concern=_build_concern(c, raw["concern"], built, (*path, "concern"), name))
    return built


def _build_concern(c: _Checker, raw: Any, step: Step, path: Path, name: str) -> Compare | None:
    """`concern: {in: [...]}` / `{eq: ...}` / `{lte|gte: N}`: a comparison with the step's own answer."""
    if not isinstance(raw, dict) or "step" in raw or "context" in raw:
        c.fail(path, "concern compares the step's own answer: {eq|in|lte|gte: VALUE}, without 'step'", name)
        return None
    condition = _build_condition(c, {"step": step.id, **raw}, path, name)
    if not isinstance(condition, Compare):
        return None
    if condition.op in ("lte", "gte") and step.kind not in ("scale", "number"):
        c.fail(path, f"'{condition.op}' only works on scale and number steps", name)
        return None
    allowed = _allowed_values(step)
    values = condition.operand if isinstance(condition.operand, tuple) else (condition.operand,)
    for value in values:
        if allowed is not None and condition.op in ("eq", "in") and value not in allowed:
            c.fail(path, f"'{step.id}' can never be {value!r}", name)
    return condition


def _number_range(c: _Checker, raw: dict[str, Any], path: Path, name: str) -> tuple[int, int]:
    """A number step's min and max: whole numbers within ±MAX_NUMBER, min below max."""
    bounds = []
    for key in ("min", "max"):
        value = raw.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or abs(value) > MAX_NUMBER:
            c.fail((*path, key) if key in raw else path, f"a number step needs '{key}', a whole number from "
                                                         f"-{MAX_NUMBER} to {MAX_NUMBER}", name)
            value = 0
        bounds.append(value)
    if bounds[0] >= bounds[1] and all(isinstance(raw.get(k), int) for k in ("min", "max")):
        c.fail((*path, "max"), f"max ({bounds[1]}) must be greater than min ({bounds[0]})", name)
    return bounds[0], bounds[1]


def _build_options(c: _Checker, raw: Any, path: Path, name: str) -> tuple[Option, ...]:
    if not isinstance(raw, list) or not 2 <= len(raw) <= MAX_OPTIONS:
        c.fail(path, f"a choice step needs 2 to {MAX_OPTIONS} options", name)
        return ()
    options: list[Option] = []
    for number, item in enumerate(raw):
        item_path = (*path, number)
        if not isinstance(item, dict):
            c.fail(item_path, "each option needs an id and a text", name)
            continue
        c.keys(item, {"id", "text", "level"}, item_path, name)
        option_id = c.identifier(item.get("id"), (*item_path, "id"), "an option id", MAX_OPTION_ID, name)
        if option_id == DONT_KNOW:
            c.fail((*item_path, "id"), f"'{DONT_KNOW}' is reserved", name)
        if option_id in {option.id for option in options}:
            c.fail((*item_path, "id"), f"option id '{option_id}' is used twice", name)
        text = c.texts(item.get("text"), (*item_path, "text"), name, MAX_LABEL)
        level = item.get("level")
        if level is not None and (not isinstance(level, int) or isinstance(level, bool) or level not in LEVELS):
            c.fail((*item_path, "level"), f"level must be a whole number from 1 (low) to 5 (high), got {level!r}",
                   name)
            level = None
        if option_id:
            options.append(Option(option_id, text, level))
    return tuple(options)


def _build_rules(c: _Checker, raw: Any, path: Path, name: str) -> tuple[Rule, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str):
        return (Rule(raw),)
    if not isinstance(raw, list):
        c.fail(path, "next must be a step id, 'end', or a list of {if: ..., then: ...}", name)
        return ()
    rules: list[Rule] = []
    for number, item in enumerate(raw):
        item_path = (*path, number)
        if not isinstance(item, dict) or "then" not in item:
            c.fail(item_path, "each entry of next needs 'then' (and usually 'if')", name)
            continue
        c.keys(item, {"if", "then"}, item_path, name)
        if not isinstance(item["then"], str):
            c.fail((*item_path, "then"), "then must be a step id or 'end'", name)
            continue
        condition = _build_condition(c, item["if"], (*item_path, "if"), name) if "if" in item else None
        if "if" not in item and number != len(raw) - 1:
            c.fail(item_path, "an entry without 'if' always applies, so it must come last", name)
        rules.append(Rule(item["then"], condition))
    return tuple(rules)


def _build_condition(c: _Checker, raw: Any, path: Path, name: str) -> Condition | None:
    if not isinstance(raw, dict) or len(raw) == 0:
        c.fail(path, "a condition is a mapping: {step: ID, eq|in|lte|gte: VALUE}, {all: [...]}, {any: [...]}, "
               "or {not: ...}", name)
        return None
    for combinator, cls in (("all", AllOf), ("any", AnyOf)):
        if combinator in raw:
            c.keys(raw, {combinator}, path, name)
            items = raw[combinator]
            if not isinstance(items, list) or not items:
                c.fail((*path, combinator), f"'{combinator}' needs a non-empty list of conditions", name)
                return None
            inner = [_build_condition(c, item, (*path, combinator, n), name) for n, item in enumerate(items)]
            return cls(tuple(x for x in inner if x is not None))
    if "not" in raw:
        c.keys(raw, {"not"}, path, name)
        inner_condition = _build_condition(c, raw["not"], (*path, "not"), name)
        return Not(inner_condition) if inner_condition is not None else None
    subject = "context" if "context" in raw else "step"
    c.keys(raw, {subject, *COMPARE_OPS}, path, name)
    ops = [op for op in COMPARE_OPS if op in raw]
    if subject not in raw or len(ops) != 1:
        c.fail(path, "a comparison needs 'step' (or 'context') and exactly one of eq, in, lte, gte", name)
        return None
    op = ops[0]
    operand: Any = raw[op]
    if op == "in":
        if not isinstance(operand, list) or not operand:
            c.fail((*path, op), "'in' needs a non-empty list", name)
            return None
        if not all(_is_plain(value) for value in operand):
            c.fail((*path, op), "'in' lists plain values (numbers, words, true/false), not lists or mappings", name)
            return None
        operand = tuple(operand)
    elif not _is_plain(operand):
        c.fail((*path, op), f"'{op}' compares with a plain value (a number, a word, true/false), got {operand!r}",
               name)
        return None
    elif op in ("lte", "gte") and (not isinstance(operand, int) or isinstance(operand, bool)):
        c.fail((*path, op), f"'{op}' compares numbers, got {operand!r}", name)
        return None
    if subject == "context":
        return _context_compare(c, raw["context"], op, operand, path, name)
    return Compare(str(raw["step"]), op, operand)


def _context_compare(c: _Checker, key: Any, op: CompareOp, operand: Any, path: Path, name: str) -> Condition | None:
    """A comparison with the check-in's context, checked against what that context can be."""
    if key not in CONTEXT_KEYS:
        c.fail((*path, "context"), f"context is one of {', '.join(CONTEXT_KEYS)}, got {key!r}", name)
        return None
    values = operand if isinstance(operand, tuple) else (operand,)
    if key in ("round", "month"):
        top = 12 if key == "month" else MAX_NUMBER
        if not all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= top for v in values):
            c.fail((*path, op), f"'{key}' is compared with whole numbers from 1 to {top}, got {operand!r}", name)
            return None
    elif op in ("lte", "gte"):
        c.fail((*path, op), f"'{op}' only works on the context round and month, not '{key}'", name)
        return None
    elif key == "role" and not all(v in ORGANISATION_KINDS for v in values):
        c.fail((*path, op), f"role is one of {', '.join(ORGANISATION_KINDS)}, got {operand!r}", name)
        return None
    elif key in ("answered_last_round", "successor_asked") and not all(isinstance(v, bool) for v in values):
        c.fail((*path, op), f"{key} is true or false, got {operand!r}", name)
        return None
    return ContextCompare(str(key), op, operand)


def _is_plain(value: Any) -> bool:
    """A value an answer can have: a number, a word, true/false or null (never a list or mapping)."""
    return value is None or isinstance(value, bool | int | float | str)


def _condition_steps(condition: Condition) -> list[Compare]:
    if isinstance(condition, Compare):
        return [condition]
    if isinstance(condition, ContextCompare):
        return []
    if isinstance(condition, Not):
        return _condition_steps(condition.condition)
    return [leaf for inner in condition.conditions for leaf in _condition_steps(inner)]


def _allowed_values(step: Step) -> set[Value] | None:
    if step.kind == "scale":
        return {1, 2, 3, 4, 5, *((DONT_KNOW,) if step.dont_know else ())}
    if step.kind == "yes_no":
        return {True, False}
    if step.kind == "choice":
        return {option.id for option in step.options}
    return None


def _check_flow(c: _Checker, steps: tuple[Step, ...]) -> None:
    """Targets exist and lie ahead (so no cycles), conditions look back at questions with fitting values."""
    position: dict[str, int] = {}
    for number, step in enumerate(steps):
        if step.id in position:
            c.fail(("steps", number, "id"), f"step id '{step.id}' is used twice", step.id)
        elif step.id:
            position[step.id] = number
    for number, step in enumerate(steps):
        if not step.id:
            continue
        for r_number, rule in enumerate(step.rules):
            rule_path: Path = ("steps", number, "next", r_number)
            if rule.target != END and rule.target not in position:
                c.fail(rule_path, f"next points to unknown step '{rule.target}'", step.id)
            elif rule.target != END and position[rule.target] <= number:
                c.fail(rule_path, f"next must point forward, but '{rule.target}' comes earlier", step.id)
            if rule.condition is None:
                continue
            for leaf in _condition_steps(rule.condition):
                if leaf.step not in position:
                    c.fail(rule_path, f"condition refers to unknown step '{leaf.step}'", step.id)
                    continue
                target = steps[position[leaf.step]]
                if position[leaf.step] > number:
                    c.fail(rule_path, f"condition refers to a later step '{leaf.step}'", step.id)
                if not target.is_question:
                    c.fail(rule_path, f"condition refers to '{leaf.step}', which asks nothing", step.id)
                if target.kind in CONTEXT_KINDS:
                    c.fail(rule_path, f"conditions cannot look at the {target.kind} step '{leaf.step}': its buttons "
                                      "come from the check-in, not from the script", step.id)
                if leaf.op in ("lte", "gte") and target.kind not in ("scale", "number"):
                    c.fail(rule_path, f"'{leaf.op}' only works on scale and number steps, '{leaf.step}' is "
                                      f"{target.kind}", step.id)
                allowed = _allowed_values(target)
                values = leaf.operand if isinstance(leaf.operand, tuple) else (leaf.operand,)
                if allowed is not None and leaf.op in ("eq", "in"):
                    for value in values:
                        if value not in allowed:
                            c.fail(rule_path, f"'{leaf.step}' can never be {value!r}", step.id)
