"""/goals: the partners' goal statements beside the network's goal, each marked when vague; setting the network's
goal (the coordinator types one sentence) and the goal workshop's file. bot.usecases.goals decides."""

from __future__ import annotations

from contextlib import suppress

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.core.goal_board import board_messages, verdict
from bot.core.notes_pages import esc
from bot.core.user_text import quoted
from bot.i18n import Gettext
from bot.services import Services
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from bot.telegram.handlers.common import edit_tapped, refuse_callback, say
from bot.usecases import goals as usecase
from bot.usecases.identity import Membership


def _menu(_: Gettext) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(_("Set the network goal"), callback_data=callbacks.GoalAction("set").pack())],
        [InlineKeyboardButton(_("Export for the goal workshop"), callback_data=callbacks.GoalAction("export").pack())],
    ])


async def goals_command(update: Update, context: BotContext) -> None:
    """/goals: the network's goal and every partner's goal statement it may show, the vague ones marked."""
    svc, _, chat = context.svc, context._, update.effective_chat
    if chat is None:
        return
    board = usecase.goal_board(svc.db, svc.scripts, context.known_member, context.locale, _)
    messages = board_messages(board, _, svc.catalogs.ngettext(context.locale))
    for index, text in enumerate(messages, start=1):
        await chat.send_message(text, parse_mode=ParseMode.HTML,
                                reply_markup=_menu(_) if index == len(messages) else None)


async def on_goal_button(update: Update, context: BotContext) -> None:
    """A /goals button (coordinators, bot/telegram/roles.py): ask for the network's goal, stop asking, or send the
    goal workshop's file."""
    svc, _, query, chat = context.svc, context._, update.callback_query, update.effective_chat
    data = callbacks.GoalAction.unpack(query.data or "") if query else None
    member = context.known_member
    if query is None or chat is None:
        return
    if data is None:
        await refuse_callback(update, _("This button is no longer valid."))
        return
    if data.action == "set":
        usecase.ask_network_goal(svc.db, member, svc.clock())
        await query.answer()
        cancel = InlineKeyboardMarkup([[InlineKeyboardButton(
            _("Cancel"), callback_data=callbacks.GoalAction("cancel").pack())]])
        await chat.send_message(_(
            "Please type the network's goal in one sentence: for whom, what result one can check, and by when. "
            "For example: “By the end of 2027, 30 single parents in Musterstadt have found a training place.”"),
            reply_markup=cancel)
    elif data.action == "cancel":
        if not usecase.stop_asking(svc.db, member):
            await refuse_callback(update, _("This button is no longer valid."))
            return
        with suppress(BadRequest):  # a forged tap on a message that cannot be edited is answered all the same
            await edit_tapped(update, _("Nothing was changed."))
        await query.answer()
    else:
        name, content = usecase.workshop_file(svc.db, svc.scripts, member, svc.clock(), context.locale, _,
                                              svc.catalogs.ngettext(context.locale))
        await query.answer()
        await chat.send_document(document=content, filename=name)


async def goal_typed(update: Update, svc: Services, member: Membership, text: str, _: Gettext) -> None:
    """The coordinator typed the network's goal: store and check it, or ask again for one shorter sentence."""
    saved = usecase.save_network_goal(svc.db, member.network_id, text, svc.clock(), member)
    chat = update.effective_chat
    if saved is None or chat is None:
        await say(update, _("Please type the goal as one sentence of at most {limit} characters.").format(
            limit=usecase.MAX_GOAL))
        return
    said = quoted(saved.text, _)
    lines = [esc(_("Saved. The network goal:")), f"<i>{esc(said)}</i>",
             esc(verdict(saved, _)), "", esc(_("/goals shows it beside the partners’ goals."))]
    await chat.send_message("\n".join(lines), parse_mode=ParseMode.HTML)
