"""/notes: the partners' words for the coordinator, by success factor or by round, paged with ◀ ▶ in one message
that each tap edits in place. bot.usecases.notes gathers what may be shown; bot.core.notes_pages lays it out."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from functools import partial

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.core.notes_pages import esc, note_pages, overview, topic_counts, topic_name
from bot.i18n import Gettext
from bot.telegram import callbacks
from bot.telegram.callbacks import CallbackData
from bot.telegram.context import BotContext
from bot.telegram.handlers.common import edit_tapped, refuse_callback
from bot.usecases.notes import Notebook, notebook

ROUNDS_PER_PAGE = 8  # rounds listed on one page of "by round"
View = tuple[str, InlineKeyboardMarkup | None]


def _button(label: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data.pack())


def _home(book: Notebook, _: Gettext) -> View:
    """The overview: counts by success factor, a button for each, and one to read by round."""
    counts = topic_counts(book.notes)
    rows = [[_button(f"{topic_name(topic, _)} ({count})", callbacks.NotesTopic(topic, 0))]
            for topic, count in counts.items()]
    if book.rounds:
        rows.append([_button(_("By round"), callbacks.NotesRounds(0))])
    return overview(book.network, counts, _), InlineKeyboardMarkup(rows) if rows else None  # Telegram: none empty


def _paged(page: int, pages: int, at: Callable[[int], CallbackData]) -> list[InlineKeyboardButton]:
    """◀ and ▶ where there is a page before or after this one."""
    turns = []
    if page > 0:
        turns.append(_button("◀", at(page - 1)))
    if page + 1 < pages:
        turns.append(_button("▶", at(page + 1)))
    return turns


def _view(book: Notebook, data: callbacks.Notes, _: Gettext) -> View | None:
    """What a /notes button shows; None for a page or round that is not there (a stale or forged button)."""
    back = [_button(_("Overview"), callbacks.NotesHome())]
    match data:
        case callbacks.NotesHome():
            return _home(book, _)
        case callbacks.NotesTopic(topic=topic, page=page):
            chosen = [note for note in book.notes if note.topic == topic]
            pages = note_pages("📝 " + topic_name(topic, _), chosen, _, by_round=False)
            if page >= len(pages):
                return None
            return pages[page], InlineKeyboardMarkup([row for row in (
                _paged(page, len(pages), partial(callbacks.NotesTopic, topic)), back) if row])
        case callbacks.NotesRounds(page=page):
            start = page * ROUNDS_PER_PAGE
            listed = book.rounds[start:start + ROUNDS_PER_PAGE]
            if not listed:
                return None
            counts = {number: sum(1 for note in book.notes if note.round_number == number)
                      for _id, number, _when in listed}
            rows = [[_button(f"{when} ({counts[number]})", callbacks.NotesRound(round_id, 0))]
                    for round_id, number, when in listed]
            total = -(-len(book.rounds) // ROUNDS_PER_PAGE)
            rows += [row for row in (_paged(page, total, callbacks.NotesRounds), back) if row]
            heading = _("By round")
            text = f"<b>📝 {esc(heading)}</b>\n\n" + esc(_("Choose a round, newest first."))
            return text, InlineKeyboardMarkup(rows)
        case callbacks.NotesRound(round_id=round_id, page=page):
            found = book.of_round(round_id)
            if found is None:
                return None
            when, notes = found
            pages = note_pages("📝 " + when, notes, _, by_round=True)
            if page >= len(pages):
                return None
            rounds = [_button(_("All rounds"), callbacks.NotesRounds(0))]
            return pages[page], InlineKeyboardMarkup([row for row in (
                _paged(page, len(pages), partial(callbacks.NotesRound, round_id)), rounds + back) if row])
    return None


async def notes_command(update: Update, context: BotContext) -> None:
    """/notes: the overview of the partners' words, with a button per success factor and one to read by round."""
    svc, _, chat = context.svc, context._, update.effective_chat
    if chat is None:
        return
    text, markup = _home(notebook(svc.db, svc.scripts, context.known_member, context.locale, _), _)
    await chat.send_message(text, parse_mode=ParseMode.HTML, reply_markup=markup)


async def on_notes_button(update: Update, context: BotContext) -> None:
    """A /notes button (coordinators, bot/telegram/roles.py): the view it names, in place of the tapped message."""
    svc, _, query = context.svc, context._, update.callback_query
    data = callbacks.Notes.unpack(query.data or "") if query else None
    if query is None:
        return
    book = notebook(svc.db, svc.scripts, context.known_member, context.locale, _) if data is not None else None
    view = _view(book, data, _) if book is not None and data is not None else None
    if view is None:
        await refuse_callback(update, _("This button is no longer valid."))
        return
    text, markup = view
    with suppress(BadRequest):  # a forged tap on a message that cannot be edited is answered all the same
        await edit_tapped(update, text, markup, parse_mode=ParseMode.HTML)
    await query.answer()
