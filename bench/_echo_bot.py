"""The baseline bot: a bare python-telegram-bot echo bot, as PTB's own echobot example builds it, run as
`python -m bench._echo_bot TOKEN API_URL [RESULT.json]`.

It answers every text with the same text and every button tap with the tap's data (after answering the callback
query), each with one button, so that a simulated partner can keep going as they do with Netzpuls' questions. No
database, no scripts, no rate limiter: what PTB and HTTP alone cost. `run_polling` with PTB's defaults (updates one
after another, SIGTERM stops it); on exit its peak RSS and CPU seconds go to RESULT.json.
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bench._figures import own_peak_kib


def _button(n: int) -> InlineKeyboardMarkup:
    """One "Weiter" button whose callback data carries n."""
    return InlineKeyboardMarkup([[InlineKeyboardButton("Weiter", callback_data=f"echo:{n}")]])


async def echo_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the text back, with one button."""
    message = update.effective_message
    if message is not None and message.text:
        await message.reply_text(message.text, reply_markup=_button(message.message_id))


async def echo_tap(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the tap, then send its data back as a message with one button."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    await query.answer()
    await context.bot.send_message(query.message.chat.id, query.data or "?",
                                   reply_markup=_button(query.message.message_id))


def main(argv: list[str]) -> int:
    """Build the echo bot, poll until SIGTERM, write its figures."""
    token, api_url = argv[0], argv[1]
    application = Application.builder().token(token).base_url(api_url).build()
    application.add_handler(MessageHandler(filters.TEXT, echo_text))
    application.add_handler(CallbackQueryHandler(echo_tap))
    application.run_polling(allowed_updates=[Update.MESSAGE, Update.CALLBACK_QUERY], poll_interval=0, timeout=1)
    if len(argv) > 2:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        Path(argv[2]).write_text(json.dumps({"peak_rss_kib": own_peak_kib(),
                                             "cpu_seconds": usage.ru_utime + usage.ru_stime}), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
