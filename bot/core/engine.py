"""The dialog engine: (script, state, input) -> (new state, what happened), as plain data."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from bot.core.conditions import holds
from bot.core.context import CheckinContext
from bot.core.progress import answered, offered, shown_total
from bot.core.script.model import DONT_KNOW, END, Script, Step, Value
from bot.core.user_text import one_line

CONTINUE = "continue"
SKIP = "skip"
YES = "yes"
NO = "no"
DONE = "_done"  # ends a step where several buttons may be ticked
PAGE_PREFIX = "_p"  # "_p2": show page 2 of a partners step
PARTNER_PREFIX = "o"  # "o12": organisation 12 on a partners step
PAGE_SIZE = 8  # partners per page: fits a phone screen
_NO_CONTEXT = CheckinContext()

RejectReason = Literal["finished", "stale", "use_buttons", "use_text", "invalid", "empty", "too_long", "not_number",
                       "none_ticked"]
_WHOLE_NUMBER = re.compile(r"^[+-]?\d{1,7}$")


@dataclass(frozen=True)
class DialogState:
    """Where a check-in stands: the current step (None when finished), the answers so far, on a step where
    several buttons may be ticked what is ticked so far (`draft`) and the page shown, and the number of questions
    shown as the total ("question 2 of `total`"; 0: not known yet, as in states stored before it was kept)."""

    current: str | None
    answers: Mapping[str, Value] = field(default_factory=dict)
    path: tuple[str, ...] = ()
    draft: tuple[str, ...] = ()
    page: int = 0
    total: int = 0

    @property
    def finished(self) -> bool:
        """Whether the check-in has reached its end."""
        return self.current is None

    def to_json(self) -> str:
        """Serialise for the database."""
        data: dict[str, Any] = {"current": self.current, "answers": dict(self.answers), "path": list(self.path)}
        if self.draft or self.page:
            data.update(draft=list(self.draft), page=self.page)
        if self.total:
            data["total"] = self.total
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> DialogState:
        """Restore a state written by to_json (lists of chosen ids come back as tuples)."""
        data: dict[str, Any] = json.loads(text)
        answers = {key: tuple(value) if isinstance(value, list) else value for key, value in data["answers"].items()}
        return cls(data["current"], answers, tuple(data["path"]), tuple(data.get("draft", ())),
                   int(data.get("page", 0)), int(data.get("total", 0)))


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


@dataclass(frozen=True)
class Pending:
    """The input changed what is ticked or which page is shown; the step is not answered yet."""

    state: DialogState


Outcome = Accepted | Rejected | Pending


def start(script: Script, context: CheckinContext = _NO_CONTEXT) -> DialogState:
    """The state of a fresh check-in: at the first step shown in this round, nothing answered."""
    first = _shown_from(script, script.steps[0], {}, context)
    return DialogState(current=first, answers={}, path=(first,) if first else (),
                       total=shown_total(script, first, {}, context, 0))


def answer(script: Script, state: DialogState, step_id: str, given: Input,
           context: CheckinContext = _NO_CONTEXT) -> Outcome:
    """Apply one input to the step `step_id`; refuse it if that is not the current step."""
    if state.current is None:
        return Rejected("finished")
    if step_id != state.current:
        return Rejected("stale")
    step = script.step(step_id)
    if ticks(step):
        ticked = _tick(step, state, given, context)
        if not isinstance(ticked, tuple):
            return ticked
        parsed: Value | Rejected = ticked
    else:
        parsed = _parse(step, given, context)
    if isinstance(parsed, Rejected):
        return parsed
    answers = dict(state.answers)
    if step.is_question:
        answers[step.id] = parsed
    following = next_step(script, step, answers, context)
    path = (*state.path, following) if following else state.path
    total = shown_total(script, following, answers, context, state.total)
    return Accepted(DialogState(following, answers, path, total=total), step.id, parsed, step.is_question)


def next_step(script: Script, step: Step, answers: Mapping[str, Value],
              context: CheckinContext = _NO_CONTEXT) -> str | None:
    """The step after `step`: the first matching rule, else the following step; steps not shown are passed by."""
    target = _rule_target(script, step, answers, context)
    return None if target is None else _shown_from(script, script.step(target), answers, context)


def _rule_target(script: Script, step: Step, answers: Mapping[str, Value], context: CheckinContext) -> str | None:
    """Where `step`'s rules lead (the following step when none holds); None at the end."""
    for rule in step.rules:
        if rule.condition is None or holds(rule.condition, answers, context):
            return None if rule.target == END else rule.target
    position = script.index(step.id)
    return script.steps[position + 1].id if position + 1 < len(script.steps) else None


def _shown_from(script: Script, step: Step, answers: Mapping[str, Value], context: CheckinContext) -> str | None:
    """`step` if it is shown in this round, else where the flow goes when it is passed by (its rules, unanswered)."""
    while not (script.shown(step, context.round_number) and offered(step, context)):
        following = _rule_target(script, step, answers, context)  # forward only, so this ends
        if following is None:
            return None
        step = script.step(following)
    return step.id


def ticks(step: Step) -> bool:
    """Whether the step is answered by ticking several buttons and then "Done"."""
    return step.kind == "partners" or (step.kind == "choice" and step.multiple)


def _tick(step: Step, state: DialogState, given: Input, context: CheckinContext) -> tuple[str, ...] | Outcome:
    """A tap on a step with several choices: toggle, turn the page, or finish with what is ticked."""
    if isinstance(given, Typed):
        return Rejected("use_buttons")
    value = given.value
    if value == DONE:
        if step.kind == "choice" and not state.draft:
            return Rejected("none_ticked")
        return tuple(sorted(state.draft, key=_order(step, context)))
    if step.kind == "partners" and value.startswith(PAGE_PREFIX) and value[len(PAGE_PREFIX):].isdigit():
        page = int(value[len(PAGE_PREFIX):])
        if page >= max(1, -(-len(context.partners) // PAGE_SIZE)):
            return Rejected("invalid")
        return Pending(replace(state, page=page))
    if step.kind == "partners":
        choice = value[len(PARTNER_PREFIX):] if value.startswith(PARTNER_PREFIX) else ""
        valid = choice in context.partner_ids()
    else:
        choice = value
        valid = choice in {option.id for option in step.options}
    if not valid:
        return Rejected("invalid")
    draft = tuple(x for x in state.draft if x != choice) if choice in state.draft else (*state.draft, choice)
    return Pending(replace(state, draft=draft))


def _order(step: Step, context: CheckinContext) -> Any:
    """Sort chosen ids in the order the buttons show them."""
    order = [option.id for option in step.options] if step.kind == "choice" else [p for p, _ in context.partners]
    return lambda chosen: order.index(chosen) if chosen in order else len(order)


def _parse(step: Step, given: Input, context: CheckinContext) -> Value | Rejected:
    if step.kind == "text":
        if isinstance(given, Press):
            return None if given.value == SKIP and step.optional else Rejected("use_text")
        text = one_line(given.text)  # stored on one line: a typed line break never fakes a line of the bot's own
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
    if step.kind == "focus":  # one of the topics the context offers; the button carries the topic id
        return given.value if given.value in context.topic_ids() else Rejected("invalid")
    if given.value in {option.id for option in step.options}:
        return given.value
    return Rejected("invalid")


def questions_answered(script: Script, state: DialogState) -> int:
    """How many questions of this check-in have been answered."""
    return answered(script, state.answers)


def position(script: Script, state: DialogState, context: CheckinContext = _NO_CONTEXT) -> tuple[int, int]:
    """"Question k of n" for the current step: its number, and the total as last shown (computed for a state
    stored before the total was kept)."""
    total = state.total or shown_total(script, state.current, state.answers, context, 0)
    return questions_answered(script, state) + 1, total


def revise(script: Script, state: DialogState, step_id: str, given: Input,
           context: CheckinContext = _NO_CONTEXT) -> Accepted | Rejected:
    """Change the answer of an already answered step; the check-in's position and branching stay as they were; a
    focus step takes one of the context's topics (none without context)."""
    if step_id not in state.answers or not script.has_step(step_id):
        return Rejected("invalid")
    step = script.step(step_id)
    if ticks(step):
        return Rejected("invalid")  # several ticks cannot be changed with one tap; /answers offers no button
    parsed = _parse(step, given, context)
    if isinstance(parsed, Rejected):
        return parsed
    answers = {**state.answers, step_id: parsed}
    return Accepted(replace(state, answers=answers), step_id, parsed, True)  # ticks under way stay ticked
