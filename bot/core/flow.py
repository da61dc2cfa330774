"""A script's flow as a graph: successors, unreachable steps, the longest path in questions, a Mermaid diagram."""

from __future__ import annotations

from collections.abc import Callable
from math import lcm

from bot.core.script.model import END, AllOf, AnyOf, Compare, Condition, ContextCompare, Not, Script, Step

MAX_QUESTIONS = 8  # about two minutes, mostly buttons: no path through a check-in may ask more
FACTORS = frozenset(range(1, 12))  # the 11 success factors
RISKS = frozenset(range(1, 10))  # the 9 risk factors
QUARTER = 3  # rounds: every success factor should be asked within this many


def successors(script: Script, step: Step) -> list[str]:
    """Where the flow may go after `step`: its rules' targets, and the following step unless a rule always holds."""
    targets = [rule.target for rule in step.rules]
    if not any(rule.condition is None for rule in step.rules):
        position = script.index(step.id)
        targets.append(script.steps[position + 1].id if position + 1 < len(script.steps) else END)
    return list(dict.fromkeys(targets))


def unreachable(script: Script) -> list[Step]:
    """Steps no path from the first step leads to."""
    seen: set[str] = set()
    todo = [script.steps[0].id]
    while todo:
        step_id = todo.pop()
        if step_id == END or step_id in seen:
            continue
        seen.add(step_id)
        todo.extend(successors(script, script.step(step_id)))
    return [step for step in script.steps if step.id not in seen]


def _asks(script: Script, step: Step, round_number: int | None) -> bool:
    """Whether the step asks a question in this round (None: in any round)."""
    return step.is_question and (round_number is None or script.shown(step, round_number))


def longest_path(script: Script, round_number: int | None = None) -> list[str]:
    """The path from the first step that asks the most questions in this round (steps not shown count nothing)."""
    # Targets always lie ahead, so going through the steps backwards sees every target before its step.
    best: dict[str, tuple[int, str | None]] = {END: (0, None)}
    for step in reversed(script.steps):
        following = max(successors(script, step), key=lambda target: best[target][0])
        best[step.id] = (best[following][0] + (1 if _asks(script, step, round_number) else 0), following)
    path: list[str] = []
    at: str | None = script.steps[0].id
    while at is not None and at != END:
        path.append(at)
        at = best[at][1]
    return [step_id for step_id in path if round_number is None or script.shown(script.step(step_id), round_number)]


def questions_on(script: Script, path: list[str], round_number: int | None = None) -> int:
    """How many of the steps on a path ask something (in this round)."""
    return sum(1 for step_id in path if _asks(script, script.step(step_id), round_number))


def rounds_to_check(script: Script) -> list[int]:
    """One round number for each different set of due rotation modules (just round 1 without modules)."""
    if not script.modules:
        return [1]
    seen: dict[frozenset[str], int] = {}
    for round_number in range(1, lcm(*(module.every for module in script.modules)) + 1):
        due = frozenset(module.id for module in script.modules if module.due(round_number))
        seen.setdefault(due, round_number)
    return sorted(seen.values())


def always_asked(script: Script, round_number: int) -> list[Step]:
    """The questions of this round that lie on every path, whatever the answers (counting paths in the DAG)."""

    to_end: dict[str, int] = {END: 1}
    for step in reversed(script.steps):  # targets lie ahead: counted before their step
        to_end[step.id] = sum(to_end[target] for target in successors(script, step))
    into: dict[str, int] = {script.steps[0].id: 1}
    for step in script.steps:  # targets always lie ahead, so script order is a topological order
        for target in successors(script, step):
            into[target] = into.get(target, 0) + into.get(step.id, 0)
    total = to_end[script.steps[0].id]
    return [step for step in script.steps
            if _asks(script, step, round_number) and into.get(step.id, 0) * to_end[step.id] == total]


def factors_per_round(script: Script, round_number: int) -> set[int]:
    """The success factors this round asks about whatever the answers."""
    return {step.factor for step in always_asked(script, round_number) if step.factor is not None}


def measured_per_round(script: Script, round_number: int) -> set[int]:
    """The success factors this round puts on the scale 1-5 whatever the answers (scales, options with levels)."""
    return {step.factor for step in always_asked(script, round_number) if step.factor is not None and step.measures}


def risks_per_round(script: Script, round_number: int) -> set[int]:
    """The risk factors this round asks about whatever the answers."""
    return {step.risk for step in always_asked(script, round_number) if step.risk is not None}


Covered = Callable[[Script, int], set[int]]


def quarter_gaps(script: Script, covered: Covered = factors_per_round,
                 wanted: frozenset[int] = FACTORS) -> dict[int, set[int]]:
    """For each first round of QUARTER consecutive rounds, what of `wanted` none of them covers (only gaps); by
    default the success factors none of them asks."""
    period = lcm(*(module.every for module in script.modules)) if script.modules else 1
    by_due: dict[frozenset[str], set[int]] = {}  # rounds with the same modules due cover the same

    def of(round_number: int) -> set[int]:
        due = frozenset(module.id for module in script.modules if module.due(round_number))
        if due not in by_due:
            by_due[due] = covered(script, round_number)
        return by_due[due]

    gaps: dict[int, set[int]] = {}
    for first in range(1, period + 1):
        asked = set().union(*(of(first + n) for n in range(QUARTER)))
        if missing := set(wanted) - asked:
            gaps[first] = missing
    return gaps


def describe(condition: Condition) -> str:
    """A condition in a short readable form: "benefit ≤ 2", "any(a = x, not b = y)"."""
    if isinstance(condition, AllOf):
        return "all(" + ", ".join(describe(inner) for inner in condition.conditions) + ")"
    if isinstance(condition, AnyOf):
        return "any(" + ", ".join(describe(inner) for inner in condition.conditions) + ")"
    if isinstance(condition, Not):
        return "not " + describe(condition.condition)
    assert isinstance(condition, Compare | ContextCompare)
    symbol = {"eq": "=", "in": "in", "lte": "≤", "gte": "≥"}[condition.op]
    operand = condition.operand
    shown = "[" + ", ".join(str(v) for v in operand) + "]" if isinstance(operand, tuple) else str(operand)
    subject = condition.step if isinstance(condition, Compare) else f"context.{condition.key}"
    return f"{subject} {symbol} {shown}"


def _label(text: str) -> str:
    """Text safe inside a Mermaid label (quotes and angle brackets are entities there)."""
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def _node(step_id: str) -> str:
    """Mermaid node id: "end" is a keyword there, so the end of the script is drawn as END."""
    return "END" if step_id == END else step_id


def mermaid(script: Script, lang: str = "de", width: int = 60) -> str:
    """The flow as a Mermaid flowchart: each step with kind, factor and the start of its text; edges with conditions."""
    lines = ["flowchart TD", f'  start(["{_label(script.id)} v{script.version}"]) --> {script.steps[0].id}']
    for step in script.steps:
        text = step.text.get(lang) or step.text.get("de", "")
        short = text if len(text) <= width else text[: width - 1] + "…"
        factor = f", F{step.factor}" if step.factor else ""
        factor += f", module {step.module}" if step.module else ""
        lines.append(f'  {step.id}["{step.id} ({step.kind}{factor})<br/>{_label(short)}"]')
    for step in script.steps:
        for rule in step.rules:
            arrow = f' -->|"{_label(describe(rule.condition))}"| ' if rule.condition else " --> "
            lines.append(f"  {step.id}{arrow}{_node(rule.target)}")
        if not any(rule.condition is None for rule in step.rules):
            lines.append(f"  {step.id} --> {_node(successors(script, step)[-1])}")
    lines.append('  END(["end"])')
    return "\n".join(lines)
