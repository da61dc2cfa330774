"""Evaluate script conditions (plain data, never eval) against the answers given so far and the context."""

from __future__ import annotations

from collections.abc import Mapping

from bot.core.context import CheckinContext
from bot.core.script.model import AllOf, AnyOf, Compare, Condition, ContextCompare, Not, Value

_NO_CONTEXT = CheckinContext()


def holds(condition: Condition, answers: Mapping[str, Value], context: CheckinContext = _NO_CONTEXT) -> bool:
    """Whether the condition is true; an unanswered step makes a comparison false."""
    if isinstance(condition, AllOf):
        return all(holds(inner, answers, context) for inner in condition.conditions)
    if isinstance(condition, AnyOf):
        return any(holds(inner, answers, context) for inner in condition.conditions)
    if isinstance(condition, Not):
        return not holds(condition.condition, answers, context)
    if isinstance(condition, ContextCompare):
        return _compare(condition, context.value(condition.key))
    if condition.step not in answers:
        return False
    return _compare(condition, answers[condition.step])


def _compare(condition: Compare | ContextCompare, value: Value) -> bool:
    if isinstance(value, tuple):  # several chosen: eq/in hold when one of them matches
        return condition.op in ("eq", "in") and any(_compare(condition, one) for one in value)
    if condition.op == "eq":
        return _same(value, condition.operand)
    if condition.op == "in":
        operands = condition.operand if isinstance(condition.operand, tuple) else (condition.operand,)
        return any(_same(value, operand) for operand in operands)
    # lte/gte compare numbers only: "don't know", skipped or text answers never match.
    if not isinstance(value, int) or isinstance(value, bool) or not isinstance(condition.operand, int):
        return False
    return value <= condition.operand if condition.op == "lte" else value >= condition.operand


def _same(value: Value, operand: object) -> bool:
    # bool is an int in Python; keep yes/no and 1/0 apart.
    return type(value) is type(operand) and value == operand
