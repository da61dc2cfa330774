"""Property-based tests: random and mutated YAML gets nothing from the loader but a Script or a clean ScriptError.

A clean ScriptError lists problems that each name the given file, a line inside the text (from 1) and a message.
Scripts that do load must run: the engine walks them from the first step to the end, one valid answer per step.

The crashes these tests found (control characters, huge integers, scalars that do not fit their type, deep nesting,
aliases, lists as condition values) each keep a test of their own with the minimal input as an explicit example.
"""

from __future__ import annotations

import copy
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from hypothesis import HealthCheck, event, example, given, note, settings
from hypothesis import strategies as st

from bot.core.context import CheckinContext
from bot.core.engine import (
    CONTINUE,
    DONE,
    NO,
    PARTNER_PREFIX,
    SKIP,
    YES,
    Accepted,
    DialogState,
    Input,
    Pending,
    Press,
    Typed,
    answer,
    start,
)
from bot.core.flow import MAX_QUESTIONS
from bot.core.script.loader import ScriptError, load_script_text
from bot.core.script.model import DONT_KNOW, Script, Step
from bot.core.yaml_text import dump, load

ROOT = Path(__file__).resolve().parent.parent
SCRIPT_FILE = ROOT / "tests" / "dialogs" / "monthly_checkin.yaml"
SCRIPT_TEXT = SCRIPT_FILE.read_text(encoding="utf-8")
SCRIPT_DATA: dict[str, Any] = load(SCRIPT_TEXT)
ROTATING_TEXT = (ROOT / "dialogs" / "monthly_checkin.yaml").read_text(encoding="utf-8")  # modules, ticks, partners
NO_CONTEXT = CheckinContext()
FILE = "dialogs/fuzz.yaml"

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FOUND = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                 report_multiple_bugs=False)



# --- the property -----------------------------------------------------------------------------------------------

def _check_refusal(error: ScriptError, text: str, file: str) -> None:
    assert error.problems, "a ScriptError must list at least one problem"
    last_line = len(text.splitlines()) + 1  # splitlines knows every line break YAML knows (and more)
    for problem in error.problems:
        assert problem.file == file, problem
        assert isinstance(problem.line, int) and 1 <= problem.line <= last_line, problem
        assert isinstance(problem.message, str) and problem.message.strip(), problem
        assert problem.step is None or isinstance(problem.step, str), problem
        assert str(problem).startswith(f"{file}:{problem.line}: "), str(problem)
    assert str(error)


def _load(text: str, file: str = FILE) -> Script | None:
    """The script, or None after checking the ScriptError; any other exception fails the test."""
    try:
        script = load_script_text(text, file)
    except ScriptError as error:
        _check_refusal(error, text, file)
        event("refused")
        return None
    assert isinstance(script, Script)
    assert script.steps
    event("loaded")
    return script


def _valid_inputs(step: Step, context: CheckinContext = NO_CONTEXT) -> list[Input]:
    """Inputs the engine must accept for this step (see engine._parse); on a tick step, the ticks before "Done"."""
    if step.kind == "partners":
        return [Press(PARTNER_PREFIX + partner_id) for partner_id, _name in context.partners] or [Press(DONE)]
    if step.kind == "scale":
        return [*(Press(str(n)) for n in range(1, 6)), Typed(" 4 "), *([Press(DONT_KNOW)] if step.dont_know else [])]
    if step.kind == "choice":
        return [Press(option.id) for option in step.options]
    if step.kind == "yes_no":
        return [Press(YES), Press(NO)]
    if step.kind == "info":
        return [Press(CONTINUE)]
    if step.kind == "number":  # whole numbers typed within the step's range
        low, high = getattr(step, "minimum", 0), getattr(step, "maximum", 0)
        return [Typed(str(low)), Typed(f" {high} "), Typed(str((low + high) // 2))]
    assert step.kind == "text", f"no valid inputs known for kind {step.kind!r}: add them here"
    longest = "ä" * step.max_length
    return [Typed("x"), Typed(f"  {longest}\n"), *([Press(SKIP)] if step.optional else [])]


def _walk(script: Script, choices: list[int], context: CheckinContext = NO_CONTEXT) -> DialogState:
    """Answer every step the engine asks with a valid input (picked by `choices`) until the check-in ends."""
    state = start(script, context)
    asked: list[int] = []
    for turn in range(len(script.steps) + 1):
        if state.finished:
            return state
        assert state.current is not None
        position = script.index(state.current)
        assert not asked or position > asked[-1], f"the flow went back: {state.path}"
        asked.append(position)
        options = _valid_inputs(script.steps[position], context)
        given_input = options[choices[turn] % len(options)] if turn < len(choices) else options[0]
        outcome = answer(script, state, state.current, given_input, context)
        if isinstance(outcome, Pending):  # one tick on a step with several answers, then "Done"
            assert outcome.state.draft and outcome.state.current == state.current
            outcome = answer(script, outcome.state, state.current, Press(DONE), context)
        assert isinstance(outcome, Accepted), (state.current, given_input, outcome)
        state = outcome.state
        assert DialogState.from_json(state.to_json()) == state
    raise AssertionError(f"not finished after {len(script.steps) + 1} answers: {state.path}")


# --- strategy 1: arbitrary text -----------------------------------------------------------------------------------

TOKENS = [
    ":", ": ", "- ", "-", "[", "]", "{", "}", ",", "? ", "|", "|-", ">", ">-", "'", '"', "#", "\\", "\\x41", "%",
    "&a ", "&b ", "&c ", "*a", "*b", "*c", "<<: *a", "<<: ", "!!str ", "!!int ", "!!float ", "!!binary ", "!!set ",
    "!!omap ", "!!timestamp ", "!!python/object/apply:os.system ", "!foo ", "!<tag:yaml.org,2002:str> ",
    "---\n", "--- ", "...\n", "%YAML 1.1\n---\n", "%TAG !e! tag:example.com,2000:\n---\n", "@", "`",
    "\t", "\n", "\r\n", "\r", "  ", "    ", "\x85", "\u2028", "\u2029", "\ufeff", "\u00a0",
    "~", "null", "true", "yes", "No", "on", "=", "<<", ".inf", "-.Inf", ".nan", "0x1F", "0o17", "0b101", "017",
    "1_000", "190:20:30", "-0.0", "1e309", "6.8523015e+5", "2001-12-14t21:59:43.10-05:00", "2002-12-14", "2026-02-30",
    "ä", "ß", "€", "漢字", "😀", "\u202e", "\u0301", "\U0010fffd",
    "version", "id", "languages", "title", "intro", "outro", "steps", "kind", "text", "factor", "next", "then",
    "if", "step", "eq", "in", "lte", "gte", "all", "any", "not", "end", "de", "en", "scale", "choice", "yes_no",
    "info", "number", "options", "max_length", "optional", "low", "high", "dont_know", "risk", "min", "max",
]

big_numbers = st.one_of(
    st.integers().map(str),
    st.integers(min_value=20, max_value=2000).map(lambda digits: "9" * digits),
    st.integers(min_value=300, max_value=99999).map(lambda exponent: f"1.5e{exponent}"),
    st.integers(min_value=300, max_value=99999).map(lambda exponent: f"-2e-{exponent}"),
    st.floats().map(repr),
)
nesting = st.builds(
    lambda opener, depth: opener * depth,
    st.sampled_from(["[", "{", "- ", "{a: ", "[{", "? "]),
    st.integers(min_value=1, max_value=40),  # deep, but below the known RecursionError
)
yaml_lines = st.sampled_from(SCRIPT_TEXT.splitlines(keepends=True))
yaml_chars = st.characters(exclude_categories=("Cc", "Cs"))  # control characters are a known bug of their own
arbitrary_text = st.lists(
    st.one_of(st.sampled_from(TOKENS), yaml_chars, big_numbers, nesting, yaml_lines), max_size=60,
).map("".join)


@FUZZ
@given(text=arbitrary_text)
@example(text="")
@example(text="&a [*a, *a]\n")
@example(text="a: &a {b: 1}\nc: *a\n<<: *a\n")
@example(text="version: !!python/object/apply:os.system [echo]\n")
@example(text=SCRIPT_TEXT.replace("  ", "\t"))
@example(text=SCRIPT_TEXT + "---\n" + SCRIPT_TEXT)
def test_arbitrary_text_is_loaded_or_refused_cleanly(text: str) -> None:
    _load(text)


@FUZZ
@given(text=arbitrary_text, cut=st.integers(min_value=0))
def test_the_real_script_with_arbitrary_text_spliced_in_is_loaded_or_refused_cleanly(text: str, cut: int) -> None:
    cut %= len(SCRIPT_TEXT) + 1
    _load(SCRIPT_TEXT[:cut] + text + SCRIPT_TEXT[cut:])


# --- strategy 2: arbitrary YAML-ish data, dumped --------------------------------------------------------------------

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20))
keys = st.one_of(st.sampled_from(sorted({*TOKENS[-40:], "de", "en"})), st.text(max_size=10), st.integers(),
                 st.booleans(), st.none(), st.floats())
yaml_data = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(keys, children, max_size=5),
    max_leaves=25,
)
texts = st.one_of(st.fixed_dictionaries({"de": st.text(max_size=30), "en": st.text(max_size=30)}), yaml_data)
step_ids = st.one_of(st.sampled_from(["a", "b", "c", "end", "dont_know"]), st.from_regex(r"[a-z][a-z0-9_]{0,30}",
                                                                                        fullmatch=True), yaml_data)
conditions = st.recursive(
    st.fixed_dictionaries({"step": step_ids}, optional={
        "eq": yaml_data, "in": yaml_data, "lte": st.integers(-2, 8) | yaml_data, "gte": st.integers(-2, 8)}),
    lambda inner: st.one_of(
        st.fixed_dictionaries({"all": st.lists(inner, max_size=3)}),
        st.fixed_dictionaries({"any": st.lists(inner, max_size=3)}),
        st.fixed_dictionaries({"not": inner}),
    ),
    max_leaves=5,
)
rules = st.one_of(step_ids, st.lists(st.fixed_dictionaries({"then": step_ids}, optional={"if": conditions}),
                                     max_size=3), yaml_data)
script_steps = st.fixed_dictionaries(
    {"id": step_ids, "kind": st.sampled_from(["scale", "choice", "yes_no", "text", "number", "info", "essay"])},
    optional={
        "text": texts, "factor": st.integers(-1, 12) | yaml_data, "risk": st.integers(-1, 10) | yaml_data,
        "min": st.integers(-2_000_000, 2_000_000) | yaml_data, "max": st.integers(-2_000_000, 2_000_000) | yaml_data,
        "next": rules, "low": texts, "high": texts,
        "dont_know": yaml_data, "max_length": st.integers(-1, 1001) | yaml_data, "optional": yaml_data,
        "options": st.lists(st.fixed_dictionaries({"id": step_ids, "text": texts}), max_size=9) | yaml_data,
        "colour": yaml_data,
    },
)
script_shaped = st.fixed_dictionaries(
    {"version": st.integers(-1, 3) | yaml_data, "id": step_ids, "languages": st.just(["de", "en"]) | yaml_data,
     "title": texts, "outro": texts, "steps": st.lists(script_steps, max_size=4) | yaml_data},
    optional={"intro": texts, "extra": yaml_data},
)


def _dump(data: Any, flow: bool | None, unicode: bool) -> str:
    return dump(data, flow=flow, unicode=unicode)


@FUZZ
@given(data=st.one_of(yaml_data, script_shaped), flow=st.sampled_from([None, True, False]), unicode=st.booleans())
@example(data=None, flow=None, unicode=True)
@example(data={float("nan"): 1, float("nan"): 2}, flow=None, unicode=True)
@example(data={"steps": [{"id": "a", "kind": "info"}] * 3}, flow=False, unicode=True)
def test_arbitrary_yaml_data_is_loaded_or_refused_cleanly(data: Any, flow: bool | None, unicode: bool) -> None:
    script = _load(_dump(data, flow, unicode))
    if script is not None:
        _walk(script, [])


# --- strategy 3: mutations of the real script -------------------------------------------------------------------

Draw = Callable[[st.SearchStrategy[Any]], Any]
ScriptPath = tuple[str | int, ...]


def _paths(node: Any, path: ScriptPath = ()) -> list[ScriptPath]:
    """The path of every value below `node` (mapping keys and list positions)."""
    found: list[ScriptPath] = []
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        found.append((*path, key))
        found.extend(_paths(child, (*path, key)))
    return found


def _at(root: Any, path: ScriptPath) -> Any:
    for key in path:
        root = root[key]
    return root


def _step_dicts(data: Any) -> list[dict[str, Any]]:
    steps = data.get("steps") if isinstance(data, dict) else None
    return [step for step in steps if isinstance(step, dict)] if isinstance(steps, list) else []


def _ids(data: Any) -> list[str]:
    return [str(step.get("id")) for step in _step_dicts(data)]


def _comparisons(node: Any) -> list[dict[str, Any]]:
    """Every comparison ({step: ..., op: ...}) in the script's conditions."""
    if isinstance(node, list):
        return [found for item in node for found in _comparisons(item)]
    if not isinstance(node, dict):
        return []
    own = [node] if "step" in node and not {"id", "kind"} & node.keys() else []
    return own + [found for value in node.values() for found in _comparisons(value)]


def _pick(draw: Draw, items: list[Any]) -> Any:
    if not items:
        raise IndexError("nothing to pick")
    return draw(st.sampled_from(items))


def _target(draw: Draw, data: Any) -> Any:
    return draw(st.one_of(st.sampled_from([*_ids(data), "end", "nowhere", "End", ""]), yaml_data))


def delete_key(draw: Draw, data: Any) -> str:
    path = _pick(draw, _paths(data))
    del _at(data, path[:-1])[path[-1]]
    return f"delete {path}"


def replace_value(draw: Draw, data: Any) -> str:
    path = _pick(draw, _paths(data))
    old = _at(data, path)
    new = draw(yaml_data.filter(lambda value: type(value) is not type(old)))
    _at(data, path[:-1])[path[-1]] = new
    return f"replace {path} by {new!r}"


def duplicate_step(draw: Draw, data: Any) -> str:
    steps = data["steps"]
    source = draw(st.integers(0, len(steps) - 1))
    target = draw(st.integers(0, len(steps)))
    shared = draw(st.booleans())  # a shared object is dumped as an anchor and an alias
    steps.insert(target, steps[source] if shared else copy.deepcopy(steps[source]))
    return f"duplicate step {source} to {target}{' (alias)' if shared else ''}"


def swap_steps(draw: Draw, data: Any) -> str:
    steps = data["steps"]
    first, second = draw(st.lists(st.integers(0, len(steps) - 1), min_size=2, max_size=2, unique=True))
    steps[first], steps[second] = steps[second], steps[first]
    return f"swap steps {first} and {second}"


def rename_step(draw: Draw, data: Any) -> str:
    step = _pick(draw, _step_dicts(data))
    new = draw(st.one_of(st.sampled_from([*_ids(data), "end", "dont_know", "Goals", "x" * 25, "1st", "ok\n"]),
                         st.from_regex(r"[a-z][a-z0-9_]{0,25}", fullmatch=True)))
    old, step["id"] = step.get("id"), new
    return f"rename step {old!r} to {new!r}"


def change_next(draw: Draw, data: Any) -> str:
    step = _pick(draw, _step_dicts(data))
    rules = step.get("next")
    if isinstance(rules, list) and rules and isinstance(rules[-1], dict) and draw(st.booleans()):
        rule = _pick(draw, [rule for rule in rules if isinstance(rule, dict)])
        rule["then"] = _target(draw, data)
        return f"step {step.get('id')!r}: a rule now goes to {rule['then']!r}"
    choice = draw(st.sampled_from(["target", "drop", "always", "conditional"]))
    if choice == "drop":
        step.pop("next", None)
    elif choice == "target":
        step["next"] = _target(draw, data)
    elif choice == "always":
        step["next"] = [{"then": _target(draw, data)}]
    else:
        step["next"] = [{"if": {"step": _target(draw, data), "eq": draw(yaml_data)}, "then": _target(draw, data)},
                        {"then": _target(draw, data)}]
    return f"step {step.get('id')!r}: next is now {step.get('next')!r}"


def change_condition(draw: Draw, data: Any) -> str:
    comparison = _pick(draw, _comparisons(data))
    ops = [key for key in comparison if key != "step"]
    what = draw(st.sampled_from(["op", "value", "step", "wrap"]))
    if what == "op" and ops:
        new_op = draw(st.sampled_from(["eq", "in", "lte", "gte", "ne", "lt", "step"]))
        comparison[new_op] = comparison.pop(ops[0])
        return f"operator {ops[0]} -> {new_op}"
    if what == "value" and ops:
        value = draw(st.one_of(
            st.integers(-1, 7), st.booleans(), st.none(),
            st.sampled_from(["dont_know", "yes", "all", "partly", "other", "", "3"]),
            st.lists(st.one_of(st.integers(0, 6), st.sampled_from(["dont_know", "partly", "not_kept", "x"])),
                     max_size=3),
            st.floats(allow_nan=False), yaml_data,
        ))
        comparison[ops[0]] = value
        return f"{ops[0]} value -> {value!r}"
    if what == "step":
        comparison["step"] = _target(draw, data)
        return f"condition step -> {comparison['step']!r}"
    inner = dict(comparison)
    comparison.clear()
    comparison.update(draw(st.sampled_from([{"not": inner}, {"all": [inner]}, {"any": [inner, inner]}])))
    return f"wrap condition: {comparison!r}"


MUTATIONS = [delete_key, replace_value, duplicate_step, swap_steps, rename_step, change_next, change_condition]


def truncate(draw: Draw, text: str) -> tuple[str, str]:
    cut = draw(st.integers(0, len(text)))
    return text[:cut], f"truncate at {cut}"


def insert_characters(draw: Draw, text: str) -> tuple[str, str]:
    at = draw(st.integers(0, len(text)))
    inserted = draw(st.one_of(st.sampled_from(TOKENS), st.text(yaml_chars, min_size=1, max_size=5), big_numbers))
    return text[:at] + inserted + text[at:], f"insert {inserted!r} at {at}"


class Mutated(NamedTuple):
    text: str
    changes: tuple[str, ...]


@st.composite
def mutated_scripts(draw: Draw, base: str = SCRIPT_TEXT) -> Mutated:
    data = load(base)
    changes: list[str] = []
    for _ in range(draw(st.integers(0, 3))):
        mutation = draw(st.sampled_from(MUTATIONS))
        try:
            changes.append(mutation(draw, data))
        except (KeyError, IndexError, TypeError, ValueError, AttributeError):
            # nothing to mutate left (e.g. the steps were deleted); hypothesis's own errors are not among these
            changes.append(f"{mutation.__name__}: not applicable")
    text = base if not changes else _dump(data, draw(st.sampled_from([None, True, False])), True)
    for _ in range(draw(st.integers(0, 2)) if draw(st.integers(0, 3)) == 0 else 0):
        text, change = draw(st.sampled_from([truncate, insert_characters]))(draw, text)
        changes.append(change)
    return Mutated(text, tuple(changes))


@FUZZ
@given(mutated=mutated_scripts(), choices=st.lists(st.integers(0, 20), max_size=12))
@example(mutated=Mutated(SCRIPT_TEXT, ()), choices=[])
@example(mutated=Mutated(SCRIPT_TEXT, ()), choices=[0, 0, 0, 6, 0])  # the 'don't know' branch of benefit
@example(mutated=Mutated(SCRIPT_TEXT.replace("lte: 2}\n        then", "gte: 4}\n        then"), ("gte",)), choices=[4])
@example(mutated=Mutated(SCRIPT_TEXT.replace("next: benefit\n", "next: end\n"), ("goals_missing ends",)), choices=[])
def test_mutated_real_script_is_refused_cleanly_or_runs_to_the_end(mutated: Mutated, choices: list[int]) -> None:
    note(f"changes: {mutated.changes}")
    script = _load(mutated.text)
    if script is not None:
        state = _walk(script, choices)
        assert state.finished


@FUZZ
@given(mutated=mutated_scripts(ROTATING_TEXT), choices=st.lists(st.integers(0, 20), max_size=12),
       round_number=st.integers(1, 12), month=st.integers(1, 12), partners=st.integers(0, 12))
@example(mutated=Mutated(ROTATING_TEXT, ()), choices=[], round_number=1, month=1, partners=3)
def test_mutated_rotating_script_is_refused_cleanly_or_runs_to_the_end(
        mutated: Mutated, choices: list[int], round_number: int, month: int, partners: int) -> None:
    note(f"changes: {mutated.changes}")
    script = _load(mutated.text)
    context = CheckinContext(round_number, month, "jobcenter", round_number % 2 == 0,
                             tuple((str(n), f"Partner {n}") for n in range(partners)))
    if script is not None:
        state = _walk(script, choices, context)
        assert state.finished
        asked = sum(1 for step_id in state.answers if script.step(step_id).is_question)
        assert asked <= MAX_QUESTIONS, state.path  # the loader's per-round limit holds on the path really taken


# --- YAML bombs -------------------------------------------------------------------------------------------------

def _alias_bomb(levels: int, width: int) -> str:
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    lines += [f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * width)}]" for n in range(1, levels)]
    return "\n".join(lines) + "\n"


@FUZZ
@given(levels=st.integers(1, 5), width=st.integers(1, 6), inside_script=st.booleans())
def test_small_alias_bombs_are_refused_cleanly(levels: int, width: int, inside_script: bool) -> None:
    bomb = _alias_bomb(levels, width)
    if inside_script:  # an unknown key at the end of the real script, holding the bomb
        bomb = SCRIPT_TEXT.rstrip("\n") + "\nbomb:\n" + textwrap.indent(bomb, "  ")
    assert _load(bomb) is None


BILLION_LAUGHS = _alias_bomb(9, 9)  # 9**9 = 387 million 'lol's from 500 bytes
BOMB_CHILD = textwrap.dedent("""\
    import resource, sys
    resource.setrlimit(resource.RLIMIT_CPU, (3, 4))  # a hang guard: a sound loader needs milliseconds
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
    from bot.core.script.loader import ScriptError, load_script_text
    try:
        load_script_text(sys.stdin.read(), "bomb.yaml")
    except ScriptError as error:
        assert all(problem.line >= 1 and problem.file == "bomb.yaml" for problem in error.problems)
        print("refused")
    else:
        print("loaded")
""")


@pytest.mark.skipif(sys.platform == "win32", reason="needs resource limits")
def test_billion_laughs_is_refused_without_expanding() -> None:
    # Runs in a child process with a CPU and memory limit, so a loader that hangs fails instead of hanging pytest.
    child = subprocess.run([sys.executable, "-c", BOMB_CHILD], input=BILLION_LAUGHS, capture_output=True, text=True,
                           cwd=ROOT, timeout=120, check=False)
    assert child.returncode == 0, f"exit {child.returncode} (-24: CPU limit, the loader hangs): {child.stderr[-2000:]}"
    assert child.stdout.strip() in {"refused", "loaded"}


# --- crashes found once: minimal inputs, refused cleanly now ------------------------------------------------------

@FOUND
@given(char=st.characters(categories=("Cc", "Cs")).filter(lambda c: c not in "\t\n\r\x85"), at_key=st.booleans())
@example(char="\x01", at_key=False)
def test_control_characters_are_refused_cleanly(char: str, at_key: bool) -> None:
    _load(f"{char}: 1\n" if at_key else char)


@FOUND
@given(digits=st.integers(4301, 20000), where=st.sampled_from(["{}", "version: {}\n", "{}: x\n", "[-{}]"]))
@example(digits=4301, where="{}")
def test_huge_integers_are_refused_cleanly(digits: int, where: str) -> None:
    _load(where.format("1" * digits))


SCALAR_TAGS = ["!!int", "!!float", "!!bool", "!!timestamp", "!!null", "!!str", "!!binary"]


@FOUND
@given(tag=st.sampled_from([*SCALAR_TAGS, ""]), value=st.one_of(st.sampled_from(TOKENS), big_numbers),
       at_key=st.booleans())
@example(tag="!!int", value="", at_key=False)
@example(tag="", value="2026-02-30", at_key=False)  # no tag needed: a date that does not exist
def test_scalars_that_do_not_fit_their_type_are_refused_cleanly(tag: str, value: str, at_key: bool) -> None:
    scalar = f"{tag} {value}".strip() if tag else value
    _load(f"{scalar}: 1\n" if at_key else f"de: {scalar}\n")


@pytest.mark.parametrize("closed", [False, True])
@pytest.mark.parametrize("opener", ["[", "{a: ", "- ", "[{x: "])
def test_deep_nesting_is_refused_cleanly(opener: str, closed: bool) -> None:
    depth = 5000  # far past Python's recursion limit: the parser's own recursion must end in a clean refusal
    closers = {"[": "]", "{a: ": "}", "- ": "", "[{x: ": "}]"}
    text = opener * depth if opener != "- " else "\n".join("  " * level + "-" for level in range(depth))
    text += closers[opener] * depth * closed
    with pytest.raises(ScriptError) as refused:
        load_script_text(text, FILE)
    _check_refusal(refused.value, text, FILE)


@FOUND
@given(text=st.sampled_from(["&a [*a]", "&a {k: *a}", "a: &a\n  - *a\n", "&a [x, [y, *a]]", "&a {<<: *a}"]))
@example(text="&a [*a]")
def test_recursive_aliases_are_refused_cleanly(text: str) -> None:
    _load(text)


UNHASHABLE_VALUES = st.one_of(st.lists(st.integers(1, 5) | st.text(max_size=3), max_size=3),
                              st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


@FOUND
@given(condition=st.one_of(
    st.builds(lambda value: {"step": "", "eq": value}, UNHASHABLE_VALUES),
    st.builds(lambda value: {"step": "", "in": [1, value]}, UNHASHABLE_VALUES),
))
@example(condition={"step": "", "eq": [1]})
def test_lists_and_mappings_as_condition_values_are_refused_cleanly(condition: dict[str, Any]) -> None:
    data = copy.deepcopy(SCRIPT_DATA)
    comparison = _comparisons(data)[0]  # the first condition of the real script, e.g. {step: goals_clear, lte: 2}
    condition["step"] = comparison["step"]
    comparison.clear()
    comparison.update(condition)
    _load(_dump(data, None, True))
