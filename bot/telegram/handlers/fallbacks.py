"""Answers for everything else: /help, unknown commands, stickers and photos, edited messages, errors."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, NetworkError, TelegramError

from bot.core.error_reports import ErrorReports
from bot.core.limits import cut
from bot.i18n import DEFAULT_LOCALE
from bot.services import Services, wall_clock
from bot.telegram.context import SERVICES_KEY, BotContext
from bot.telegram.handlers.common import say
from bot.telegram.handlers.menus import help_text, menu_role
from bot.usecases.identity import locale_of_user

log = logging.getLogger(__name__)

_ERROR_REPORTS_KEY = "error_reports"
COMMAND_ECHO = 40  # characters of an unknown command said back: the rest is the sender's, and may be anything


async def help_command(update: Update, context: BotContext) -> None:
    """/help: what this person's role can do."""
    await say(update, help_text(menu_role(context.identity.memberships), context.is_admin, context._))


async def unknown_command(update: Update, context: BotContext) -> None:
    """A command we do not have."""
    _ = context._
    text = update.effective_message.text if update.effective_message else ""
    command = cut((text or "").split()[0].split("@")[0] if text else "/", COMMAND_ECHO)
    await say(update, _("I don't know the command {command}. /help shows what I can do.").format(command=command))


async def unsupported_content(update: Update, context: BotContext) -> None:
    """Stickers, photos, voice notes, locations and the like."""
    await say(update, context._("Sorry, I can only read text messages and button taps. Please answer with the buttons "
                        "or a short text."))


async def edited_message(update: Update, context: BotContext) -> None:
    """An edited message: edits are not taken over; the original answer stays."""
    await say(update, context._("I saw that you edited a message. Edits are not taken over: what you sent first is "
                        "kept."))


async def on_error(update: object, context: BotContext) -> None:
    """Log the error, tell the admins (without personal data) and apologise to the user."""
    kind = type(context.error).__name__ if context.error else "unknown"
    update_id = update.update_id if isinstance(update, Update) else None
    if _about_an_old_message(context.error):
        # Telegram refused to change how a message looks: it already looks so (the second tap of a double tap
        # handled the same way as the first) or it cannot be edited (a forged tap). Nothing is lost; no alarm.
        log.warning("%s while handling update %s: %s", kind, update_id, context.error)
        return
    if update is None and isinstance(context.error, NetworkError):
        # A passing fault between us and Telegram outside any update (a failed getUpdates, say): PTB tries again
        # by itself and nothing was lost, so it is no alarm; a lasting outage leaves one warning per try.
        log.warning("passing network fault outside an update: %s: %s", kind, context.error)
        return
    log.error("error %s while handling update %s", kind, update_id, exc_info=context.error)
    svc = context.bot_data.get(SERVICES_KEY)
    if not isinstance(svc, Services):
        return
    if count := _reports(context.bot_data).report(kind, wall_clock(svc.clock)()):
        await _tell_admins(context, svc, kind, update_id, count)
    if isinstance(update, Update) and update.effective_chat is not None:
        _ = context._ if isinstance(context, BotContext) else svc.tr(DEFAULT_LOCALE)
        try:
            await say(update, _("Something went wrong on my side. What you answered so far is saved; "
                                "please try again in a moment."))
        except TelegramError:
            log.warning("could not tell the user about %s", kind)


_EDIT_REFUSALS = ("message is not modified", "message to edit not found", "message can't be edited")


def _about_an_old_message(error: object) -> bool:
    """Whether Telegram only refused an edit of a message that already looks right or cannot be changed."""
    return isinstance(error, BadRequest) and any(part in str(error).lower() for part in _EDIT_REFUSALS)


def _reports(bot_data: dict[str, object]) -> ErrorReports:
    """The process's record of what the admins were told (one report per kind of error per hour)."""
    reports = bot_data.setdefault(_ERROR_REPORTS_KEY, ErrorReports())
    assert isinstance(reports, ErrorReports)
    return reports


async def _tell_admins(context: BotContext, svc: Services, kind: str, update_id: int | None, count: int) -> None:
    for admin in sorted(svc.settings.admins):
        locale = locale_of_user(svc.db, admin)
        _, ngettext = svc.tr(locale), svc.catalogs.ngettext(locale)
        text = _("Netzpuls error: {kind} while handling update {update}. Details are in the log.").format(
            kind=kind, update=update_id)
        if count > 1:
            text += " " + ngettext(
                "{count} error of this kind since the last report (at most one report per kind and hour).",
                "{count} errors of this kind since the last report (at most one report per kind and hour).",
                count).format(count=count)
        try:
            await context.bot.send_message(admin, text)
        except TelegramError:
            log.warning("could not notify an admin about %s", kind)
