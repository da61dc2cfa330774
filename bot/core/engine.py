"""The dialog engine: (script, state, input) -> (new state, what happened), as plain data."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.core.conditions import holds
from bot.core.script import DONT_KNOW, END, Script, Step, Value

CONTINUE = "continue"
SKIP = "skip"
YES = "yes"
NO = "no"

RejectReason = Literal["finished", "stale", "use_buttons", "use_text", "invalid", "empty", "too_long", "not_number"]
_WHOLE_NUMBER = re.compile(r"^[+-]?\d{1,7}$")


@dataclass(frozen=True)
class DialogState:
    """Where a check-in stands: the current step (None when finished) and the answers so far."""

    current: str | None
    answers: Mapping[str, Value] = field(default_factory=dict)
    path: tuple[str, ...] = ()

    @property
    def finished(self) -> bool:
        """Whether the check-in has reached its end."""
        return self.current is None

    def to_json(self) -> str:
        """Serialise for the database."""
        return json.dumps({"current": self.current, "answers": dict(self.answers), "path": list(self.path)})

    @classmethod
    def from_json(cls, text: str) -> DialogState:
        """Restore a state written by to_json."""
        data: dict[str, Any] = json.loads(text)
        return cls(data["current"], dict(data["answers"]), tuple(data["path"]))


@dataclass(frozen=True)
class Press:
    """The partner tapped a button carrying this value."""

    value: str


@dataclass(frozen=True)
class Typed:
    """The partner sent this text."""

    text: str


Input = Press | Typed


@dataclass(frozen=True)
class Accepted:
    """The input answered the current step; `is_answer` is False for info steps (nothing to store)."""

    state: DialogState
    step_id: str
    value: Value
    is_answer: bool


@dataclass(frozen=True)
class Rejected:
    """The input could not be taken; the state is unchanged."""

    reason: RejectReason
    limit: int = 0
    length: int = 0
    minimum: int = 0  # not_number: the allowed range
    maximum: int = 0


Outcome = Accepted | Rejected


def start(script: Script) -> DialogState:
    """The state of a fresh check-in: at the first step, nothing answered."""
    first = script.steps[0].id
    return DialogState(current=first, answers={}, path=(first,))


def answer(script: Script, state: DialogState, step_id: str, given: Input) -> Outcome:
    """Apply one input to the step `step_id`; refuse it if that is not the current step."""
    if state.current is None:
        return Rejected("finished")
    if step_id != state.current:
        return Rejected("stale")
    step = script.step(step_id)
    parsed = _parse(step, given)
    if isinstance(parsed, Rejected):
        return parsed
    answers = dict(state.answers)
    if step.is_question:
        answers[step.id] = parsed
    following = next_step(script, step, answers)
    path = (*state.path, following) if following else state.path
    return Accepted(DialogState(following, answers, path), step.id, parsed, step.is_question)


def next_step(script: Script, step: Step, answers: Mapping[str, Value]) -> str | None:
    """The step after `step` given the answers: the first matching rule, else the following step."""
    for rule in step.rules:
        if rule.condition is None or holds(rule.condition, answers):
            return None if rule.target == END else rule.target
    position = script.index(step.id)
    return script.steps[position + 1].id if position + 1 < len(script.steps) else None


def _parse(step: Step, given: Input) -> Value | Rejected:
    if step.kind == "text":
        if isinstance(given, Press):
            return None if given.value == SKIP and step.optional else Rejected("use_text")
        text = given.text.strip()
        if not text:
            return Rejected("empty")
        if len(text) > step.max_length:
            return Rejected("too_long", limit=step.max_length, length=len(text))
        return text
    if step.kind == "number":
        if isinstance(given, Press):
            return Rejected("use_text")
        text = given.text.strip().replace(" ", "")
        if _WHOLE_NUMBER.match(text) and step.minimum <= int(text) <= step.maximum:
            return int(text)
        return Rejected("not_number", minimum=step.minimum, maximum=step.maximum)
    if step.kind == "scale":
        raw = given.value if isinstance(given, Press) else given.text.strip()
        if raw in {"1", "2", "3", "4", "5"}:
            return int(raw)
        if raw == DONT_KNOW and step.dont_know and isinstance(given, Press):
            return DONT_KNOW
        return Rejected("use_buttons" if isinstance(given, Typed) else "invalid")
    if isinstance(given, Typed):
        return Rejected("use_buttons")
    if step.kind == "info":
        return None if given.value == CONTINUE else Rejected("invalid")
    if step.kind == "yes_no":
        if given.value in (YES, NO):
            return given.value == YES
        return Rejected("invalid")
    if given.value in {option.id for option in step.options}:
        return given.value
    return Rejected("invalid")


def questions_answered(script: Script, state: DialogState) -> int:
    """How many questions of this check-in have been answered."""
    return sum(1 for step_id in state.answers if script.has_step(step_id) and script.step(step_id).is_question)


def revise(script: Script, state: DialogState, step_id: str, given: Input) -> Outcome:
    """Change the answer of an already answered step; the check-in's position and branching stay as they were."""
    if step_id not in state.answers or not script.has_step(step_id):
        return Rejected("invalid")
    step = script.step(step_id)
    parsed = _parse(step, given)
    if isinstance(parsed, Rejected):
        return parsed
    answers = {**state.answers, step_id: parsed}
    return Accepted(DialogState(state.current, answers, state.path), step_id, parsed, True)
