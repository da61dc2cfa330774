"""Telegram's command menu per role and language, and the matching /help texts."""

from __future__ import annotations

import logging
from collections.abc import Collection

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault, Update
from telegram.error import TelegramError

from bot.i18n import LOCALES, Gettext
from bot.services import Services
from bot.usecases.identity import Membership

log = logging.getLogger(__name__)


def menu_role(memberships: Collection[Membership]) -> str | None:
    """The menu a person's memberships call for: "partner", "coordinator", "both" (partner in one network and
    coordinator in another), "partners" or "coordinators" (the same role in several networks); None for strangers."""
    found = {m.role for m in memberships}
    if len(found) == 2:
        return "both"
    role = next(iter(found), None)
    return None if role is None else role + ("s" if len(memberships) > 1 else "")


def command_list(role: str | None, _: Gettext) -> list[tuple[str, str]]:
    """The (command, description) pairs a role (as menu_role names it) can use."""
    common = [("help", _("What I can do for you"))]
    if role in ("both", "partners", "coordinators"):
        common.insert(0, ("network", _("Choose which of your networks commands are for")))
    rights = [("mydata", _("Everything stored about you, as a file")),
              ("delete", _("Erase your personal data")),
              ("leave", _("Leave the network"))]
    partner = [("checkin", _("Start or continue the monthly check-in")),
               ("answers", _("See and change your answers")),
               ("pause", _("Pause check-ins, e.g. during holidays"))]
    if role == "both":
        coordination = command_list("coordinator", _)
        return partner + [pair for pair in coordination if pair[0] != "help"] + common
    if role in ("partner", "partners"):
        return [("checkin", _("Start or continue the monthly check-in")),
                ("answers", _("See and change your answers")),
                ("pause", _("Pause check-ins, e.g. during holidays")),
                ("language", _("Change the language")), *rights, *common]
    if role in ("coordinator", "coordinators"):
        return [("invite", _("Invite link for a partner organisation")),
                ("partners", _("Partners and whether they have joined")),
                ("invites", _("Open invite links; withdraw one")),
                ("remove", _("Take a partner organisation out of the network")),
                ("handover", _("Hand the coordinator role to your successor")),
                ("digest", _("The newest round's overview, warnings and chart")),
                ("privacy", _("Whether the overview names who answered what")),
                ("coach", _("Choose one step for the next network meeting")),
                ("actions", _("Your steps and how they went")),
                ("notes", _("The partners' free texts by success factor and by round")),
                ("goals", _("The partners' goals beside the network goal")),
                ("export", _("The network's answers as CSV and Excel file")),
                ("report", _("A report of up to a year to share, as a PDF")),
                ("settings", _("When rounds open, remind and close")),
                ("scripts", _("See, change and roll back the check-in questions")),
                ("language", _("Change the language")), *rights, *common]
    return [("start", _("Start Netzpuls with your invite link")), *rights[:2], *common]


def help_text(role: str | None, is_admin: bool, _: Gettext) -> str:
    """The /help text of a role (as menu_role names it)."""
    if role == "both":
        intro = _("You coordinate one network and take part in another's monthly check-in. /network shows which "
                  "network your commands are for.")
    elif role in ("partners", "coordinators"):
        intro = _("You are in several networks. Commands are for the network you chose last; /network switches, "
                  "and I ask when it is not clear.")
    elif role == "partner":
        intro = _("You take part in the network's monthly check-in. About two minutes a month, mostly buttons.")
    elif role == "coordinator":
        intro = _(
            "You coordinate the network. Invite each partner organisation with its own link; "
            "the partners then answer a short monthly check-in."
        )
    else:
        intro = _(
            "Netzpuls helps cooperation networks in social services stay healthy: partners answer a short "
            "monthly check-in, and the network coordination gets an overview and early warnings. "
            "To take part you need an invite link from your network coordination."
        )
    lines = [intro, ""]
    for command, description in command_list(role, _):
        usage = _("/invite <organisation name>") if command == "invite" else f"/{command}"
        lines.append(f"{usage} – {description}")
    if is_admin:
        lines += ["", _("As an admin you receive error reports. New networks are created on the server with: "
                        "python -m bot network create \"Name\"")]
        if role not in ("coordinator", "coordinators", "both"):
            lines.append(_("/scripts – see, change and roll back the check-in questions of every network"))
    return "\n".join(lines)


async def set_default_menus(bot: Bot, svc: Services) -> None:
    """The menu of people who have not joined yet, in German by default and per language."""
    for locale in LOCALES:
        commands = [BotCommand(c, d) for c, d in command_list(None, svc.tr(locale))]
        await bot.set_my_commands(commands, scope=BotCommandScopeDefault(), language_code=locale)
    german = [BotCommand(c, d) for c, d in command_list(None, svc.tr("de"))]
    await bot.set_my_commands(german, scope=BotCommandScopeDefault())


async def set_chat_menu(bot: Bot, svc: Services, chat_id: int, role: str | None, locale: str) -> None:
    """The menu of one member's chat, for their role (as menu_role names it), in their language."""
    commands = [BotCommand(c, d) for c, d in command_list(role, svc.tr(locale))]
    await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))


async def drop_chat_menu(update: Update) -> None:
    """The chat's own command menu goes; the default menu (for people who have not joined) shows again."""
    chat = update.effective_chat
    if chat is not None:
        try:
            await chat.get_bot().delete_my_commands(scope=BotCommandScopeChat(chat.id))
        except TelegramError:
            log.warning("could not reset a chat's command menu")
