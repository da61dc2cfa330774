"""The check-in script as plain, immutable data (what the YAML files in dialogs/ describe)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

StepKind = Literal["scale", "choice", "yes_no", "text", "number", "info", "partners", "focus"]
STEP_KINDS: tuple[StepKind, ...] = ("scale", "choice", "yes_no", "text", "number", "info", "partners", "focus")
QUESTION_KINDS: frozenset[str] = frozenset({"scale", "choice", "yes_no", "text", "number", "partners", "focus"})
# Steps whose buttons come from the check-in's context, not from the script: no condition may look at their answers,
# and without such context (no other partners, no topics) the step is passed by.
CONTEXT_KINDS: frozenset[str] = frozenset({"partners", "focus"})
TYPED_KINDS: frozenset[str] = frozenset({"text", "number"})  # answered by typing, not by a button
END = "end"
DONT_KNOW = "dont_know"

# An answer value: scale and number → int (scale also DONT_KNOW), yes_no → bool, choice → option id (a tuple of
# them when several may be chosen), partners → a tuple of organisation ids, focus → the chosen topic id, text → str,
# None for a skipped text.
Value = int | bool | str | tuple[str, ...] | None
CompareOp = Literal["eq", "in", "lte", "gte"]

Texts = Mapping[str, str]


@dataclass(frozen=True)
class Compare:
    """Compare the answer of an earlier step: exactly one of eq, in_, lte, gte is set."""

    step: str
    op: CompareOp
    operand: Value | tuple[Value, ...]


@dataclass(frozen=True)
class ContextCompare:
    """Compare a fact of the check-in's context (round, month, role, answered_last_round)."""

    key: str
    op: CompareOp
    operand: Value | tuple[Value, ...]


@dataclass(frozen=True)
class AllOf:
    """True when every inner condition is true."""

    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    """True when at least one inner condition is true."""

    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    """True when the inner condition is false."""

    condition: Condition


Condition = Compare | ContextCompare | AllOf | AnyOf | Not


@dataclass(frozen=True)
class Rule:
    """Go to `target` when `condition` holds (no condition: always)."""

    target: str
    condition: Condition | None = None


LEVELS = range(1, 6)  # the scale every measured answer is put on: 1 = low, 5 = high


@dataclass(frozen=True)
class Option:
    """One answer of a choice step; the id is what is stored, `level` (1-5) where the answer measures its factor."""

    id: str
    text: Texts
    level: int | None = None


@dataclass(frozen=True)
class Step:
    """One step of a script; which fields matter depends on the kind."""

    id: str
    kind: StepKind
    text: Texts
    factor: int | None = None
    risk: int | None = None  # the risk factor (1-9) the step can reveal, where one applies
    low: Texts = field(default_factory=dict)
    high: Texts = field(default_factory=dict)
    dont_know: bool = False
    options: tuple[Option, ...] = ()
    multiple: bool = False  # choice: several options may be chosen
    max_length: int = 0
    optional: bool = False
    minimum: int = 0  # number steps: the allowed range
    maximum: int = 0
    rules: tuple[Rule, ...] = ()
    module: str | None = None  # shown only in the rounds its rotation module is due
    concern: Compare | None = None  # which answers are a sign of the step's risk factor (compared with its own answer)

    @property
    def is_question(self) -> bool:
        """Whether the step asks for an answer (info steps do not)."""
        return self.kind in QUESTION_KINDS

    @property
    def measures(self) -> bool:
        """Whether an answer to the step can put its success factor on the scale 1-5 (a scale, or options with
        levels)."""
        return self.kind == "scale" or any(option.level is not None for option in self.options)

    def level_of(self, value: Value) -> int | None:
        """The answer's level on the scale 1-5: a scale answer, or the level of the chosen option (None for "don't
        know", an option without a level, several options, and other kinds)."""
        if self.kind == "scale":
            return value if type(value) is int and value in LEVELS else None
        if self.kind == "choice" and isinstance(value, str):
            return next((option.level for option in self.options if option.id == value), None)
        return None


@dataclass(frozen=True)
class Module:
    """A rotation module: its steps are shown every `every` rounds, in rounds r with (r - 1) % every == offset."""

    id: str
    every: int
    offset: int

    def due(self, round_number: int) -> bool:
        """Whether the module's steps are shown in this round (1-based)."""
        return (round_number - 1) % self.every == self.offset


@dataclass(frozen=True)
class Script:
    """A whole check-in script of one version."""

    id: str
    version: int
    languages: tuple[str, ...]
    title: Texts
    outro: Texts
    steps: tuple[Step, ...]
    intro: Texts = field(default_factory=dict)
    modules: tuple[Module, ...] = ()

    def shown(self, step: Step, round_number: int) -> bool:
        """Whether a step is shown in this round: always, unless its module is not due."""
        if step.module is None:
            return True
        return any(module.id == step.module and module.due(round_number) for module in self.modules)

    @cached_property
    def _positions(self) -> dict[str, int]:
        """Step id → position; built once per script (histories look steps up for every stored answer)."""
        return {step.id: number for number, step in reversed(list(enumerate(self.steps)))}

    def step(self, step_id: str) -> Step:
        """The step with this id (KeyError if there is none)."""
        return self.steps[self._positions[step_id]]

    def index(self, step_id: str) -> int:
        """The position of a step in the script."""
        return self._positions[step_id]

    def has_step(self, step_id: str) -> bool:
        """Whether a step with this id exists."""
        return step_id in self._positions
