"""How far a check-in has come: "question k of n", where n counts the questions answered plus the most that any path
still possible from the current step may ask. What the answers so far and the context already decide is decided;
what depends on answers still to come counts every way it may go. More answers can only close paths, so n never
grows on its own; `shown_total` also keeps it from growing when something outside the answers changes mid-way."""

from __future__ import annotations

from collections.abc import Mapping

from bot.core.conditions import holds
from bot.core.context import CheckinContext
from bot.core.script.model import CONTEXT_KINDS, END, AllOf, AnyOf, Compare, Condition, Not, Script, Step, Value


def offered(step: Step, context: CheckinContext) -> bool:
    """Whether the context offers something to choose on a step whose buttons come from it (partners, topics)."""
    if step.kind not in CONTEXT_KINDS:
        return True
    return bool(context.partners if step.kind == "partners" else context.topics)


def asked(script: Script, step: Step, context: CheckinContext) -> bool:
    """Whether the step is a question this check-in shows (its module is due, its buttons exist)."""
    return step.is_question and script.shown(step, context.round_number) and offered(step, context)


def judge(condition: Condition, answers: Mapping[str, Value], context: CheckinContext,
          undecided: frozenset[str]) -> bool | None:
    """The condition's truth as far as it is known: None while it depends on a step in `undecided` (one that may
    still be answered); otherwise as the engine will find it (an unanswered step makes a comparison false)."""
    if isinstance(condition, AllOf | AnyOf):
        verdicts = [judge(inner, answers, context, undecided) for inner in condition.conditions]
        decisive = isinstance(condition, AnyOf)  # any: one True decides; all: one False decides
        if decisive in verdicts:
            return decisive
        return None if None in verdicts else not decisive
    if isinstance(condition, Not):
        verdict = judge(condition.condition, answers, context, undecided)
        return None if verdict is None else not verdict
    if isinstance(condition, Compare) and condition.step in undecided:
        return None
    return holds(condition, answers, context)


def possible_next(script: Script, step: Step, answers: Mapping[str, Value], context: CheckinContext,
                  undecided: frozenset[str]) -> list[str]:
    """Every step (or END) the flow may go to after `step`: the rules in order, each that may hold, up to the first
    that surely holds; the following step if none surely holds."""
    targets: list[str] = []
    for rule in step.rules:
        verdict = True if rule.condition is None else judge(rule.condition, answers, context, undecided)
        if verdict is False:
            continue
        targets.append(rule.target)
        if verdict is True:
            return targets
    position = script.index(step.id)
    targets.append(script.steps[position + 1].id if position + 1 < len(script.steps) else END)
    return targets


def questions_left(script: Script, current: str, answers: Mapping[str, Value], context: CheckinContext) -> int:
    """The most questions any path still possible may ask from `current` on, `current` included."""
    start = script.index(current)
    ahead = script.steps[start:]
    undecided = frozenset(step.id for step in ahead if step.id not in answers and asked(script, step, context))
    best: dict[str, int] = {END: 0}
    for step in reversed(ahead):  # targets always lie ahead: each is counted before the steps leading to it
        following = possible_next(script, step, answers, context, undecided)
        best[step.id] = (1 if asked(script, step, context) else 0) + max(best[target] for target in following)
    return best[current]


def answered(script: Script, answers: Mapping[str, Value]) -> int:
    """How many questions have been answered."""
    return sum(1 for step_id in answers if script.has_step(step_id) and script.step(step_id).is_question)


def most_questions(script: Script, current: str | None, answers: Mapping[str, Value],
                   context: CheckinContext) -> int:
    """The questions answered plus the most any possible path still asks: the n of "question k of n"."""
    done = answered(script, answers)
    return done if current is None else done + questions_left(script, current, answers, context)


def shown_total(script: Script, current: str | None, answers: Mapping[str, Value], context: CheckinContext,
                shown: int) -> int:
    """The total to show now: the path's maximum, but never more than the total shown before (`shown`, 0: none
    yet), unless the question now asked would lie beyond it (answers changed under /answers, the context changed):
    then the question's own number."""
    total = most_questions(script, current, answers, context)
    if shown:
        total = min(total, shown)
    position = answered(script, answers)
    if current is not None and asked(script, script.step(current), context):
        position += 1
    return max(total, position)
