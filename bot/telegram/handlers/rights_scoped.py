"""/leave and /delete for a member of several networks: which network (or all), then the confirmation."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.i18n import Gettext
from bot.jobs.maintenance import settle_now
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from bot.telegram.handlers.checkin import begin_exit
from bot.telegram.handlers.common import edit_tapped, log_refusal, refuse_callback
from bot.telegram.handlers.menus import menu_role, set_chat_menu
from bot.telegram.handlers.networks import network_label
from bot.usecases import rights
from bot.usecases.identity import Membership

log = logging.getLogger(__name__)


def quoted(network: str, _: Gettext) -> str:
    """A network's name in the language's quote marks."""
    return _("\"{network}\"").format(network=network)


def scope_keyboard(members: tuple[Membership, ...], action: callbacks.ScopedRight, all_label: str,
                   _: Gettext) -> InlineKeyboardMarkup:
    """One button per network, and one for all of them."""
    rows = [[InlineKeyboardButton(network_label(m, _), callback_data=callbacks.RightsIn(action, m.network_id).pack())]
            for m in members]
    rows.append([InlineKeyboardButton(all_label, callback_data=callbacks.RightsIn(action, 0).pack())])
    return InlineKeyboardMarkup(rows)


def _confirmation(data: callbacks.RightsIn, scope: list[Membership], _: Gettext) -> tuple[str, InlineKeyboardMarkup]:
    """The question that confirms leaving or erasing in the chosen scope, with its yes and no buttons."""
    names = ", ".join(quoted(m.network_name, _) for m in scope)
    if data.action == "askleave":
        text = _("Leave {networks}? You get no more check-ins there, and the coordination is told. Your answers so far "
                 "stay in the network's results; /delete erases your personal data instead.").format(networks=names)
        yes, no = (_("Yes, leave"), callbacks.RightsIn("leave", data.network_id).pack()), \
            (_("No, stay"), callbacks.RightsAction("stay").pack())
    elif data.network_id == 0:
        text = _("Erase all your personal data? Your name, your Telegram ID and your free-text answers are erased for "
                 "good in every network, also where the coordination was sent them, and you leave every network. Your "
                 "numeric and multiple-choice answers stay in the networks' results as your organisation's answers, "
                 "without your name or Telegram ID. This cannot be undone. /mydata sends you a copy first.")
        yes, no = (_("Yes, erase my data"), callbacks.RightsAction("delete").pack()), \
            (_("No, keep it"), callbacks.RightsAction("keep").pack())
    else:
        text = _("Erase your personal data in {networks}? Your free-text answers there are erased for good, also where "
                 "the coordination was sent them, and you leave that network; your other networks stay as they are. "
                 "Your numeric and multiple-choice answers stay in the network's results as your organisation's "
                 "answers, without your name. This cannot be undone.").format(networks=names)
        yes, no = (_("Yes, erase my data"), callbacks.RightsIn("delete", data.network_id).pack()), \
            (_("No, keep it"), callbacks.RightsAction("keep").pack())
    return text, InlineKeyboardMarkup([[InlineKeyboardButton(yes[0], callback_data=yes[1]),
                                        InlineKeyboardButton(no[0], callback_data=no[1])]])


async def on_rights_in(update: Update, context: BotContext) -> None:
    """A network chosen under /leave or /delete (confirm), or the confirmation itself (leave, erase)."""
    svc, _ = context.svc, context._
    query, user = update.callback_query, update.effective_user
    data = callbacks.RightsIn.unpack(query.data or "") if query else None
    if query is None or user is None:
        return
    scope = [m for m in context.identity.memberships if data is not None and data.network_id in (0, m.network_id)]
    if data is None or not scope:
        log_refusal(update, context.member)
        await refuse_callback(update, _("This button is no longer valid."))
        return
    if data.action in ("askleave", "askdelete"):
        text, keyboard = _confirmation(data, scope, _)
        await query.answer()
        await edit_tapped(update, text, keyboard)
        return
    now = svc.clock()
    if data.action == "delete":
        rights.erase(svc.db, user.id, now, data.network_id)
        await settle_now(svc.settings, now)  # the write-ahead log and the backups too, before it says "erased"
        log.info("a person erased their personal data in one network")
        text = _("Done: your free-text answers in \"{network}\" are erased, also in the bot's backups, and you have "
                 "left it. Your other networks stay as they are.").format(network=scope[0].network_name)
    else:
        text = await _leave_all(update, context, scope, _)
    svc.wake_sender()
    context.refresh()
    await edit_tapped(update, text)
    await set_chat_menu(context.bot, svc, user.id, menu_role(context.identity.memberships), context.locale)
    await query.answer()
    if data.action == "leave" and (partner := next((m for m in scope if m.role == "partner"), None)) is not None:
        await begin_exit(update, svc, partner, _)


async def _leave_all(update: Update, context: BotContext, scope: list[Membership], _: Gettext) -> str:
    """Leave each network of the scope but those the person is the only coordinator of; what to tell them."""
    svc = context.svc
    kept = [m for m in scope if rights.sole_coordinator(svc.db, m)]
    left = [m for m in scope if m not in kept
            and rights.leave(svc.db, svc.scripts, svc.tr, m, "left", svc.clock())]
    log.info("a member of several networks left %d of them", len(left))
    lines = []
    if left:
        lines.append(_("You have left {networks}. Your answers so far stay in the networks' results; /delete erases "
                       "your personal data.").format(networks=", ".join(quoted(m.network_name, _) for m in left)))
    for member in kept:
        lines.append(_("You are the only coordinator of \"{network}\". Please hand the role over first with "
                       "/handover; your role ends when your successor joins.").format(network=member.network_name))
    return "\n\n".join(lines)
