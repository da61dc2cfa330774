"""sendMessage and editMessageText without reading Telegram's answer into PTB's objects: only the new message's id is
needed, and parsing the answer took a sixth of the CPU of handling an answer and a tenth of a broadcast's
(bench.throughput, bench.broadcast)."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping

from telegram import Bot, InlineKeyboardMarkup
from telegram.warnings import PTBUserWarning

log = logging.getLogger(__name__)


def allow_quiet_sends() -> None:
    """Silence PTB's advice to use Bot.send_message: calling the method by name is what skips the parsing."""
    warnings.filterwarnings("ignore", message=r"Please use 'Bot\.(sendMessage|editMessageText)' instead",
                            category=PTBUserWarning)


async def send_quietly(bot: Bot, chat_id: int, text: str,
                       markup: InlineKeyboardMarkup | Mapping[str, object] | None = None,
                       parse_mode: str | None = None) -> int | None:
    """sendMessage (the keyboard as PTB's object or as stored JSON); the new message's id, None if the answer lacks
    one (Telegram took the message all the same: sending it again would make a duplicate)."""
    kwargs: dict[str, object] = {"chat_id": chat_id, "text": text}
    if markup is not None:
        kwargs["reply_markup"] = markup
    if parse_mode is not None:
        kwargs["parse_mode"] = parse_mode
    answer = await bot.do_api_request("sendMessage", api_kwargs=kwargs)
    message_id = answer.get("message_id") if isinstance(answer, Mapping) else None
    if isinstance(message_id, int) and not isinstance(message_id, bool):
        return message_id
    log.error("sendMessage to a chat succeeded without a message id in Telegram's answer")
    return None


async def edit_quietly(bot: Bot, chat_id: int, message_id: int, text: str) -> None:
    """editMessageText without buttons, Telegram's answer not read."""
    await bot.do_api_request("editMessageText", api_kwargs={"chat_id": chat_id, "message_id": message_id,
                                                            "text": text})
