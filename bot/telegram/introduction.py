"""The bot introduces itself: its description (shown in an empty chat, "What can this bot do?") and its short
description (its profile page, and links shared to it), per language and by default in German. Set at start, and only
where Telegram has another text, so an unchanged text costs a look and no change."""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import TelegramError

from bot.i18n import DEFAULT_LOCALE, LOCALES, Catalogs, Gettext

log = logging.getLogger(__name__)

DESCRIPTION_LIMIT = 512  # characters Telegram takes for a description
SHORT_DESCRIPTION_LIMIT = 120  # and for a short description


def description(_: Gettext) -> str:
    """What Netzpuls does for partners and coordinators, and how to take part (at most DESCRIPTION_LIMIT)."""
    return _("Netzpuls keeps cooperation networks in social services healthy. Once a month each partner organisation "
             "answers a short check-in (about two minutes, mostly buttons) on shared goals, benefit and reliability. "
             "The network coordination gets an overview, early warnings and ideas for the next step.\n\n"
             "To take part you need an invite link from your network coordination.")


def short_description(_: Gettext) -> str:
    """Netzpuls in one line (at most SHORT_DESCRIPTION_LIMIT)."""
    return _("A two-minute monthly check-in for cooperation networks in social services: overview and early warnings.")


def languages() -> list[tuple[str | None, str]]:
    """(Telegram's language_code, our locale) of each text: the default (for every other language) in German, then
    one per language."""
    return [(None, DEFAULT_LOCALE), *((locale, locale) for locale in LOCALES)]


async def introduce(bot: Bot, catalogs: Catalogs) -> int:
    """Set the description and short description of each language where Telegram has another text; how many were
    set. A failure is logged in one line and stops nothing (the bot works without them)."""
    changed = 0
    try:
        for code, locale in languages():
            _ = catalogs.gettext(locale)
            text = description(_)
            if (await bot.get_my_description(language_code=code)).description != text:
                await bot.set_my_description(text, language_code=code)
                changed += 1
            short = short_description(_)
            if (await bot.get_my_short_description(language_code=code)).short_description != short:
                await bot.set_my_short_description(short, language_code=code)
                changed += 1
    except TelegramError as error:
        log.warning("could not set the bot's description (it works without): %s", error)
    return changed
