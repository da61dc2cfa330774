"""A script's flow as a graph: successors, unreachable steps, the longest path in questions, a Mermaid diagram."""

from __future__ import annotations

from functools import cache

from bot.core.script import END, AllOf, AnyOf, Compare, Condition, Not, Script, Step

MAX_QUESTIONS = 7  # about two minutes: no path through a check-in may ask more


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


def longest_path(script: Script) -> list[str]:
    """The path from the first step that asks the most questions (the flow must only go forward)."""

    @cache
    def best(step_id: str) -> tuple[int, tuple[str, ...]]:
        if step_id == END:
            return 0, ()
        step = script.step(step_id)
        count, rest = max((best(target) for target in successors(script, step)), key=lambda found: found[0])
        return count + (1 if step.is_question else 0), (step_id, *rest)

    return list(best(script.steps[0].id)[1])


def questions_on(script: Script, path: list[str]) -> int:
    """How many of the steps on a path ask something."""
    return sum(1 for step_id in path if script.step(step_id).is_question)


def describe(condition: Condition) -> str:
    """A condition in a short readable form: "benefit ≤ 2", "any(a = x, not b = y)"."""
    if isinstance(condition, AllOf):
        return "all(" + ", ".join(describe(inner) for inner in condition.conditions) + ")"
    if isinstance(condition, AnyOf):
        return "any(" + ", ".join(describe(inner) for inner in condition.conditions) + ")"
    if isinstance(condition, Not):
        return "not " + describe(condition.condition)
    assert isinstance(condition, Compare)
    symbol = {"eq": "=", "in": "in", "lte": "≤", "gte": "≥"}[condition.op]
    operand = condition.operand
    shown = "[" + ", ".join(str(v) for v in operand) + "]" if isinstance(operand, tuple) else str(operand)
    return f"{condition.step} {symbol} {shown}"


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
        lines.append(f'  {step.id}["{step.id} ({step.kind}{factor})<br/>{_label(short)}"]')
    for step in script.steps:
        for rule in step.rules:
            arrow = f' -->|"{_label(describe(rule.condition))}"| ' if rule.condition else " --> "
            lines.append(f"  {step.id}{arrow}{_node(rule.target)}")
        if not any(rule.condition is None for rule in step.rules):
            lines.append(f"  {step.id} --> {_node(successors(script, step)[-1])}")
    lines.append('  END(["end"])')
    return "\n".join(lines)
