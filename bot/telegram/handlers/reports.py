"""Coordinator commands around the digest: /digest on demand, /privacy (anonymous or named)."""

from __future__ import annotations

from contextlib import suppress

from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.i18n import Gettext
from bot.jobs.reports import digest_messages, round_signals
from bot.services import Services
from bot.telegram import callbacks
from bot.telegram.handlers.common import edit_tapped, log_refusal, member_of, refuse_callback, say, translator
from bot.telegram.handlers.coordinator import coordinator_member, coordinator_or_refusal
from bot.usecases.privacy import switch_privacy
from storage.history import load_history
from storage.people import Membership
from storage.reports import Privacy, network_privacy, network_thresholds


async def _coordinator(update: Update, svc: Services, _: Gettext) -> tuple[Membership, Chat] | None:
    """The coordinator and chat of a command, or None after a polite refusal."""
    member = await coordinator_member(update, svc, _)
    chat = update.effective_chat
    return None if member is None or chat is None else (member, chat)


async def digest_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/digest: the digest and chart of the newest round (closed, or open so far)."""
    svc, _ = translator(update, context)
    found = await _coordinator(update, svc, _)
    if found is None:
        return
    member, chat = found
    history = load_history(svc.db, member.network_id, svc.scripts.version, network_thresholds(svc.db,
                                                                                             member.network_id))
    if not history.rounds:
        await say(update, _("There is no check-in round yet. The first digest comes when the first round closes; "
                            "/settings shows when it opens."))
        return
    newest = history.rounds[-1]
    if newest.privacy == "anonymous" and not newest.closed:
        # Two looks at an open round, one answer apart, would show that answer: only closed rounds here.
        closed = [facts for facts in history.rounds if facts.closed]
        if not closed:
            await say(update, _("This round's answers are anonymous: the digest shows a round once it has closed; "
                                "the first comes when this round closes."))
            return
        newest = closed[-1]
    texts, png = digest_messages(svc.catalogs, svc.scripts, svc.tips, history, newest.id,
                                 round_signals(history, newest.id), member)
    if not newest.closed:
        await say(update, _("The round is still open: this is the state so far."))
    for text in texts:
        await chat.send_message(text)
    await chat.send_photo(png, caption=_("Success factors (mean, 1 = low, 5 = high)"))


def _privacy_text(privacy: Privacy, _: Gettext) -> str:
    current = _("anonymous") if privacy == "anonymous" else _("named")
    return _("Privacy of this network: {current}.\n\nAnonymous: the digest, the chart, the map and the export show "
             "only aggregates, and only when at least 3 organisations answered; free texts without names. Named: you "
             "see who answered what. A switch to named applies from the next round on (the answers given before stay "
             "anonymous), and the partners are told before their next check-in; a switch to anonymous applies at "
             "once. Who answered at all, who joined, changed, left or cannot be reached is always shown by "
             "organisation.").format(current=current)


def _privacy_keyboard(_: Gettext) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(_("anonymous"), callback_data=callbacks.privacy("anonymous")),
                                  InlineKeyboardButton(_("named"), callback_data=callbacks.privacy("named"))]])


async def privacy_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/privacy: show and change whether the digest names who answered what."""
    svc, _ = translator(update, context)
    found = await _coordinator(update, svc, _)
    if found is None:
        return
    member, chat = found
    await chat.send_message(_privacy_text(network_privacy(svc.db, member.network_id), _),
                            reply_markup=_privacy_keyboard(_))


async def on_privacy_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A /privacy button: store the choice (coordinators only) and show it."""
    svc, _ = translator(update, context)
    query = update.callback_query
    member = member_of(update, svc)
    choice = callbacks.parse_privacy(query.data or "") if query else None
    if query is None:
        return
    if choice is None or coordinator_or_refusal(member, _) is not None or member is None:
        if choice is not None:
            log_refusal(update, member)
        await refuse_callback(update, _("This button is no longer valid."))
        return
    privacy: Privacy = "named" if choice == "named" else "anonymous"
    switch_privacy(svc.db, svc.catalogs, member.network_id, privacy, svc.clock())
    with suppress(BadRequest):  # a forged tap on a message that cannot be edited is answered all the same
        await edit_tapped(update, _privacy_text(privacy, _))  # a double tap's second finds the text shown already
    await query.answer()
