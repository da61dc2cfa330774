"""Coordinator commands around the digest: /digest on demand, /privacy (anonymous or named)."""

from __future__ import annotations

from contextlib import suppress

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.i18n import Gettext
from bot.jobs.consent import renewal_buttons
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from bot.telegram.handlers.common import edit_tapped, refuse_callback, say
from bot.usecases.digest import digest_now
from bot.usecases.privacy import Privacy, privacy_of, switch_privacy


async def digest_command(update: Update, context: BotContext) -> None:
    """/digest: the digest and chart of the newest round (closed, or open so far)."""
    svc, _, chat = context.svc, context._, update.effective_chat
    if chat is None:
        return
    digest = digest_now(svc.db, svc.catalogs, svc.scripts, svc.tips, context.known_member)
    if digest.state == "no_rounds":
        await say(update, _("There is no check-in round yet. The first digest comes when the first round closes; "
                            "/settings shows when it opens."))
        return
    if digest.state == "anonymous_open":
        await say(update, _("This round's answers are anonymous: the digest shows a round once it has closed; "
                            "the first comes when this round closes."))
        return
    if digest.open:
        await say(update, _("The round is still open: this is the state so far."))
    for text in digest.texts:
        await chat.send_message(text, parse_mode=ParseMode.HTML)
    await chat.send_photo(digest.chart, caption=digest.caption)


def _privacy_text(privacy: Privacy, _: Gettext) -> str:
    current = _("anonymous") if privacy == "anonymous" else _("named")
    return _("Privacy of this network: {current}.\n\nAnonymous: the digest, the chart, the map and the export show "
             "only aggregates, and only when at least 3 organisations answered; free texts without names. Named: you "
             "see who answered what. A switch to named applies from the next round on (the answers given before stay "
             "anonymous); a switch to anonymous applies at once. After a switch the partners are asked to agree to "
             "the consent text again, and take no part in the check-ins until they do. Who answered at all, who "
             "joined, changed, left or cannot be reached is always shown by organisation.").format(current=current)


def _privacy_keyboard(_: Gettext) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(_("anonymous"), callback_data=callbacks.PrivacyChoice("anonymous").pack()),
        InlineKeyboardButton(_("named"), callback_data=callbacks.PrivacyChoice("named").pack())]])


async def privacy_command(update: Update, context: BotContext) -> None:
    """/privacy: show and change whether the digest names who answered what."""
    svc, _, chat = context.svc, context._, update.effective_chat
    if chat is not None:
        await chat.send_message(_privacy_text(privacy_of(svc.db, context.known_member.network_id), _),
                                reply_markup=_privacy_keyboard(_))


async def on_privacy_button(update: Update, context: BotContext) -> None:
    """A /privacy button (coordinators, bot/telegram/roles.py): store the choice for their network and show it."""
    svc, _, query = context.svc, context._, update.callback_query
    data = callbacks.PrivacyChoice.unpack(query.data or "") if query else None
    if query is None:
        return
    if data is None:
        await refuse_callback(update, _("This button is no longer valid."))
        return
    privacy = data.privacy
    if switch_privacy(svc.db, svc.catalogs, svc.settings, context.known_member, privacy, renewal_buttons, svc.clock()):
        svc.wake_sender()  # every other member is asked to agree again
    with suppress(BadRequest):  # a forged tap on a message that cannot be edited is answered all the same
        await edit_tapped(update, _privacy_text(privacy, _))  # a double tap's second finds the text shown already
    await query.answer()
