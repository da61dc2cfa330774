"""A member of several networks: which one a command is for (asked with buttons), and /network to switch."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.i18n import Gettext
from bot.telegram import callbacks, roles
from bot.telegram.context import BotContext
from bot.telegram.handlers.common import edit_tapped, log_refusal, refuse_callback, say
from bot.usecases.acting import own_membership
from bot.usecases.identity import Membership


def network_label(member: Membership, _: Gettext) -> str:
    """A membership as a button names it: the network, and the role there."""
    role = _("coordination") if member.role == "coordinator" else member.organisation_name or _("partner")
    return _("{network} ({role})").format(network=member.network_name, role=role)


def _keyboard(members: list[Membership], command: str, resend: bool, current: Membership | None,
              _: Gettext) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        ("✓ " if member == current else "") + network_label(member, _),
        callback_data=callbacks.NetworkChoice(member.id, command, resend).pack())] for member in members])


async def ask_network(update: Update, context: BotContext, members: list[Membership], command: str) -> None:
    """Ask a member of several networks which one `command` is for."""
    _ = context._
    chat = update.effective_chat
    if chat is None:
        return
    text = _("You are in several networks. Which one is /{command} for? I'll remember it; /network switches.").format(
        command=command)
    await chat.send_message(text, reply_markup=_keyboard(members, command, bool(context.args), None, _))


async def network_command(update: Update, context: BotContext) -> None:
    """/network: the networks the person is in, the current one marked; a tap switches."""
    _ = context._
    members = list(context.identity.memberships)
    chat = update.effective_chat
    if chat is None:
        return
    if len(members) == 1:
        await say(update, _("You are in one network: {network}.").format(network=network_label(members[0], _)))
        return
    current = context.identity.member
    text = _("Your networks. Commands and typed answers go to the one you choose; buttons under a message always act "
             "in the network that message is from.")
    if current is not None:
        text += "\n\n" + _("Now: {network}").format(network=network_label(current, _))
    await chat.send_message(text, reply_markup=_keyboard(members, "network", False, current, _))


async def on_network_choice(update: Update, context: BotContext) -> None:
    """A tapped network: act in it from now on, then run the command it was asked for (or ask to send it again)."""
    _ = context._
    query = update.callback_query
    data = callbacks.NetworkChoice.unpack(query.data or "") if query else None
    member = own_membership(context.svc.db, context.identity.user_id, data.membership_id) if data else None
    if query is None:
        return
    if data is None or member is None or (data.command != "network" and data.command not in roles.GUARDED):
        log_refusal(update, context.member)
        await refuse_callback(update, _("This button is no longer valid."))
        return
    context.act_in(member)
    await query.answer()
    await edit_tapped(update, _("Network: {network}").format(network=network_label(member, _)))
    if data.resend:
        await say(update, _("Please send /{command} again, with what you wrote after it.").format(
            command=data.command))
    elif data.command != "network":
        await roles.GUARDED[data.command](update, context)
