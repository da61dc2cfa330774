"""Turn a script step into what a chat shows (text and buttons), in one language; no Telegram types."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.core.engine import CONTINUE, NO, SKIP, YES
from bot.core.script import DONT_KNOW, TYPED_KINDS, Script, Step, Value

Gettext = Callable[[str], str]


@dataclass(frozen=True)
class Button:
    """A button: its label and the value it sends back."""

    label: str
    value: str


@dataclass(frozen=True)
class View:
    """What to show for one step."""

    step_id: str
    text: str
    buttons: tuple[tuple[Button, ...], ...]
    expects_text: bool
    max_length: int = 0


def pick(texts: Mapping[str, str], lang: str) -> str:
    """The text in `lang`, falling back to German (always present in a valid script)."""
    return texts.get(lang) or texts.get("de") or next(iter(texts.values()), "")


def render_step(script: Script, step_id: str, lang: str, _: Gettext, number: int) -> View:
    """The view of a step; `number` is the question's position, shown as a progress hint."""
    step = script.step(step_id)
    text = pick(step.text, lang)
    if step.is_question:
        text = _("Question {number}").format(number=number) + "\n" + text
    buttons: list[tuple[Button, ...]] = []
    if step.kind == "scale":
        legend = _("1 = {low} … 5 = {high}").format(low=pick(step.low, lang), high=pick(step.high, lang))
        text = f"{text}\n\n{legend}"
        buttons.append(tuple(Button(str(n), str(n)) for n in range(1, 6)))
        if step.dont_know:
            buttons.append((Button(_("Don't know"), DONT_KNOW),))
    elif step.kind == "yes_no":
        buttons.append((Button(_("Yes"), YES), Button(_("No"), NO)))
    elif step.kind == "choice":
        buttons.extend((Button(pick(option.text, lang), option.id),) for option in step.options)
    elif step.kind == "info":
        buttons.append((Button(_("Continue"), CONTINUE),))
    elif step.kind == "number":
        hint = _("Please answer with a whole number from {minimum} to {maximum}.").format(
            minimum=step.minimum, maximum=step.maximum)
        text = f"{text}\n\n{hint}"
    elif step.kind == "text":
        hint = _("Please answer in one short message (at most {limit} characters).").format(limit=step.max_length)
        text = f"{text}\n\n{hint}"
        if step.optional:
            buttons.append((Button(_("Skip"), SKIP),))
    return View(step.id, text, tuple(buttons), step.kind in TYPED_KINDS, step.max_length)


def describe_value(step: Step, value: Value, lang: str, _: Gettext) -> str:
    """A short human form of a stored answer, shown under the answered question."""
    if value is None:
        return _("skipped") if step.kind == "text" else _("noted")
    if value == DONT_KNOW:
        return _("Don't know")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if step.kind == "choice":
        for option in step.options:
            if option.id == value:
                return pick(option.text, lang)
    return str(value)
