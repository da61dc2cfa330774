"""Small helpers shared by the handlers: services, the user's locale and membership, safe replies."""

from __future__ import annotations

import logging
import re

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.i18n import Gettext
from bot.services import Services
from bot.telegram.context import SERVICES_KEY as SERVICES_KEY
from bot.telegram.context import BotContext
from bot.usecases.identity import Identity, Membership, identify

log = logging.getLogger(__name__)
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{1,64})?")  # Telegram's command syntax


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    """The Services object stored in bot_data at start."""
    found = context.bot_data[SERVICES_KEY]
    assert isinstance(found, Services)
    return found


def _identity(update: Update, svc: Services) -> Identity:
    user = update.effective_user
    return identify(svc.db, user.id if user else None, user.language_code if user else None, svc.settings.admins)


def locale_of(update: Update, svc: Services) -> str:
    """The user's chosen language if registered, else their Telegram language, else German (BotContext.locale)."""
    return _identity(update, svc).locale


def member_of(update: Update, svc: Services) -> Membership | None:
    """The active membership of the user behind the update (BotContext.member: once per update)."""
    return _identity(update, svc).member


def translator(update: Update, context: ContextTypes.DEFAULT_TYPE) -> tuple[Services, Gettext]:
    """Services and the gettext function in the user's language (BotContext.svc and BotContext._)."""
    if isinstance(context, BotContext):
        return context.svc, context._
    svc = services(context)
    return svc, svc.tr(locale_of(update, svc))


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


async def edit_tapped(update: Update, text: str | None, markup: InlineKeyboardMarkup | None = None) -> None:
    """Replace the tapped message's text (None: only its buttons); a forged or repeated tap on a message that already
    shows it changes nothing instead of failing with "message is not modified"."""
    query = update.callback_query
    if query is None:
        return
    try:
        if text is None:
            await query.edit_message_reply_markup(markup)
        else:
            await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise
