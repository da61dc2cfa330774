"""One runner core for every script-driven dialog (check-ins, coaching, script previews): an input in, what to show
out, as plain data. Each dialog kind supplies where its state lives through `DialogPort`; nothing here knows
Telegram."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from bot.core import engine
from bot.core.context import CheckinContext
from bot.core.engine import Accepted, DialogState, Input, Pending, Rejected, Typed
from bot.core.render import View, describe_value, render_step
from bot.core.script.model import Script
from bot.i18n import Gettext


@dataclass(frozen=True)
class Dialog:
    """A running dialog as loaded: script, engine state, what it branches on, the language, and the message that
    shows its current step (None when not remembered)."""

    script: Script
    state: DialogState
    context: CheckinContext
    locale: str
    prompt_message_id: int | None = None


class DialogPort(Protocol):
    """What the runner needs of one running dialog, whatever its kind."""

    @property
    def dialog(self) -> Dialog:
        """The dialog as loaded."""
        ...

    def save(self, outcome: Accepted | Pending) -> bool:
        """Replace the loaded state by the outcome's (compare-and-set); False if it moved on meanwhile."""
        ...

    def remember_prompt(self, message_id: int | None) -> None:
        """Note which message shows the current step now."""
        ...

    def after(self, outcome: Accepted, _: Gettext) -> tuple[str, ...]:
        """What to say after an accepted answer (ideas for a topic; at the end the outro), doing what the end does."""
        ...


Port = TypeVar("Port", bound=DialogPort)


@dataclass(frozen=True)
class Begun(Generic[Port]):
    """What starting or resuming a dialog says first, and the dialog whose current step follows (None: none)."""

    texts: tuple[str, ...]
    dialog: Port | None = None


@dataclass(frozen=True)
class Refused:
    """Why a button does nothing: the text on the button, whether to log it (not meant for this person), and
    whether its message's buttons go."""

    text: str
    log: bool = False
    drop: bool = False


@dataclass(frozen=True)
class Turn:
    """What one input did, and what to show for it."""

    refusal: str | None = None  # why the input did not count
    on_button: bool = True  # the refusal goes on the tapped button (else into the chat)
    stale: bool = False  # the tapped message's buttons can no longer be used
    again: View | None = None  # the current step once more (typed where buttons were wanted)
    redraw: View | None = None  # a tick or page turn: the tapped message anew
    confirm: str | None = None  # the answered question with the answer given (None: only its buttons go)
    drop_prompt: bool = False  # a typed answer made the question's buttons ("Skip") moot
    says: tuple[str, ...] = ()  # said after the answer
    finished: bool = False
    next: View | None = None


def text_refusal(outcome: Rejected, _: Gettext) -> str | None:
    """Why a typed answer was not taken (too long, empty), or None for refusals of another kind."""
    if outcome.reason == "too_long":
        return _("Your answer has {length} characters; this question allows at most {limit}. "
                 "Please send a shorter version.").format(length=outcome.length, limit=outcome.limit)
    if outcome.reason == "empty":
        return _("Please write a short answer.")
    if outcome.reason == "not_number":
        return _("Please answer with a whole number from {minimum} to {maximum}.").format(
            minimum=outcome.minimum, maximum=outcome.maximum)
    return None


def rejection(outcome: Rejected, _: Gettext) -> tuple[str, bool]:
    """Why an input did not count, and whether to say it on the tapped button (True) or in the chat (False)."""
    if outcome.reason == "stale":
        return _("This question has already been answered."), True
    if outcome.reason in ("finished", "invalid"):
        return _("This button is no longer valid."), True
    if outcome.reason == "none_ticked":
        return _("Please tick at least one answer first."), True
    if (refusal := text_refusal(outcome, _)) is not None:
        return refusal, False
    if outcome.reason == "use_text":
        return _("Please type your answer as a message."), True
    return _("Please answer with the buttons under the question."), False


def names_of(context: CheckinContext) -> Mapping[str, str]:
    """The names an answer's ids stand for: partners (a partners step) and topics (a focus step)."""
    return dict(context.partners) | dict(context.topics)


def view_of(dialog: Dialog, state: DialogState, _: Gettext) -> View | None:
    """The current step of `state` as text and buttons (None when the dialog has ended)."""
    if state.current is None:
        return None
    number, total = engine.position(dialog.script, state, dialog.context)
    return render_step(dialog.script, state.current, dialog.locale, _, number, total=total, state=state,
                       context=dialog.context)


def take(port: DialogPort, step_id: str, given: Input, _: Gettext) -> Turn:
    """Ask the engine about one input to step `step_id`, store what it accepted (once), and say what to show."""
    dialog = port.dialog
    outcome = engine.answer(dialog.script, dialog.state, step_id, given, dialog.context)
    if isinstance(outcome, Rejected):
        text, on_button = rejection(outcome, _)
        again = view_of(dialog, dialog.state, _) if outcome.reason == "use_buttons" else None
        return Turn(refusal=text, on_button=on_button, stale=outcome.reason == "stale", again=again)
    if not port.save(outcome):
        return Turn(refusal=_("This question has already been answered."))
    if isinstance(outcome, Pending):
        return Turn(redraw=view_of(dialog, outcome.state, _))
    step = dialog.script.step(outcome.step_id)
    confirm = None
    if step.is_question:
        shown = view_of(dialog, dialog.state, _)  # the question as it was shown, with the answer given below it
        assert shown is not None  # the step just answered was the current one
        given_text = describe_value(step, outcome.value, dialog.locale, _, names_of(dialog.context))
        confirm = f"{shown.text}\n\n✓ {given_text}"
    return Turn(confirm=confirm, drop_prompt=isinstance(given, Typed) and step.kind == "text" and step.optional,
                says=port.after(outcome, _), finished=outcome.state.finished,
                next=view_of(dialog, outcome.state, _))
