"""A person's data protection rights in the chat: renewed consent, /mydata, /delete, /leave (with the exit check-in)."""

from __future__ import annotations

import json
import logging
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationHandlerStop

from bot.core.consent import ConsentTerms
from bot.i18n import Gettext
from bot.jobs.consent import renewal_buttons
from bot.jobs.maintenance import settle_now
from bot.services import Services
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from bot.telegram.handlers.checkin import begin_exit
from bot.telegram.handlers.common import command_of, edit_tapped, log_refusal, refuse_callback, say
from bot.telegram.handlers.menus import drop_chat_menu
from bot.telegram.handlers.rights_scoped import scope_keyboard
from bot.usecases import consent, rights
from bot.usecases.identity import Membership
from bot.usecases.people import exit_offer_member_of, queue_exit_offer

log = logging.getLogger(__name__)

# What a member may always do, also before agreeing to a new consent text.
_ALWAYS = frozenset({"mydata", "delete", "leave", "help"})


def _passes_gate(update: Update) -> bool:
    query = update.callback_query
    if query is not None:
        return any(re.match(kind.PATTERN, query.data or "") for kind in (callbacks.RightsAction, callbacks.RightsIn))
    message = update.message
    return command_of(message.text if message is not None else None) in _ALWAYS


async def consent_gate(update: Update, context: BotContext) -> None:
    """Before any handler: a member whose consent no longer covers taking part (a new text, or their network's
    privacy switched) is asked again; only rights pass."""
    if not context.ready or update.effective_user is None or _passes_gate(update):
        return
    svc = context.svc
    # A member of several networks may have agreed in one and not (yet) in another: the chosen one first.
    ordered = ([context.member] if context.member else []) + [m for m in context.identity.memberships
                                                                 if m != context.member]
    member = next((m for m in ordered if consent.consent_outdated(svc.db, m)), None)
    if member is None:
        return
    if member != context.member:
        context.act_in(member)  # "I agree" then agrees for the network it names
    _ = svc.tr(member.locale)
    log_refusal(update, member)
    if update.callback_query is not None:
        await refuse_callback(update, _("Please answer the question about the new consent text first."))
    await _ask_again(update, svc, member, _)
    raise ApplicationHandlerStop


async def _ask_again(update: Update, svc: Services, member: Membership, _: Gettext) -> None:
    """Send the renewal question as it applies now."""
    terms = consent.terms_now(svc.db, member)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)
                                      for label, data in renewal_buttons(_, terms)]])
    chat = update.effective_chat
    if chat is not None:
        await chat.send_message(consent.renewal_text(_, member.network_name, svc.settings, terms.privacy,
                                                     consent.agreed_of(svc.db, member)), reply_markup=keyboard)


async def mydata_command(update: Update, context: BotContext) -> None:
    """/mydata: everything stored about the person, as a JSON file."""
    svc, _ = context.svc, context._
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    data = rights.my_data(svc.db, user.id, svc.clock())
    if data is None:
        await say(update, _("I have stored nothing about you."))
        return
    payload = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    await chat.send_document(document=payload, filename="netzpuls-mydata.json",
                             caption=_("Everything Netzpuls has stored about you."))


async def delete_command(update: Update, context: BotContext) -> None:
    """/delete: ask to confirm erasing the person's personal data."""
    svc, _ = context.svc, context._
    user = update.effective_user
    if user is None:
        return
    if rights.my_data(svc.db, user.id, svc.clock()) is None:
        await say(update, _("I have stored nothing about you."))
        return
    if len(members := context.identity.memberships) > 1:
        await _say_with(update, _("Which network's data should I erase?"),
                        scope_keyboard(members, "askdelete", _("All networks: everything about me"), _))
        return
    keyboard = InlineKeyboardMarkup([[
        InlineKeyboardButton(_("Yes, erase my data"), callback_data=callbacks.RightsAction("delete").pack()),
        InlineKeyboardButton(_("No, keep it"), callback_data=callbacks.RightsAction("keep").pack()),
    ]])
    await _say_with(update, _("Erase your personal data? Your name, your Telegram ID and your free-text answers are "
                              "erased for good, also where the coordination was sent them, and you leave the "
                              "network. Your numeric and multiple-choice answers stay in the network's results as "
                              "your organisation's answers, without your name or Telegram ID. This cannot be "
                              "undone. /mydata sends you a copy first."), keyboard)


async def leave_command(update: Update, context: BotContext) -> None:
    """/leave: ask to confirm leaving the network (a network's last coordinator hands over first)."""
    svc, _ = context.svc, context._
    if len(members := context.identity.memberships) > 1:
        await _say_with(update, _("Which network do you want to leave?"),
                        scope_keyboard(members, "askleave", _("All my networks"), _))
        return
    member = context.known_member
    if rights.sole_coordinator(svc.db, member):
        await say(update, _("You are the only coordinator of \"{network}\". Please hand the role over first with "
                            "/handover; your role ends when your successor joins.").format(network=member.network_name))
        return
    keyboard = InlineKeyboardMarkup([[
        InlineKeyboardButton(_("Yes, leave"), callback_data=callbacks.RightsAction("leave").pack()),
        InlineKeyboardButton(_("No, stay"), callback_data=callbacks.RightsAction("stay").pack()),
    ]])
    await _say_with(update, _("Leave \"{network}\"? You get no more check-ins, and the coordination is told. Your "
                              "answers so far stay in the network's results; /delete erases your personal data "
                              "instead.").format(network=member.network_name), keyboard)


async def _say_with(update: Update, text: str, keyboard: InlineKeyboardMarkup) -> None:
    chat = update.effective_chat
    if chat is not None:
        await chat.send_message(text, reply_markup=keyboard)


def _rights_refusal(svc: Services, member: Membership | None, action: str, user_id: int, _: Gettext) -> str | None:
    """Why this rights button does nothing for this person now (stale, forged, or not theirs), or None."""
    stale = _("This button is no longer valid.")
    if action in ("agree", "decline"):  # only while a new consent text waits for an answer
        return stale if member is None or not consent.consent_outdated(svc.db, member) else None
    if action == "leave":
        return stale if member is None or rights.sole_coordinator(svc.db, member) else None
    if action == "delete" and rights.my_data(svc.db, user_id, svc.clock()) is None:
        return _("I have stored nothing about you.")
    if action == "exit" and exit_offer_member_of(svc.db, user_id) is None:
        return stale
    return None


async def on_rights_button(update: Update, context: BotContext) -> None:
    """Renewed consent (agree/decline), /leave's and /delete's confirmation, the offered exit check-in."""
    svc, _, member = context.svc, context._, context.member
    query, user = update.callback_query, update.effective_user
    data = callbacks.RightsAction.unpack(query.data or "") if query else None
    if query is None or user is None:
        return
    refusal = _("This button is no longer valid.") if data is None else _rights_refusal(svc, member, data.action,
                                                                                        user.id, _)
    if refusal is not None or data is None:
        log_refusal(update, member)
        await refuse_callback(update, refusal or "")
        return
    now = svc.clock()
    if data.action == "exit":
        former = exit_offer_member_of(svc.db, user.id)
        await edit_tapped(update, None)
        if former is not None:
            await begin_exit(update, svc, former, _)
    elif data.action == "delete":
        rights.erase(svc.db, user.id, now)
        await settle_now(svc.settings, now)  # the write-ahead log and the backups too, before it says "erased"
        context.refresh()
        log.info("a person erased their personal data")
        _tell_admins_if_leaderless(svc, member)
        await drop_chat_menu(update)
        await edit_tapped(update, _("Done: your name, your Telegram ID and your free-text answers are erased, also "
                                    "in the bot's backups, and you have left the network. What remains are your "
                                    "numeric and multiple-choice answers in the network's results, as your "
                                    "organisation's answers without your name. Goodbye!"))
    elif data.action in ("keep", "stay"):
        await edit_tapped(update, _("Nothing was changed."))
    elif data.action == "agree" and member is not None:
        if not consent.agree(svc.db, member, ConsentTerms.read(data.terms), now):  # it changed since it was shown
            await query.answer(_("The consent text has changed in the meantime. Please read it again."))
            await edit_tapped(update, None)
            await _ask_again(update, svc, member, _)
            return
        await edit_tapped(update, _("Thank you! /help shows what you can do."))
    elif member is not None:  # leave, or decline the new consent text (which is leaving too)
        await _leave(update, svc, member, "left" if data.action == "leave" else "consent_declined", _)
        context.refresh()
    await query.answer()  # last: the tap is done once what it asked for is stored


async def _leave(update: Update, svc: Services, member: Membership, reason: str, _: Gettext) -> None:
    """End the membership, then offer the exit check-in to a partner."""
    if not rights.leave(svc.db, svc.scripts, svc.tr, member, reason, svc.clock()):
        return
    svc.wake_sender()
    log.info("a %s left a network (%s)", member.role, reason)
    _tell_admins_if_leaderless(svc, member)
    await drop_chat_menu(update)
    await edit_tapped(update, _("You have left \"{network}\". Your answers so far stay in the network's results; "
                                "/delete erases your personal data.").format(network=member.network_name))
    if member.role == "partner":
        await begin_exit(update, svc, member, _)


def _tell_admins_if_leaderless(svc: Services, former: Membership | None) -> None:
    """A network's last coordinator left by a right no handover may hold up: the admins are told (queued)."""
    if rights.tell_admins_if_leaderless(svc.db, svc.catalogs, svc.settings.admins, former, svc.clock()):
        svc.wake_sender()


async def offer_exit_checkin(svc: Services, member: Membership) -> None:
    """A new contact person replaced someone: offer the one replaced the exit check-in (queued, quiet hours apply)."""
    if queue_exit_offer(svc.db, svc.scripts, svc.tr, member, svc.clock(), callbacks.RightsAction("exit").pack()):
        svc.wake_sender()


