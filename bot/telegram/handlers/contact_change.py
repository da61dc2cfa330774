"""A contact person who is no longer responsible: "I'm no longer responsible" under a prompt or reminder, its
confirmation, who takes over (typed, or "Don't know"), then the exit check-in; the coordinator's button that invites
the successor. bot.usecases.contact_change decides, we translate."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.core.user_text import quoted
from bot.i18n import Gettext
from bot.services import Services
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from bot.telegram.handlers.checkin import begin_exit
from bot.telegram.handlers.common import edit_tapped, log_refusal, refuse_callback, say
from bot.telegram.handlers.coordinator import invite_message
from bot.telegram.handlers.menus import drop_chat_menu
from bot.usecases import contact_change as usecase
from bot.usecases.contact_change import Handover
from bot.usecases.identity import Membership

log = logging.getLogger(__name__)


def invite_button(handover_id: int) -> str:
    """The callback data of the coordinator's button that invites the successor of this hand-over."""
    return callbacks.AccessAction("successor", handover_id).pack()


async def on_step_down_button(update: Update, context: BotContext) -> None:
    """"I'm no longer responsible" (asks to confirm), yes or no, and "Don't know" when asked who takes over."""
    svc, _ = context.svc, context._
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    data = callbacks.StepDown.unpack(query.data or "")
    match data:
        case callbacks.StepDownAsk(round_id=round_id):
            member = usecase.round_member(svc.db, round_id, user.id)
            if member is None:
                log_refusal(update, context.member)
                await refuse_callback(update, _("This button is not meant for you."))
                return
            await query.answer()
            await _ask(update, member, round_id, _)
        case callbacks.StepDownConfirm(round_id=round_id):
            member = usecase.round_member(svc.db, round_id, user.id)
            handover = usecase.step_down(svc.db, member, svc.clock()) if member is not None else None
            if member is None or handover is None:
                log_refusal(update, context.member)
                await refuse_callback(update, _("This button is no longer valid."))
                return
            log.info("a partner's contact person is no longer responsible")
            context.refresh()
            await query.answer()
            await _stepped_down(update, svc, member, handover, _)
        case callbacks.StepDownCancel():
            await query.answer()
            await edit_tapped(update, _("Good, nothing changes: you stay the contact person."))
        case callbacks.SuccessorUnknown(handover_id=handover_id):
            handover = usecase.get_handover(svc.db, handover_id)
            former = usecase.former(svc.db, handover) if handover is not None else None
            if handover is None or former is None or former.user_id != user.id \
                    or not usecase.name(svc.db, svc.tr, handover, None, svc.clock(), invite_button(handover.id)):
                log_refusal(update, context.member)
                await refuse_callback(update, _("This button is no longer valid."))
                return
            svc.wake_sender()
            await query.answer()
            await edit_tapped(update, None)
            await _then_exit(update, svc, former, False, _)
        case _:
            log_refusal(update, context.member)
            await refuse_callback(update, _("This button is no longer valid."))


async def _ask(update: Update, member: Membership, round_id: int, _: Gettext) -> None:
    """Are you sure? What ending the contact role means."""
    keyboard = InlineKeyboardMarkup([
        [InlineKeyboardButton(_("Yes, I'm no longer responsible"),
                              callback_data=callbacks.StepDownConfirm(round_id).pack())],
        [InlineKeyboardButton(_("No, I still am"), callback_data=callbacks.StepDownCancel().pack())]])
    chat = update.effective_chat
    if chat is not None:
        await chat.send_message(_(
            "Are you sure? Then you are no longer the contact person of {organisation} in \"{network}\": you get no "
            "more check-ins, and your answers so far stay in the network's results. Next I ask who takes over, so "
            "that the coordination can invite them.").format(organisation=member.organisation_name,
                                                              network=member.network_name), reply_markup=keyboard)


async def _stepped_down(update: Update, svc: Services, member: Membership, handover: Handover, _: Gettext) -> None:
    """The membership has ended: say so, drop the partner menu, ask who takes over."""
    await edit_tapped(update, _("Understood: you are no longer the contact person of {organisation} in "
                                "\"{network}\". Thank you for your work in the network!").format(
        organisation=member.organisation_name, network=member.network_name))
    await drop_chat_menu(update)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(
        _("I don't know"), callback_data=callbacks.SuccessorUnknown(handover.id).pack())]])
    chat = update.effective_chat
    if chat is not None:
        await chat.send_message(_(
            "Who takes over for {organisation}? Please write their name and, if you like, how to reach them (phone or "
            "e-mail) in one message. The network coordination gets it to invite them.").format(
            organisation=member.organisation_name), reply_markup=keyboard)


async def successor_typed(update: Update, svc: Services, handover: Handover, text: str, _: Gettext) -> None:
    """The typed answer to "who takes over?": kept and told to the coordinators, then the exit check-in."""
    successor = usecase.successor_text(text)
    former = usecase.former(svc.db, handover)
    if successor is None:
        await say(update, _("Please write the name and how to reach them in one message of at most {limit} "
                            "characters, or tap \"I don't know\".").format(limit=usecase.MAX_SUCCESSOR))
        return
    if former is None or not usecase.name(svc.db, svc.tr, handover, successor, svc.clock(),
                                          invite_button(handover.id)):
        await say(update, _("I wasn't expecting a message right now. /help shows what I can do."))
        return
    svc.wake_sender()
    await _then_exit(update, svc, former, True, _)


async def _then_exit(update: Update, svc: Services, former: Membership, named: bool, _: Gettext) -> None:
    """Thanks, then the exit check-in (if dialogs/ has one)."""
    await say(update, _("Thank you! I have passed it on to the network coordination: they can invite your successor "
                        "now.") if named else _("Thank you! The network coordination knows now and will find out who "
                                                "takes over."))
    await begin_exit(update, svc, former, _)



async def on_successor_invite(update: Update, context: BotContext, handover_id: int) -> None:
    """The coordinator's button under the news: a one-time invite link for the organisation's new contact person."""
    svc, _, member = context.svc, context._, context.known_member
    query = update.callback_query
    if query is None:
        return
    made = usecase.invite_successor(svc.db, member, handover_id, svc.clock(), svc.settings.invite_ttl_days)
    if made == "unknown":
        log_refusal(update, member)
        await refuse_callback(update, _("This button is no longer valid."))
        return
    if isinstance(made, str):
        await refuse_callback(update, _("This organisation is no longer in the network.") if made == "removed"
                              else _("A new contact person has joined already."))
        return
    await query.answer()
    text = invite_message(svc, made.organisation, made.invite.token, made.invite.expires_at, context.locale, _)
    if made.successor:
        text += "\n" + _("Named to take over: {successor}").format(successor=quoted(made.successor, _))
    await say(update, text)
