"""The buttons under a finished check-in's closing message: give the onboarding or exit answers to the coordination
by name, let one free text of an anonymous round be quoted with the organisation's name, or change the answers
while the round is open (bot/telegram/handlers/answers.py)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot.core.partner_news import quote_button, share_button
from bot.i18n import Gettext
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from bot.telegram.handlers.common import log_refusal, refuse_callback
from bot.usecases import partner_news as usecase
from bot.usecases.partner_news import Closing


def closing_keyboard(closing: Closing | None, _: Gettext) -> InlineKeyboardMarkup | None:
    """What the closing message offers: to give the answers by name, or one button per free text to quote it and
    "Change answers" while the round is open."""
    if closing is None:
        return None
    if closing.share is not None:
        return InlineKeyboardMarkup([[InlineKeyboardButton(
            share_button(False, _), callback_data=callbacks.ShareAnswers(closing.share).pack())]])
    rows = [[InlineKeyboardButton(quote_button(answer.text, False, _),
                                  callback_data=callbacks.QuoteNamed(answer.answer_id).pack())]
            for answer in closing.quotes]
    if closing.change is not None:
        rows.append([InlineKeyboardButton(_("Change answers"),
                                          callback_data=callbacks.ShowAnswers(closing.change).pack())])
    return InlineKeyboardMarkup(rows) if rows else None


async def _mark_done(update: Update, label: str) -> None:
    """The tapped button shows that it was done (the others under the message stay as they are)."""
    query = update.callback_query
    message = query.message if query is not None else None
    if query is None or not isinstance(message, Message) or message.reply_markup is None:
        return
    rows = [[InlineKeyboardButton(label if button.callback_data == query.data else button.text,
                                  callback_data=button.callback_data) for button in row]
            for row in message.reply_markup.inline_keyboard]
    try:
        await query.edit_message_reply_markup(InlineKeyboardMarkup(rows))
    except BadRequest as error:  # a second tap finds it done already
        if "not modified" not in str(error).lower():
            raise


async def on_share_button(update: Update, context: BotContext) -> None:
    """A tap on "Share my answers with the coordinator by name": queue them to the coordinators (once)."""
    svc, _ = context.svc, context._
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    data = callbacks.ShareAnswers.unpack(query.data or "")
    shared = "refused" if data is None else usecase.share_by_name(svc.db, svc.scripts, svc.tr, data.checkin_id,
                                                                   user.id, svc.clock())
    if shared == "refused":
        log_refusal(update, context.member)
        await refuse_callback(update, _("This button is no longer valid."))
        return
    svc.wake_sender()
    await _mark_done(update, share_button(True, _))
    await query.answer(_("Done: the coordination gets your answers with your name.") if shared == "shared"
                       else _("The coordination already has your answers with your name."))


async def on_quote_button(update: Update, context: BotContext) -> None:
    """A tap on "Quote with our name: …": that answer may now be quoted with the organisation's name."""
    svc, _ = context.svc, context._
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    data = callbacks.QuoteNamed.unpack(query.data or "")
    answer = None if data is None else usecase.allow_quote(svc.db, data.answer_id, user.id)
    if answer is None:  # forged, someone else's, revised or erased since: as any stale button
        log_refusal(update, context.member)
        await refuse_callback(update, _("This button is no longer valid."))
        return
    await _mark_done(update, quote_button(answer.text, True, _))
    await query.answer(_("Done: this answer may be quoted with your organisation's name."))
