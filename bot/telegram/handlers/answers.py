"""/answers: a partner sees their latest check-in's answers and changes them until the round closes."""

from __future__ import annotations

from contextlib import suppress

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.core.engine import Input, Press, Typed
from bot.i18n import Gettext
from bot.services import Services
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from bot.telegram.handlers.common import log_refusal, refuse_callback, say
from bot.usecases import answers as usecase
from bot.usecases.dialog import Refused
from bot.usecases.people import Membership

_PER_ROW = 4


async def answers_command(update: Update, context: BotContext) -> None:
    """/answers: list the latest check-in's answers, with a button per answer while they can change."""
    svc, _, member = context.svc, context._, context.known_member  # partners only (bot/telegram/roles.py)
    shown = usecase.overview(svc.db, svc.scripts, svc.clock(), member, _)
    if shown is None:
        await say(update, _("You have not answered a check-in yet. /checkin starts one."))
        return
    await _show(update, shown)


async def _show(update: Update, shown: usecase.Overview) -> None:
    """The answers as lines, with a button per answer while they can change."""
    buttons = [InlineKeyboardButton(number, callback_data=callbacks.EditAnswer(shown.checkin_id, step_id).pack())
               for number, step_id in shown.changeable]
    markup = InlineKeyboardMarkup([buttons[i:i + _PER_ROW] for i in range(0, len(buttons), _PER_ROW)]) \
        if shown.editable else None
    chat = update.effective_chat
    if chat is not None:
        await chat.send_message("\n".join(shown.lines), reply_markup=markup)


async def on_show_button(update: Update, context: BotContext) -> None:
    """"Change answers" under a finished check-in: what /answers shows, for that check-in."""
    svc, _ = context.svc, context._
    query, user = update.callback_query, update.effective_user
    data = callbacks.ShowAnswers.unpack(query.data or "") if query else None
    found = usecase.own_checkin(svc.db, user.id if user else None, data.checkin_id if data else None, _)
    if isinstance(found, Refused):
        if found.log:
            log_refusal(update, context.member)
        await refuse_callback(update, found.text)
        return
    member, checkin = found
    shown = usecase.overview_of(svc.db, svc.scripts, svc.clock(), member, checkin, _)
    if query is None or shown is None:
        await refuse_callback(update, _("This button is no longer valid."))
        return
    await query.answer()
    await _show(update, shown)


async def _own_editable(update: Update, context: BotContext,
                        checkin_id: int | None) -> tuple[Membership, usecase.Checkin] | None:
    """The member and check-in behind a change button, or None after a polite refusal."""
    member, _ = context.member, context._
    found = usecase.own_editable(context.svc.db, member, checkin_id, _)
    if isinstance(found, Refused) or member is None:
        refused = found if isinstance(found, Refused) else Refused(_("This button is not meant for you."), log=True)
        if refused.log:
            log_refusal(update, member)
        await refuse_callback(update, refused.text)
        return None
    return member, found


async def on_edit_button(update: Update, context: BotContext) -> None:
    """A number under /answers: ask that question again, with buttons that change the answer."""
    svc, _ = context.svc, context._
    query = update.callback_query
    data = callbacks.EditAnswer.unpack(query.data or "") if query else None
    found = await _own_editable(update, context, data.checkin_id if data else None)
    if query is None or data is None or found is None:
        return
    member, checkin = found
    question = usecase.ask_again(svc.db, svc.scripts, checkin, data.step_id, member.locale, _)
    if question is None:
        await refuse_callback(update, _("This button is no longer valid."))
        return
    await query.answer()
    rows = [[InlineKeyboardButton(b.label, callback_data=callbacks.Revise(checkin.id, data.step_id, b.value).pack())
             for b in row] for row in question.buttons]
    chat = update.effective_chat
    if chat is not None:
        await chat.send_message(question.text, reply_markup=InlineKeyboardMarkup(rows) if rows else None)


async def on_revise_button(update: Update, context: BotContext) -> None:
    """A new answer tapped for an earlier question."""
    svc, _ = context.svc, context._
    query = update.callback_query
    data = callbacks.Revise.unpack(query.data or "") if query else None
    found = await _own_editable(update, context, data.checkin_id if data else None)
    if query is None or data is None or found is None:
        return
    member, checkin = found
    if await revise(update, svc, member, checkin, data.step_id, Press(data.value), _):
        with suppress(BadRequest):  # the second tap of a double tap finds the buttons gone already
            await query.edit_message_reply_markup(None)


async def revise(update: Update, svc: Services, member: Membership, checkin: usecase.Checkin, step_id: str,
                 given: Input, _: Gettext) -> bool:
    """Store a changed answer as a new revision and confirm it; False (with a reason told) if it was not taken."""
    revised = usecase.revise(svc.db, svc.scripts, svc.clock(), member, checkin, step_id, given,
                             update.callback_query is not None, _)
    if revised.tap is not None:
        await refuse_callback(update, revised.tap)
    if revised.say is not None:
        await say(update, revised.say)
    return revised.taken


async def answer_typed(update: Update, svc: Services, member: Membership, checkin: usecase.Checkin, text: str,
                       _: Gettext) -> None:
    """A typed new answer to the text question being changed under /answers."""
    assert checkin.editing_step is not None
    await revise(update, svc, member, checkin, checkin.editing_step, Typed(text), _)
