"""Who is in the network, the coordinator's side: /invites (revoke), /handover, /remove a partner."""

from __future__ import annotations

import logging
from datetime import datetime

from babel.dates import format_date
from telegram import BotCommandScopeChat, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.i18n import Gettext
from bot.services import Services
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from bot.telegram.handlers.common import edit_tapped, log_refusal, refuse_callback, say
from bot.telegram.handlers.contact_change import on_successor_invite
from bot.telegram.handlers.coordinator import invite_message
from bot.telegram.handlers.kinds import offer_kinds, offer_organisations, record_kind
from bot.usecases.access import (
    OpenInvite,
    handover_invite,
    invites_of,
    organisation_in,
    partners_of,
    take_out,
    withdraw_invite,
)
from bot.usecases.identity import Membership

log = logging.getLogger(__name__)
MAX_BUTTON_LABEL = 40


def _short(text: str) -> str:
    return text if len(text) <= MAX_BUTTON_LABEL else text[: MAX_BUTTON_LABEL - 1] + "…"


def _invites_view(svc: Services, member: Membership, locale: str,
                  _: Gettext) -> tuple[str, InlineKeyboardMarkup | None]:
    invites = invites_of(svc.db, member.network_id, svc.clock())
    if not invites:
        return _("No open invite links. /invite <organisation name> makes one."), None
    lines = [_("Open invite links of \"{network}\" (tap one to withdraw it):").format(network=member.network_name)]
    rows = []
    for invite in invites:
        label = _invite_label(invite, _)
        until = format_date(datetime.fromisoformat(invite.expires_at), format="medium", locale=locale)
        lines.append(_("• {who}, valid until {date}").format(who=label, date=until))
        rows.append([InlineKeyboardButton("✕ " + _short(label),
                                          callback_data=callbacks.AccessAction("revoke", invite.id).pack())])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def _invite_label(invite: OpenInvite, _: Gettext) -> str:
    if invite.handover:
        return _("handover to a new coordinator")
    if invite.role == "coordinator":
        return _("coordinator")
    return invite.organisation or "?"


async def invites_command(update: Update, context: BotContext) -> None:
    """/invites: the network's open invite links, each with a button that withdraws it."""
    chat = update.effective_chat
    if chat is None:
        return
    text, markup = _invites_view(context.svc, context.known_member, context.locale, context._)
    await chat.send_message(text, reply_markup=markup)


async def handover_command(update: Update, context: BotContext) -> None:
    """/handover: a one-time link for the successor; the coordinator's role ends when they join."""
    svc, _, member = context.svc, context._, context.known_member
    invite = handover_invite(svc.db, member, svc.clock(), svc.settings.invite_ttl_days)
    link = invite_message(svc, _("your successor"), invite.token, invite.expires_at, context.locale, _)
    await say(update, "\n\n".join([link, _("When your successor opens it and agrees, they coordinate \"{network}\" "
                                          "and your role ends. /invites withdraws the link.").format(
        network=member.network_name)]))


async def remove_command(update: Update, context: BotContext) -> None:
    """/remove: choose a partner organisation to take out of the network (a confirmation follows)."""
    svc, _, member, chat = context.svc, context._, context.known_member, update.effective_chat
    if chat is None:
        return
    rows = partners_of(svc.db, member.network_id, svc.clock())
    if not rows:
        await say(update, _("No partner organisations yet."))
        return
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(
        _short(row.name), callback_data=callbacks.AccessAction("remove", row.organisation_id).pack())] for row in rows])
    await chat.send_message(_("Which partner organisation should leave the network?"), reply_markup=keyboard)


async def on_access_button(update: Update, context: BotContext) -> None:
    """Withdraw an invite; choose, confirm or cancel removing a partner; correct an organisation's kind; invite the
    successor of a contact person who stepped down (coordinators of that network only)."""
    svc, _, member, query = context.svc, context._, context.known_member, update.callback_query
    data = callbacks.Access.unpack(query.data or "") if query else None
    if query is None:
        return
    match data:
        case None:
            log_refusal(update, member)
            await refuse_callback(update, _("This button is no longer valid."))
        case callbacks.AccessAction(action="revoke", target=invite_id):
            done = withdraw_invite(svc.db, member.network_id, invite_id, svc.clock())
            if not done:  # used, expired, already withdrawn, or another network's
                log_refusal(update, member)
            text, markup = _invites_view(svc, member, context.locale, _)
            await edit_tapped(update, text, markup)
            await query.answer(_("The link has been withdrawn.") if done else _("This link is no longer open."))
        case callbacks.AccessKinds():
            await offer_organisations(update, svc, member, _)
        case callbacks.AccessAction(action="kind", target=organisation_id):
            await offer_kinds(update, svc, member, organisation_id, _)
            await query.answer()
        case callbacks.AccessSetKind(target=organisation_id, kind=kind):
            await record_kind(update, svc, member, organisation_id, kind, _)
            await query.answer()
        case callbacks.AccessAction(action="successor", target=handover_id):
            await on_successor_invite(update, context, handover_id)
        case callbacks.AccessAction(action=action, target=organisation_id):
            await _removal_step(update, svc, member, action, organisation_id, _)
            await query.answer()  # last: the tap is done once its change is stored and shown
        case callbacks.AccessCancel():
            await edit_tapped(update, _("Nothing was changed."))
            await query.answer()


async def _removal_step(update: Update, svc: Services, member: Membership, action: str, organisation_id: int,
                        _: Gettext) -> None:
    """Removing a partner: the confirmation question, or taking the partner out."""
    name = organisation_in(svc.db, member.network_id, organisation_id)
    if name is None:  # removed meanwhile, or another network's
        log_refusal(update, member)
        await edit_tapped(update, _("This organisation is no longer in the network."))
    elif action == "remove":
        keyboard = InlineKeyboardMarkup([[
            InlineKeyboardButton(_("Yes, remove"),
                                 callback_data=callbacks.AccessAction("removeok", organisation_id).pack()),
            InlineKeyboardButton(_("No"), callback_data=callbacks.AccessCancel().pack()),
        ]])
        await edit_tapped(update, _("Remove {organisation} from \"{network}\"? Its contact person gets no more "
                                    "check-ins and is told; its earlier answers stay in the results.").format(
            organisation=name, network=member.network_name), keyboard)
    else:
        contact = take_out(svc.db, member.network_id, organisation_id, svc.clock())
        log.info("a coordinator removed a partner organisation")
        await edit_tapped(update, _("{organisation} has left the network. /invite {organisation} takes it back "
                                    "in.").format(organisation=name))
        if contact is not None:
            await _tell_removed(update, svc, contact)


async def _tell_removed(update: Update, svc: Services, contact: Membership) -> None:
    """The removed contact person learns it, in their language, and loses the partner menu."""
    bot = update.get_bot()
    _ = svc.tr(contact.locale)
    try:
        await bot.send_message(contact.user_id, _(
            "The coordination of \"{network}\" has taken {organisation} out of the network, so you get no more "
            "check-ins. Thank you for taking part! /mydata shows what is stored about you, /delete erases it.").format(
            network=contact.network_name, organisation=contact.organisation_name))
        await bot.delete_my_commands(scope=BotCommandScopeChat(contact.user_id))
    except TelegramError:
        log.info("a removed contact person could not be told (blocked or gone)")

