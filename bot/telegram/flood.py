"""The one notice a chat gets when it sends messages faster than the bot may answer (see update_order.py)."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.telegram.context import BotContext


async def ask_to_slow_down(application: Application[Any, Any, Any, Any, Any, Any], update: Update) -> None:
    """Tell the person, in their language, that only their latest message will be answered, and to write slower."""
    chat = update.effective_chat
    if chat is None:
        return
    context = BotContext.from_update(update, application)
    if not context.ready:
        return
    _ = context._
    await application.bot.send_message(chat.id, _(
        "Please slow down a little: you are writing faster than I can answer. I am skipping the messages you have "
        "just sent and will answer only your latest one, as soon as you pause for a moment."))
