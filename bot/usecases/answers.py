"""/answers: a partner's latest check-in's answers, and changing one (a new revision) until the round closes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from bot.core import engine
from bot.core.engine import DialogState, Input, Rejected
from bot.core.render import Button, describe_value, pick, render_step
from bot.i18n import Gettext, local_deadline, month_name
from bot.usecases.dialog import Refused, text_refusal
from bot.usecases.scripts import ScriptRegistry
from storage.checkins import Checkin, StepRecord, answers_of, get_checkin, latest_checkin, revise_answer, set_editing
from storage.context import checkin_context
from storage.people import Membership, membership_by_id
from storage.rounds import get_round, schedule_of

__all__ = ["Checkin", "Overview", "Question", "Revised", "ask_again", "changing", "editable", "overview",
           "overview_of", "own_checkin", "own_editable", "revise"]


def editable(db: Database, checkin: Checkin) -> bool:
    """Answers can change until the check-in's round closes (a check-in outside rounds stays changeable)."""
    if checkin.round_id is None:
        return True
    current = get_round(db, checkin.round_id)
    return current is not None and current.open


@dataclass(frozen=True)
class Overview:
    """The answers as lines, and the steps whose answer may change (none once the round has closed)."""

    checkin_id: int
    lines: tuple[str, ...]
    changeable: tuple[tuple[str, str], ...]  # (number, step id)
    editable: bool


def overview(db: Database, scripts: ScriptRegistry, now: datetime, member: Membership,
             _: Gettext) -> Overview | None:
    """The latest check-in's answers; None if the partner has answered none."""
    checkin = latest_checkin(db, member.id)
    return None if checkin is None else overview_of(db, scripts, now, member, checkin, _)


def overview_of(db: Database, scripts: ScriptRegistry, now: datetime, member: Membership, checkin: Checkin,
                _: Gettext) -> Overview | None:
    """A check-in's answers as /answers shows them; None if it has none."""
    stored = answers_of(db, checkin.id)
    if not stored:
        return None
    script = scripts.version(checkin.script_id, checkin.script_version)
    names = dict(checkin_context(db, member.id, checkin.round_id, now).partners)
    lines, changeable = [_("Your answers:")], []
    for number, answer in enumerate(stored, start=1):
        step = script.step(answer.step_id)
        value = describe_value(step, answer.value, member.locale, _, names)
        lines.append(f"{number}. {pick(step.text, member.locale)}\n   → {value}")
        if not engine.ticks(step):  # several ticks are not changed one tap at a time
            changeable.append((str(number), step.id))
    is_editable = editable(db, checkin)
    lines.append("")
    lines.append(_change_hint(db, member, checkin, _) if is_editable else
                 _("The round has closed, so these answers can no longer be changed."))
    return Overview(checkin.id, tuple(lines), tuple(changeable), is_editable)


def _change_hint(db: Database, member: Membership, checkin: Checkin, _: Gettext) -> str:
    current = get_round(db, checkin.round_id) if checkin.round_id else None
    if current is None:
        return _("Tap a number to change that answer.")
    schedule = schedule_of(db, member.network_id)
    return _("Tap a number to change that answer (possible until {date}, the end of the round for {month}).").format(
        date=local_deadline(schedule, current.closes_at, member.locale),
        month=month_name(current.period, member.locale))


def own_editable(db: Database, member: Membership | None, checkin_id: int | None, _: Gettext) -> Checkin | Refused:
    """The partner's check-in behind a change button, if its answers may still change."""
    checkin = get_checkin(db, checkin_id) if checkin_id is not None else None
    if checkin is None:
        return Refused(_("This button is no longer valid."))
    if member is None or checkin.membership_id != member.id:
        return Refused(_("This button is not meant for you."), log=True)
    if not editable(db, checkin):
        return Refused(_("The round has closed, so these answers can no longer be changed."))
    return checkin


def own_checkin(db: Database, user_id: int | None, checkin_id: int | None,
                _: Gettext) -> tuple[Membership, Checkin] | Refused:
    """The check-in behind a "Change answers" button and its membership, if they are the tapping person's."""
    checkin = get_checkin(db, checkin_id) if checkin_id is not None else None
    member = membership_by_id(db, checkin.membership_id) if checkin is not None else None
    if checkin is None or member is None:
        return Refused(_("This button is no longer valid."))
    if member.user_id != user_id:
        return Refused(_("This button is not meant for you."), log=True)
    return member, checkin


@dataclass(frozen=True)
class Question:
    """An earlier question asked again: its text and the buttons that change the answer."""

    text: str
    buttons: tuple[tuple[Button, ...], ...]


def ask_again(db: Database, scripts: ScriptRegistry, checkin: Checkin, step_id: str, locale: str,
              _: Gettext) -> Question | None:
    """The question of `step_id` with buttons for a new answer (typed text answers it next); None if it has none."""
    script = scripts.version(checkin.script_id, checkin.script_version)
    if step_id not in DialogState.from_json(checkin.state).answers or engine.ticks(script.step(step_id)):
        return None
    view = render_step(script, step_id, locale, _, 1)
    text = view.text.split("\n", 1)[1] if "\n" in view.text else view.text  # without "Question 1"
    rows = tuple(row for row in (tuple(b for b in row if b.value != engine.SKIP) for row in view.buttons) if row)
    set_editing(db, checkin.id, step_id if view.expects_text else None)
    if view.expects_text:
        text += "\n\n" + _("Send your new answer as a message.")
    return Question(text, rows)


@dataclass(frozen=True)
class Revised:
    """What a change did: taken or not, the note on the tapped button, and what to say in the chat."""

    taken: bool
    tap: str | None = None
    say: str | None = None


def revise(db: Database, scripts: ScriptRegistry, now: datetime, member: Membership, checkin: Checkin, step_id: str,
           given: Input, tapped: bool, _: Gettext) -> Revised:
    """Store a changed answer as a new revision (a second tap on the same answer stores nothing again)."""
    script = scripts.version(checkin.script_id, checkin.script_version)
    before = DialogState.from_json(checkin.state)
    outcome = engine.revise(script, before, step_id, given)
    if isinstance(outcome, Rejected):
        refusal = text_refusal(outcome, _)
        return Revised(False, None if refusal else _("This button is no longer valid."), refusal)
    step = script.step(step_id)
    if tapped and before.answers.get(step_id) == outcome.value:
        return Revised(True, _("Changed."))  # the second tap of a double tap: nothing to say twice
    record = StepRecord(step.id, step.kind, step.factor, True, outcome.value, outcome.state.to_json(), False,
                        risk=step.risk)
    if not revise_answer(db, checkin, record, now):
        return Revised(False, _("This question has already been answered."))
    return Revised(True, _("Changed."), _("Changed. Your new answer: {answer}").format(
        answer=describe_value(step, outcome.value, member.locale, _)))


def changing(db: Database, member: Membership) -> Checkin | None:
    """The check-in whose text answer the partner is changing under /answers (typed text is the new answer)."""
    checkin = latest_checkin(db, member.id)
    if checkin is None or checkin.editing_step is None:
        return None
    if not editable(db, checkin):
        set_editing(db, checkin.id, None)
        return None
    return checkin
