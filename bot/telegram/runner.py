"""The one conversation runner on the Telegram side: shows a dialog's steps, takes taps and typed answers through
bot.usecases.dialog.take, and translates each Turn into messages. A dialog kind plugs in with a small Adapter."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot.core.engine import Input
from bot.core.render import View
from bot.i18n import Gettext
from bot.telegram.callbacks import CallbackData
from bot.telegram.handlers.common import refuse_callback, say
from bot.telegram.quiet_send import edit_quietly, send_quietly
from bot.usecases.dialog import DialogPort, take, view_of


@dataclass(frozen=True)
class Adapter:
    """One dialog kind as the runner drives it: the running dialog (its port: state, compare-and-set save, what to
    say after an answer), the callback data of its answer buttons (step id, value → data; the one place a kind
    builds it), what follows its last step (None: nothing), and the buttons under its closing message (asked once it
    has ended; None: none)."""

    port: DialogPort
    callback: Callable[[str, str], CallbackData]
    end: Callable[[Update, Gettext], Awaitable[None]] | None = None
    closing: Callable[[Gettext], InlineKeyboardMarkup | None] | None = None


def keyboard(adapter: Adapter, view: View) -> InlineKeyboardMarkup | None:
    """The step's buttons, each carrying the kind's callback data."""
    rows = [[InlineKeyboardButton(b.label, callback_data=adapter.callback(view.step_id, b.value).pack()) for b in row]
            for row in view.buttons]
    return InlineKeyboardMarkup(rows) if rows else None


async def show(update: Update, adapter: Adapter, view: View | None) -> None:
    """Send a step as a new message and let the dialog remember it."""
    chat = update.effective_chat
    if chat is None or view is None:
        return
    adapter.port.remember_prompt(await send_quietly(chat.get_bot(), chat.id, view.text, keyboard(adapter, view)))


async def show_text(update: Update, text: str, markup: InlineKeyboardMarkup) -> None:
    """Send a text with buttons that are no dialog step (the closing message's offers)."""
    chat = update.effective_chat
    if chat is not None:
        await send_quietly(chat.get_bot(), chat.id, text, markup)


async def show_current(update: Update, adapter: Adapter, _: Gettext) -> None:
    """Send the dialog's current step as loaded."""
    dialog = adapter.port.dialog
    await show(update, adapter, view_of(dialog, dialog.state, _))


async def run(update: Update, adapter: Adapter, step_id: str, given: Input, _: Gettext) -> None:
    """One tap or typed answer: ask the engine, store once, then confirm, redraw, or show what follows."""
    turn = take(adapter.port, step_id, given, _)
    query = update.callback_query
    prompt = adapter.port.dialog.prompt_message_id
    if turn.refusal is not None:
        await (refuse_callback(update, turn.refusal) if turn.on_button else say(update, turn.refusal))
        if turn.stale:
            await drop_buttons(update, prompt)
        await show(update, adapter, turn.again)
        return
    if turn.redraw is not None:
        if query is not None:
            with suppress(BadRequest):  # "not modified": an older copy of the step already showed these ticks
                await query.edit_message_text(turn.redraw.text, reply_markup=keyboard(adapter, turn.redraw))
            await query.answer()  # after the edit: the tap is done once the ticks show
        return
    if query is not None:
        await query.answer()
        await _confirm(update, turn.confirm)
    elif turn.drop_prompt:
        await drop_buttons(update, prompt)
    markup = adapter.closing(_) if turn.finished and adapter.closing is not None else None
    for number, text in enumerate(turn.says, start=1):
        if markup is not None and number == len(turn.says):
            await show_text(update, text, markup)
        else:
            await say(update, text)
    if turn.finished:
        if adapter.end is not None:
            await adapter.end(update, _)
    else:
        await show(update, adapter, turn.next)


async def _confirm(update: Update, confirm: str | None) -> None:
    """Replace the buttons under the answered question by the answer given (an info step: only drop them)."""
    query = update.callback_query
    if query is None:
        return
    # Only how the tapped message looks: if it cannot be edited (a forged tap on another message, one the person
    # deleted), the answer is stored all the same and the next step must still follow.
    with suppress(BadRequest):
        if confirm is None:
            await query.edit_message_reply_markup(None)
        elif query.message is not None:
            await edit_quietly(query.get_bot(), query.message.chat.id, query.message.message_id, confirm)


async def drop_buttons(update: Update, prompt_message_id: int | None) -> None:
    """Remove answer buttons that can no longer be used: on a tapped old message (never the current question's,
    `prompt_message_id`), or, after a typed answer, the current question's."""
    query = update.callback_query
    chat = update.effective_chat
    if query is not None:
        message = query.message
        # A stale or forged tap may carry the current question's message; its buttons stay usable.
        if message is None or message.message_id == prompt_message_id:
            return
        if isinstance(message, Message) and message.reply_markup:
            # The tap shows the message as it was when tapped: the second of a double tap finds the buttons gone.
            with suppress(BadRequest):
                await query.edit_message_reply_markup(None)
    elif chat is not None and prompt_message_id is not None:
        with suppress(BadRequest):  # the user may have deleted the question meanwhile
            await chat.get_bot().edit_message_reply_markup(chat.id, prompt_message_id, reply_markup=None)
