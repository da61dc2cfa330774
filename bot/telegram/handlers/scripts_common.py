"""Shared by the chat flows on scripts: who may edit them (and for which networks), drafts, long answers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from functools import lru_cache

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.core.limits import TEXT as MESSAGE_LIMIT
from bot.core.limits import utf16_len as utf16_length
from bot.core.script.loader import load_script_text
from bot.core.script.model import Script
from bot.i18n import Gettext
from bot.telegram import callbacks
from bot.telegram.context import BotContext
from bot.telegram.handlers.common import log_refusal, refuse_callback, say
from bot.usecases import script_admin
from bot.usecases.script_admin import Draft


@dataclass(frozen=True)
class Editor:
    """Someone who may change scripts: an admin (`network_id` None: for every network) or a network's coordinator."""

    user_id: int
    network_id: int | None

    @property
    def is_admin(self) -> bool:
        """Whether what this editor publishes applies to every network."""
        return self.network_id is None


def editor_in(context: BotContext) -> Editor | None:
    """The editor behind an update: an admin (for every network) first, then a coordinator; None for others."""
    identity = context.identity
    if identity.user_id is not None and identity.is_admin:
        return Editor(identity.user_id, None)
    if identity.member is not None and identity.member.role == "coordinator":
        return Editor(identity.member.user_id, identity.member.network_id)
    return None


def may_edit(editor: Editor, draft: Draft) -> bool:
    """Whether this editor uploaded the draft, for the networks they edit for now."""
    return draft.user_id == editor.user_id and draft.network_id == editor.network_id


async def own_draft(update: Update, context: BotContext, draft_id: int) -> tuple[Editor, Draft] | None:
    """The editor and their pending draft behind a button; None after a polite answer (not theirs, decided)."""
    editor, _ = editor_in(context), context._
    draft = script_admin.draft(context.svc.db, draft_id)
    if draft is None:
        await refuse_callback(update, _("This button is no longer valid."))
        return None
    if editor is None or not may_edit(editor, draft):
        log_refusal(update, context.member)
        await refuse_callback(update, _("This button is not meant for you."))
        return None
    if not draft.pending:
        await refuse_callback(update, decided_text(draft, _))
        await drop_buttons(update)
        return None
    return editor, draft


def decided_text(draft: Draft, _: Gettext) -> str:
    """What a tap on a decided draft's button answers."""
    if draft.status == "published":
        return _("This draft was already published.")
    return _("This draft was already discarded.")


def draft_buttons(draft_id: int, _: Gettext, preview: bool = True) -> InlineKeyboardMarkup:
    """Preview (optional), Publish and Discard under a draft."""
    decide = [InlineKeyboardButton(_("Publish"), callback_data=callbacks.DraftAction("publish", draft_id).pack()),
              InlineKeyboardButton(_("Discard"), callback_data=callbacks.DraftAction("discard", draft_id).pack())]
    look = [InlineKeyboardButton(_("Preview"), callback_data=callbacks.DraftAction("preview", draft_id).pack())]
    return InlineKeyboardMarkup([look, decide] if preview else [decide])


@lru_cache(maxsize=16)
def draft_script(source: str, file_name: str) -> Script:
    """The script of a draft (validated at upload; parsed once per text)."""
    return load_script_text(source, file_name)


async def drop_buttons(update: Update) -> None:
    """Remove the buttons of the message whose button was tapped (if it still has any)."""
    query = update.callback_query
    message = query.message if query is not None else None
    if query is not None and getattr(message, "reply_markup", None):
        with suppress(BadRequest):
            await query.edit_message_reply_markup(None)


async def close_with(update: Update, text: str) -> None:
    """Answer a tap and replace the tapped message by `text` (buttons gone); a new message if it cannot be edited."""
    query = update.callback_query
    if query is None:
        return
    try:
        await query.edit_message_text(text)
    except BadRequest:
        await say(update, text)
    await query.answer()  # after the edit: the tap is done once the change is visible


def fit_lines(lines: Sequence[str], more: Callable[[int], str], limit: int = MESSAGE_LIMIT,
              most: int | None = None) -> str:
    """The lines joined, as many as fit in `limit` (and at most `most`), then `more(n)` for the n left out."""
    if (most is None or len(lines) <= most) and utf16_length("\n".join(lines)) <= limit:
        return "\n".join(lines)
    kept: list[str] = []
    reserve = more(len(lines))  # the longest the tail can be
    for line in lines:
        if (most is not None and len(kept) >= most) or utf16_length("\n".join([*kept, line, reserve])) > limit:
            break
        kept.append(line)
    return "\n".join([*kept, more(len(lines) - len(kept))] if len(kept) < len(lines) else kept)
