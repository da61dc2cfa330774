"""/answers: a partner sees their latest check-in's answers and changes them until the round closes."""

from __future__ import annotations

from contextlib import suppress

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.core import engine
from bot.core.engine import DialogState, Input, Press, Rejected, Typed
from bot.core.render import describe_value, pick, render_step
from bot.i18n import Gettext
from bot.jobs.rounds import local_day, month_name
from bot.services import Services
from bot.telegram import callbacks
from bot.telegram.handlers.common import log_refusal, member_of, refuse_callback, say, text_refusal, translator
from storage.checkins import Checkin, StepRecord, answers_of, get_checkin, latest_checkin, revise_answer, set_editing
from storage.context import checkin_context
from storage.people import Membership
from storage.rounds import get_round, schedule_of

_PER_ROW = 4


def _editable(svc: Services, checkin: Checkin) -> bool:
    """Answers can change until the check-in's round closes (a check-in outside rounds stays changeable)."""
    if checkin.round_id is None:
        return True
    current = get_round(svc.db, checkin.round_id)
    return current is not None and current.open


async def answers_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/answers: list the latest check-in's answers, with a button per answer while they can change."""
    svc, _ = translator(update, context)
    member = member_of(update, svc)
    if member is None or member.role != "partner":
        log_refusal(update, member)
        await say(update, _("/answers is for partner organisations: it shows their check-in answers."))
        return
    checkin = latest_checkin(svc.db, member.id)
    stored = answers_of(svc.db, checkin.id) if checkin else []
    if checkin is None or not stored:
        await say(update, _("You have not answered a check-in yet. /checkin starts one."))
        return
    script = svc.scripts.version(checkin.script_id, checkin.script_version)
    names = dict(checkin_context(svc.db, member.id, checkin.round_id, svc.clock()).partners)
    lines, buttons = [_("Your answers:")], []
    for number, answer in enumerate(stored, start=1):
        step = script.step(answer.step_id)
        value = describe_value(step, answer.value, member.locale, _, names)  # type: ignore[arg-type]
        lines.append(f"{number}. {pick(step.text, member.locale)}\n   → {value}")
        if not engine.ticks(step):  # several ticks are not changed one tap at a time
            buttons.append(InlineKeyboardButton(str(number), callback_data=callbacks.edit(checkin.id, step.id)))
    markup = None
    if _editable(svc, checkin):
        lines.append("")
        lines.append(_change_hint(svc, member, checkin, _))
        markup = InlineKeyboardMarkup([buttons[i:i + _PER_ROW] for i in range(0, len(buttons), _PER_ROW)])
    else:
        lines.append("")
        lines.append(_("The round has closed, so these answers can no longer be changed."))
    chat = update.effective_chat
    if chat is not None:
        await chat.send_message("\n".join(lines), reply_markup=markup)


def _change_hint(svc: Services, member: Membership, checkin: Checkin, _: Gettext) -> str:
    current = get_round(svc.db, checkin.round_id) if checkin.round_id else None
    if current is None:
        return _("Tap a number to change that answer.")
    schedule = schedule_of(svc.db, member.network_id)
    return _("Tap a number to change that answer (possible until {date}, the end of the round for {month}).").format(
        date=local_day(schedule, current.closes_at, member.locale),
        month=month_name(current.period, member.locale))


async def _own_editable(update: Update, svc: Services, checkin_id: int | None,
                        _: Gettext) -> tuple[Membership, Checkin] | None:
    """The member and check-in behind a change button (None: malformed data), or None after a polite refusal."""
    if checkin_id is None:
        await refuse_callback(update, _("This button is no longer valid."))
        return None
    member = member_of(update, svc)
    checkin = get_checkin(svc.db, checkin_id)
    if checkin is None:
        await refuse_callback(update, _("This button is no longer valid."))
        return None
    if member is None or checkin.membership_id != member.id:
        log_refusal(update, member)
        await refuse_callback(update, _("This button is not meant for you."))
        return None
    if not _editable(svc, checkin):
        await refuse_callback(update, _("The round has closed, so these answers can no longer be changed."))
        return None
    return member, checkin


async def on_edit_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A number under /answers: ask that question again, with buttons that change the answer."""
    svc, _ = translator(update, context)
    query = update.callback_query
    data = callbacks.parse_edit(query.data or "") if query else None
    found = await _own_editable(update, svc, data.checkin_id if data else None, _)
    if query is None or data is None or found is None:
        return
    member, checkin = found
    script = svc.scripts.version(checkin.script_id, checkin.script_version)
    if data.step_id not in DialogState.from_json(checkin.state).answers or engine.ticks(script.step(data.step_id)):
        await refuse_callback(update, _("This button is no longer valid."))
        return
    await query.answer()
    view = render_step(script, data.step_id, member.locale, _, 1)
    text = view.text.split("\n", 1)[1] if "\n" in view.text else view.text  # without "Question 1"
    rows = [[InlineKeyboardButton(b.label, callback_data=callbacks.answer(checkin.id, data.step_id, b.value, True))
             for b in row if b.value != engine.SKIP] for row in view.buttons]
    rows = [row for row in rows if row]
    set_editing(svc.db, checkin.id, data.step_id if view.expects_text else None)
    if view.expects_text:
        text += "\n\n" + _("Send your new answer as a message.")
    chat = update.effective_chat
    if chat is not None:
        await chat.send_message(text, reply_markup=InlineKeyboardMarkup(rows) if rows else None)


async def on_revise_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A new answer tapped for an earlier question."""
    svc, _ = translator(update, context)
    query = update.callback_query
    data = callbacks.parse_answer(query.data or "") if query else None
    found = await _own_editable(update, svc, data.checkin_id if data else None, _)
    if query is None or data is None or found is None:
        return
    member, checkin = found
    if await revise(update, svc, member, checkin, data.step_id, Press(data.value), _):
        with suppress(BadRequest):  # the second tap of a double tap finds the buttons gone already
            await query.edit_message_reply_markup(None)


async def revise(update: Update, svc: Services, member: Membership, checkin: Checkin, step_id: str, given: Input,
                 _: Gettext) -> bool:
    """Store a changed answer as a new revision and confirm it; False (with a reason told) if it was not taken."""
    script = svc.scripts.version(checkin.script_id, checkin.script_version)
    outcome = engine.revise(script, DialogState.from_json(checkin.state), step_id, given)
    if isinstance(outcome, Rejected):
        if (refusal := text_refusal(outcome, _)) is not None:
            await say(update, refusal)
        else:
            await refuse_callback(update, _("This button is no longer valid."))
        return False
    step = script.step(step_id)
    if update.callback_query is not None and DialogState.from_json(checkin.state).answers.get(step_id) == outcome.value:
        # The answer it already is (the second tap of a double tap): no new revision, nothing to say twice.
        await update.callback_query.answer(_("Changed."))
        return True
    record = StepRecord(step.id, step.kind, step.factor, True, outcome.value, outcome.state.to_json(), False,
                        risk=step.risk)
    if not revise_answer(svc.db, checkin, record, svc.clock()):
        await refuse_callback(update, _("This question has already been answered."))
        return False
    if update.callback_query is not None:
        await update.callback_query.answer(_("Changed."))
    await say(update, _("Changed. Your new answer: {answer}").format(
        answer=describe_value(step, outcome.value, member.locale, _)))
    return True


async def typed_revision(update: Update, svc: Services, member: Membership, _: Gettext) -> bool:
    """If the partner is changing a text answer, take this message as the new answer; True if it was meant so."""
    message = update.effective_message
    checkin = latest_checkin(svc.db, member.id)
    if message is None or message.text is None or checkin is None or checkin.editing_step is None:
        return False
    if not _editable(svc, checkin):
        set_editing(svc.db, checkin.id, None)
        return False
    await revise(update, svc, member, checkin, checkin.editing_step, Typed(message.text), _)
    return True
