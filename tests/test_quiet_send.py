"""The raw sendMessage used for questions and the outbox: the id from Telegram's answer, or None without one."""

from __future__ import annotations

import json
import logging
import warnings
from typing import Any

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.request import BaseRequest, RequestData

from bot.telegram.quiet_send import allow_quiet_sends, send_quietly


class FixedAnswer(BaseRequest):
    """An HTTP layer for PTB's real Bot that answers every request with one fixed result and keeps what was sent."""

    def __init__(self, result: object) -> None:
        self._result = result
        self.sent: list[tuple[str, dict[str, Any]]] = []

    @property
    def read_timeout(self) -> float | None:
        """No network, no timeout."""
        return None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        """Keep the method and parameters; Telegram's envelope around the fixed result."""
        self.sent.append((url.rsplit("/", 1)[1], request_data.parameters if request_data else {}))
        return 200, json.dumps({"ok": True, "result": self._result}).encode()


def bot_answering(result: object) -> tuple[Bot, FixedAnswer]:
    """A real PTB Bot whose requests get this result."""
    request = FixedAnswer(result)
    return Bot("1:fake", request=request), request


async def test_the_new_message_id_is_returned_and_the_keyboard_sent_as_telegram_expects() -> None:
    bot, request = bot_answering({"message_id": 42, "chat": {"id": 7, "type": "private"}, "date": 0, "text": "?"})
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Ja", callback_data="a:1")]])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        allow_quiet_sends()
        assert await send_quietly(bot, 7, "Frage?", markup) == 42
        assert await send_quietly(bot, 7, "Frage?", markup.to_dict()) == 42
    assert caught == []  # PTB's advice to use send_message is silenced
    for method, parameters in request.sent:
        assert method == "sendMessage"
        assert parameters["chat_id"] == 7 and parameters["text"] == "Frage?"
        assert parameters["reply_markup"] == markup.to_dict()


@pytest.mark.parametrize("result", [{}, {"message_id": "42"}, {"message_id": True}, True])
async def test_an_answer_without_a_message_id_counts_as_sent_without_one(
        result: object, caplog: pytest.LogCaptureFixture) -> None:
    bot, request = bot_answering(result)
    allow_quiet_sends()
    with caplog.at_level(logging.ERROR, logger="bot.telegram.quiet_send"):
        assert await send_quietly(bot, 7, "Frage?") is None
    assert len(request.sent) == 1
    assert "without a message id" in caplog.text
