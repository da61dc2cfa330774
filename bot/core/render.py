"""Turn a script step into what a chat shows (text and buttons), in one language; no Telegram types."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.core.context import CheckinContext
from bot.core.engine import CONTINUE, DONE, NO, PAGE_PREFIX, PAGE_SIZE, PARTNER_PREFIX, SKIP, YES, DialogState
from bot.core.script.model import DONT_KNOW, TYPED_KINDS, Script, Step, Value
from bot.core.user_text import one_line

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


TICK = "✓ "
MAX_PARTNER_LABEL = 28  # two buttons a row must stay readable on a phone
MAX_TOPIC_LABEL = 40  # one button a row: as long as a choice's option label may be


def render_step(script: Script, step_id: str, lang: str, _: Gettext, number: int, *, total: int = 0,
                state: DialogState | None = None, context: CheckinContext | None = None) -> View:
    """The view of a step; `number` is the question's position and `total` the questions of the path as far as it
    is known (0: not shown), a progress hint; `state` carries what is ticked so far on a step with several choices,
    `context` the partners a partners step offers and the topics of a focus step."""
    step = script.step(step_id)
    draft = state.draft if state is not None and state.current == step_id else ()
    page = state.page if state is not None and state.current == step_id else 0
    text = pick(step.text, lang)
    if step.is_question:
        heading = (_("Question {number} of {total}").format(number=number, total=total) if total else
                   _("Question {number}").format(number=number))
        text = heading + "\n" + text
    buttons: list[tuple[Button, ...]] = []
    if step.kind == "scale":
        legend = _("1 = {low} … 5 = {high}").format(low=pick(step.low, lang), high=pick(step.high, lang))
        text = f"{text}\n\n{legend}"
        buttons.append(tuple(Button(str(n), str(n)) for n in range(1, 6)))
        if step.dont_know:
            buttons.append((Button(_("Don't know"), DONT_KNOW),))
    elif step.kind == "yes_no":
        buttons.append((Button(_("Yes"), YES), Button(_("No"), NO)))
    elif step.kind == "choice" and step.multiple:
        text = f"{text}\n\n" + _("Tick all that apply, then tap \"Done\".")
        buttons.extend((Button(_ticked(pick(option.text, lang), option.id in draft), option.id),)
                       for option in step.options)
        buttons.append((Button(_("Done"), DONE),))
    elif step.kind == "choice":
        buttons.extend((Button(pick(option.text, lang), option.id),) for option in step.options)
    elif step.kind == "partners":
        partners = context.partners if context is not None else ()
        text, rows = _partner_buttons(text, partners, draft, page, _)
        buttons.extend(rows)
    elif step.kind == "focus":
        topics = context.topics if context is not None else ()
        buttons.extend((Button(_short(label, MAX_TOPIC_LABEL), topic_id),) for topic_id, label in topics)
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


def _ticked(label: str, ticked: bool) -> str:
    return TICK + label if ticked else label


def _partner_buttons(text: str, partners: tuple[tuple[str, str], ...], draft: tuple[str, ...], page: int,
                     _: Gettext) -> tuple[str, list[tuple[Button, ...]]]:
    """A page of partner organisations, two a row, with page turns and "Done" (or "None of them")."""
    pages = max(1, -(-len(partners) // PAGE_SIZE))
    page = min(page, pages - 1)
    text = f"{text}\n\n" + _("Tick every organisation you worked with, then tap \"Done\".")
    if pages > 1:
        text += "\n" + _("Page {page} of {pages}").format(page=page + 1, pages=pages)
    shown = partners[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
    labels = [Button(_ticked(_short(name, MAX_PARTNER_LABEL), pid in draft), PARTNER_PREFIX + pid)
              for pid, name in shown]
    rows: list[tuple[Button, ...]] = [tuple(labels[i:i + 2]) for i in range(0, len(labels), 2)]
    turns = []
    if page > 0:
        turns.append(Button("◀", f"{PAGE_PREFIX}{page - 1}"))
    if page + 1 < pages:
        turns.append(Button("▶", f"{PAGE_PREFIX}{page + 1}"))
    if turns:
        rows.append(tuple(turns))
    rows.append((Button(_("Done") if draft else _("None of them"), DONE),))
    return text, rows


def _short(name: str, limit: int) -> str:
    """The name, cut to `limit` characters with "…" when longer."""
    return name if len(name) <= limit else name[:limit - 1].rstrip() + "…"


def describe_value(step: Step, value: Value, lang: str, _: Gettext, names: Mapping[str, str] | None = None) -> str:
    """A short human form of a stored answer, shown under the answered question; `names` of partner ids (a partners
    step) or topic ids (a focus step: pass dict(context.topics))."""
    if isinstance(value, tuple):
        if not value:
            return _("None of them")
        labels = {option.id: pick(option.text, lang) for option in step.options} | dict(names or {})
        return ", ".join(labels.get(chosen, chosen) for chosen in value)
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
    if step.kind == "focus" and isinstance(value, str):
        return (names or {}).get(value, value)
    return one_line(value) if isinstance(value, str) else str(value)  # a text stored before texts were folded
