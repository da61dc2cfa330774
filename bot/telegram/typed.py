"""Typed text: bot.usecases.typed says which dialog waits for it; this hands it there, or answers with a hint."""

from __future__ import annotations

from telegram import Update

from bot.core.user_text import one_line
from bot.telegram.context import BotContext
from bot.telegram.handlers import answers, checkin, coaching, contact_change, goals, scripts_preview
from bot.telegram.handlers.common import say
from bot.usecases import coaching as coaching_usecase
from bot.usecases.checkin import CheckinDialog
from bot.usecases.typed import waiting_for


async def on_typed(update: Update, context: BotContext) -> None:
    """A typed message: the answer to whichever dialog waits for this person's text, or a friendly hint."""
    svc, _ = context.svc, context._
    message, user = update.effective_message, update.effective_user
    if message is None or message.text is None or user is None:
        return
    text, now = one_line(message.text), svc.clock()  # every free text is stored and shown on one line
    waiting = waiting_for(svc.db, user.id, scripts_preview.may_preview(context), now)
    if waiting.purpose == "preview" and waiting.draft is not None:
        await scripts_preview.answer_typed(update, context, waiting.draft, text)
    elif waiting.purpose == "successor" and waiting.handover is not None:
        await contact_change.successor_typed(update, svc, waiting.handover, text, _)
    elif waiting.purpose == "goal" and waiting.member is not None:
        await goals.goal_typed(update, svc, waiting.member, text, _)
    elif waiting.purpose == "coaching" and waiting.member is not None and waiting.session is not None:
        found = coaching_usecase.CoachingDialog(svc.db, svc.scripts, svc.tips, now, waiting.member, waiting.session)
        await coaching.answer_typed(update, svc, found, text, _)
    elif waiting.purpose == "note" and waiting.member is not None \
            and await coaching.note_typed(update, svc, waiting.member, text, _):
        pass
    elif waiting.purpose == "revision" and waiting.member is not None and waiting.checkin is not None:
        await answers.answer_typed(update, svc, waiting.member, waiting.checkin, text, _)
    elif waiting.purpose == "checkin" and waiting.member is not None and waiting.checkin is not None:
        found_checkin = CheckinDialog(svc.db, svc.scripts, svc.tr, now, waiting.member, waiting.checkin)
        await checkin.answer_typed(update, svc, found_checkin, text, _)
    else:
        await say(update, _("I wasn't expecting a message right now. /help shows what I can do."))
