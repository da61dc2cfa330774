"""The local server numbers a private chat's messages like Telegram (one counter for both sides) and refuses an edit
with Telegram's exact words: what the outbox's check of a send cut short relies on (bot/jobs/outbox_recovery.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from localapi.server import LocalBotApi

USER = 4242
NOT_MODIFIED = ("Bad Request: message is not modified: specified new message content and reply markup are exactly the "
                "same as a current content and reply markup of the message")


@pytest.fixture
async def server() -> AsyncIterator[LocalBotApi]:
    """A local server with one person who started the bot."""
    async with LocalBotApi() as api:
        api.add_user(USER, "Anna", started=True)
        yield api


async def _call(server: LocalBotApi, method: str, **params: Any) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session, session.post(f"{server.base_url}{server.token}/{method}",
                                                                json=params) as response:
        return response.status, await response.json()


def _refused(description: str) -> tuple[int, Any]:
    return 400, {"ok": False, "error_code": 400, "description": description}


async def test_a_private_chats_messages_are_numbered_one_by_one_whoever_sends_them(server: LocalBotApi) -> None:
    ids = [(await _call(server, "sendMessage", chat_id=USER, text="eins"))[1]["result"]["message_id"]]
    ids.append(server.send_text(USER, "zwei"))
    ids.append((await _call(server, "sendMessage", chat_id=USER, text="drei"))[1]["result"]["message_id"])
    assert ids == [1, 2, 3]
    server.add_user(USER + 1, "Ben", started=True)  # another chat has its own counter
    assert (await _call(server, "sendMessage", chat_id=USER + 1, text="eins"))[1]["result"]["message_id"] == 1


async def test_an_edit_with_the_same_content_tells_whether_the_message_exists(server: LocalBotApi) -> None:
    markup = {"inline_keyboard": [[{"text": "Ja", "callback_data": "j"}]]}
    await _call(server, "sendMessage", chat_id=USER, text="<b>Runde</b> offen", parse_mode="HTML",
                reply_markup=markup)
    assert await _call(server, "editMessageText", chat_id=USER, message_id=1, text="<b>Runde</b> offen",
                       parse_mode="HTML", reply_markup=markup) == _refused(NOT_MODIFIED)
    assert await _call(server, "editMessageText", chat_id=USER, message_id=2, text="<b>Runde</b> offen",
                       parse_mode="HTML", reply_markup=markup) == _refused("Bad Request: message to edit not found")
    server.send_text(USER, "Hallo")  # the person's own message takes id 2 and cannot be edited by the bot
    assert await _call(server, "editMessageText", chat_id=USER, message_id=2,
                       text="x") == _refused("Bad Request: message can't be edited")
    assert server.messages(USER)[0].text == "Runde offen"  # none of it changed the message


async def test_a_photos_caption_edited_to_the_same_is_not_modified(server: LocalBotApi) -> None:
    status, _sent = await _call(server, "sendPhoto", chat_id=USER, photo="https://example.org/chart.png",
                                caption="Ergebnis")
    assert status == 200
    assert await _call(server, "editMessageCaption", chat_id=USER, message_id=1,
                       caption="Ergebnis") == _refused(NOT_MODIFIED)
    assert await _call(server, "editMessageText", chat_id=USER, message_id=1,
                       text="Ergebnis") == _refused("Bad Request: there is no text in the message to edit")
    await _call(server, "sendMessage", chat_id=USER, text="Text")
    assert await _call(server, "editMessageCaption", chat_id=USER, message_id=2,
                       caption="Text") == _refused("Bad Request: there is no caption in the message to edit")
    status, edited = await _call(server, "editMessageCaption", chat_id=USER, message_id=1, caption="Neu")
    assert status == 200 and edited["result"]["caption"] == "Neu"
