"""What the digest benchmark's partners answer: which steps a check-in shows (Walker, from the real engine, memoised on
what the script's branching sees) and the value each partner gives a step (value: per-partner behaviours, scales on a
random walk, choices, ticked partners, typed texts). bench._digest_data stores them as the bot would.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from bot.core import engine
from bot.core.conditions import holds
from bot.core.context import CheckinContext
from bot.core.script.model import DONT_KNOW, AllOf, AnyOf, Condition, ContextCompare, Not, Script, Step, Value
from bot.demo.personas import NORMAL_CHOICES, VAGUE_GOAL

VAGUE = (VAGUE_GOAL, "Mehr Austausch, mal sehen.", "Vernetzung verbessern.", "Weiß nicht, vielleicht mehr Kontakt.")
TEXTS = {"agreements_what": ("Die Rückmeldung zur Fallkonferenz kam nicht.", "Termine wurden kurzfristig abgesagt."),
         "goals_missing": ("Eine gemeinsame Zahl, an der wir uns messen.", "Wer wofür zuständig ist.")}
NOTES = ("Die Fallkonferenz hat gut funktioniert.", "Bitte mehr Zeit für den Austausch einplanen.",
         "Wir brauchen einen Ersatztermin im Sommer.")
# fading: benefit falls; vague: vague goal statements; critic: concern answers; silent: stops answering for good;
# slow: answers later each round (cycles of four); unsure: "don't know" on benefit. Values are weights.
BEHAVIOURS = {"normal": 71, "fading": 5, "vague": 6, "critic": 7, "silent": 3, "slow": 5, "unsure": 3}



def _refs(condition: Condition | None) -> Iterator[tuple[str, str]]:
    """("step", id) and ("context", key) of everything a condition compares."""
    if isinstance(condition, AllOf | AnyOf):
        for inner in condition.conditions:
            yield from _refs(inner)
    elif isinstance(condition, Not):
        yield from _refs(condition.condition)
    elif isinstance(condition, ContextCompare):
        yield "context", condition.key
    elif condition is not None:
        yield "step", condition.step


class Walker:
    """Which steps a check-in shows, from the real engine (start, next_step), memoised on what its branching sees:
    the rotation modules due, whether there are partners to offer, context keys and steps the conditions compare."""

    def __init__(self, script: Script) -> None:
        self.script, self.by_id = script, {step.id: step for step in script.steps}
        refs = {ref for step in script.steps for rule in step.rules for ref in _refs(rule.condition)}
        self.steps = sorted(name for kind, name in refs if kind == "step")
        self.keys = sorted(name for kind, name in refs if kind == "context")
        self.memo: dict[tuple[Any, ...], tuple[str, ...]] = {}
        self.concerns = {step.id: [option.id for option in step.options if step.concern is not None
                                   and holds(step.concern, {step.id: option.id})] for step in script.steps}

    def path(self, context: CheckinContext, drawn: dict[str, Value]) -> tuple[str, ...]:
        """The steps shown, in order, when the steps that conditions compare are answered as `drawn`."""
        key = (tuple(module.due(context.round_number) for module in self.script.modules), bool(context.partners),
               bool(context.topics), tuple(context.value(name) for name in self.keys),
               tuple(drawn[name] for name in self.steps))
        if key not in self.memo:
            current, answers, path = engine.start(self.script, context).current, {}, []
            while current is not None:  # what engine.answer does after each accepted answer
                path.append(current)
                if self.by_id[current].is_question:
                    answers[current] = drawn.get(current)
                current = engine.next_step(self.script, self.by_id[current], answers, context)
            self.memo[key] = tuple(path)
        return self.memo[key]


@dataclass
class Partner:
    """A partner organisation: behaviour, contact persons (from which round on) and its answers' tendencies."""

    organisation_id: int
    behaviour: str
    goal: str
    contacts: list[tuple[int, int]]  # (first round, membership id), oldest first
    kind: str
    rounds: int  # how many levels a walk needs
    habit: int  # when they usually answer: 0 at once, 1 a day or two later, 2 and 3 after the reminders
    others: tuple[tuple[str, str], ...] = ()  # the other organisations as a partners step offers them
    levels: dict[str, list[int]] = field(default_factory=dict)
    silent_from: int = 10_000
    unreachable_from: int = 10_000

    def member(self, number: int) -> int:
        """The membership answering round `number`."""
        return [membership for first, membership in self.contacts if first <= number][-1]


def random_walk(rng: random.Random, home: int, rounds: int, down_from: int = 10_000) -> list[int]:
    """Levels per round: mostly steady, drawn back to `home`, which falls by one every other round from `down_from`."""
    level, walk = home, []
    for number in range(1, rounds + 1):
        home = max(1, home - 1) if number >= down_from and number % 2 == 0 else home
        draw = rng.random()
        level += (home > level) - (home < level) if draw < 0.3 else rng.choice((-1, 1)) if draw < 0.4 else 0
        walk.append(level := min(5, max(1, level)))
    return walk


def value(walker: Walker, step: Step, partner: Partner, number: int, rng: random.Random) -> Value:
    """What the partner answers to a step in round `number`, as the engine would store it."""
    kind, behaviour = step.kind, partner.behaviour
    if kind == "scale":
        if step.dont_know and rng.random() < (0.4 if behaviour == "unsure" and step.risk else 0.02):
            return DONT_KNOW
        if step.id not in partner.levels:
            partner.levels[step.id] = random_walk(rng, rng.choice((3, 4, 4, 4, 5)), partner.rounds)
        return partner.levels[step.id][number - 1]
    if kind == "yes_no":
        return rng.random() < (0.03 if step.concern else 0.5)
    if kind == "number":
        return step.minimum
    if kind == "partners":
        count = min(len(partner.others), rng.choice((0, 1, 2, 2, 3) if behaviour == "critic" else (1, 1, 2, 2, 3, 4)))
        return tuple(partner.others[i][0] for i in sorted(rng.sample(range(len(partner.others)), count)))
    if kind == "choice":
        ids, concern = [option.id for option in step.options], walker.concerns[step.id]
        if step.multiple:
            return tuple(sorted(rng.sample(ids, rng.choice((1, 1, 2))), key=ids.index))
        if concern and rng.random() < (0.35 if behaviour == "critic" else 0.03):
            return rng.choice(concern)
        normal = [one for one in NORMAL_CHOICES.get(step.id, ()) if one in ids] or [ids[0]]
        return rng.choice(normal) if rng.random() < 0.85 else rng.choice([one for one in ids if one not in concern])
    if kind == "text":
        if step.risk == 1:  # a goal statement
            return rng.choice(VAGUE) if behaviour == "vague" else None if rng.random() < 0.15 else partner.goal
        chance = 1.0 if not step.optional else 0.5 if step.id in TEXTS else 0.2
        return rng.choice(TEXTS.get(step.id, NOTES)) if rng.random() < chance else None
    return None  # info: nothing is stored
