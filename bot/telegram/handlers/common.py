"""Small helpers shared by the handlers: safe replies and refusals, logged without personal data."""

from __future__ import annotations

import logging
import re

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.usecases.identity import Membership

log = logging.getLogger(__name__)
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{1,64})?")  # Telegram's command syntax


async def say(update: Update, text: str) -> None:
    """Send a plain text message to the chat the update came from."""
    chat = update.effective_chat
    if chat is not None:
        await chat.get_bot().send_message(chat.id, text)


async def refuse_callback(update: Update, text: str) -> None:
    """Answer a button tap with a short notice and nothing else."""
    query = update.callback_query
    if query is not None:
        await query.answer(text, show_alert=False)


def command_of(text: str | None) -> str | None:
    """The command a message starts with, lower-case and without "/" or "@botname"; None if it starts with none."""
    first = (text or "").split(maxsplit=1)[:1]
    if not first or not _COMMAND.fullmatch(first[0]):
        return None
    return first[0][1:].split("@")[0].lower()


def log_refusal(update: Update, member: Membership | None) -> None:
    """Log what was refused and the sender's role, never who: no ids, names or message texts."""
    query, message = update.callback_query, update.effective_message
    if query is not None:
        what = "button " + (query.data or "").split(":", 1)[0][:4]
    elif message is not None and (command := command_of(message.text)) is not None:
        what = "/" + command  # a command's name: never what someone typed after it
    else:
        what = "message"
    log.info("refused %s for a %s", what, member.role if member else "stranger")


async def edit_tapped(update: Update, text: str | None, markup: InlineKeyboardMarkup | None = None,
                      parse_mode: str | None = None) -> None:
    """Replace the tapped message's text (None: only its buttons; `parse_mode` "HTML" for Telegram HTML); a forged or
    repeated tap on a message that already shows it changes nothing instead of failing with "message is not
    modified"."""
    query = update.callback_query
    if query is None:
        return
    try:
        if text is None:
            await query.edit_message_reply_markup(markup)
        else:
            await query.edit_message_text(text, reply_markup=markup, parse_mode=parse_mode)
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise
