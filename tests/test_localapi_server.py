"""The local Bot API server end to end: a real python-telegram-bot Application polling it over HTTP."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    PhotoSize,
    Update,
)
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from localapi.server import LocalBotApi

App = Application[Any, Any, Any, Any, Any, Any]
USER = 501
PICK = InlineKeyboardMarkup([[InlineKeyboardButton("Ja", callback_data="pick:yes"),
                              InlineKeyboardButton("Nein", callback_data="pick:no")]])


@pytest.fixture
async def server() -> AsyncIterator[LocalBotApi]:
    """A fresh local Bot API server with one user who has started the bot."""
    async with LocalBotApi() as running:
        running.add_user(USER, "Anna", language_code="de", username="anna").started = True
        yield running


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(update.message.text)


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_text(f"<b>started</b> with {' '.join(context.args or []) or 'nothing'}",
                                    parse_mode="HTML")


async def _menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_text("Weiter?", reply_markup=PICK)


async def _pick(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    choice = query.data.split(":")[1]
    await query.answer(f"Sie wählten {choice}")
    await query.edit_message_text(f"Gewählt: {choice}")


async def _forged(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.callback_query is not None
    await update.callback_query.answer("Dieser Knopf ist nicht mehr gültig.", show_alert=True)


async def _edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.edited_message is not None
    await update.edited_message.reply_text(f"bearbeitet: {update.edited_message.text}")


async def _document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.document is not None
    content = bytes(await (await update.message.document.get_file()).download_as_bytearray())
    await update.message.reply_document(content.upper(), filename="UPPER.txt",
                                        caption=f"{len(content)} Bytes")


async def _other(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    attachment = update.message.effective_attachment
    kind = "PhotoSize" if isinstance(attachment, tuple) else type(attachment).__name__
    await update.message.reply_text(f"kind={kind}")


@pytest.fixture
async def app(server: LocalBotApi) -> AsyncIterator[App]:
    """A real PTB Application long-polling the server: echo, /start, /menu with buttons, documents..."""
    application = (ApplicationBuilder().token(server.token).base_url(server.base_url)
                   .base_file_url(server.base_file_url).build())
    application.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, _edited))
    application.add_handler(CommandHandler("start", _start))
    application.add_handler(CommandHandler("menu", _menu))
    application.add_handler(CallbackQueryHandler(_pick, pattern=r"^pick:(yes|no)$"))
    application.add_handler(CallbackQueryHandler(_forged))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
    application.add_handler(MessageHandler(filters.Document.ALL, _document))
    application.add_handler(MessageHandler(filters.ALL, _other))
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=1)
    yield application
    await application.updater.stop()
    await application.stop()
    await application.shutdown()


async def test_text_is_echoed_once_and_every_update_is_confirmed(server: LocalBotApi, app: App) -> None:
    first = server.send_text(USER, "Hallo")
    [echo] = await server.wait_for_messages(USER, 1)
    second = server.send_text(USER, "Noch was 😀")
    [echo2] = await server.wait_for_messages(USER, 1)
    assert (echo.text, echo2.text) == ("Hallo", "Noch was 😀")
    assert [first, echo.message_id, second, echo2.message_id] == [1, 2, 3, 4]
    assert echo.kind == "text" and echo.chat_id == USER and echo.reply_markup is None
    await server.wait_until(lambda: not server.updates, message="updates confirmed")
    await asyncio.sleep(0.05)
    assert server.new_messages(USER) == []
    assert [m.text for m in server.messages(USER)] == ["Hallo", "Noch was 😀"]
    assert server.errors == []
    assert {r.method for r in server.requests} >= {"getMe", "deleteWebhook", "getUpdates", "sendMessage"}


async def test_command_entity_reaches_the_command_handler(server: LocalBotApi, app: App) -> None:
    server.send_text(USER, "/start abc123")
    [reply] = await server.wait_for_messages(USER, 1)
    assert reply.text == "started with abc123"
    assert reply.raw_text == "<b>started</b> with abc123" and reply.parse_mode == "HTML"
    assert reply.entities == [{"type": "bold", "offset": 0, "length": 7}]
    server.send_text(USER, f"/start@{server.bot_username}")
    [bare] = await server.wait_for_messages(USER, 1)
    assert bare.text == "started with nothing"


async def test_tapping_a_button_answers_the_query_and_edits_the_message(server: LocalBotApi,
                                                                        app: App) -> None:
    server.send_text(USER, "/menu")
    [menu] = await server.wait_for_messages(USER, 1)
    assert menu.buttons() == [["Ja", "Nein"]]
    labels = r"available: \[\('Ja', 'pick:yes'\), \('Nein', 'pick:no'\)\]"
    with pytest.raises(AssertionError, match=r"'Vielleicht'.*" + labels):
        server.tap(USER, menu.message_id, text="Vielleicht")
    query_id = server.tap(USER, menu.message_id, text="Nein")
    answer = await server.wait_for_callback_answer(query_id)
    assert str(answer) == "Sie wählten no" and not answer.show_alert
    await server.wait_until(lambda: menu.edit_count == 1)
    assert menu.text == "Gewählt: no" and menu.reply_markup is None
    assert menu.history[0].text == "Weiter?" and menu.history[0].reply_markup == PICK.to_dict()
    with pytest.raises(AssertionError, match=r"available: \[\]"):
        server.tap(USER, menu.message_id, text="Ja")

    forged = server.forge_callback(USER, menu.message_id, "pick:maybe")
    assert str(await server.wait_for_callback_answer(forged)) == "Dieser Knopf ist nicht mehr gültig."
    assert server.callback_answers[forged].show_alert
    too_old = r"^Query is too old and response timeout expired or query id is invalid$"
    with pytest.raises(BadRequest, match=too_old):
        await app.bot.answer_callback_query(forged)
    assert server.new_messages(USER) == []


async def test_bot_refusals_surface_as_ptb_exceptions(server: LocalBotApi, app: App) -> None:
    bot = app.bot
    with pytest.raises(BadRequest, match=r"^Message is too long$"):
        await bot.send_message(USER, "x" * 4097)
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await bot.send_message(999, "Hallo?")
    server.add_user(777, "Neu")
    with pytest.raises(Forbidden, match=r"^Forbidden: bot can't initiate conversation with a user$"):
        await bot.send_message(777, "Hallo?")
    server.send_text(USER, "/menu")
    [menu] = await server.wait_for_messages(USER, 1)
    with pytest.raises(BadRequest, match=r"^Message is not modified: specified new message content"):
        await bot.edit_message_text("Weiter?", chat_id=USER, message_id=menu.message_id, reply_markup=PICK)
    with pytest.raises(BadRequest, match=r"^Message to edit not found$"):
        await bot.edit_message_text("Neu", chat_id=USER, message_id=4242)
    with pytest.raises(BadRequest, match=r"^Can't parse entities: unmatched end tag"):
        await bot.send_message(USER, "<b>fett</i>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"^Method not supported by the local server$"):
        await bot.send_dice(USER)
    sent = await bot.send_message(USER, "y" * 4096)
    assert sent.message_id == menu.message_id + 1 and sent.from_user is not None and sent.from_user.is_bot
    assert [(e.method, e.error_code) for e in server.errors] == [
        ("sendMessage", 400), ("sendMessage", 400), ("sendMessage", 403), ("editMessageText", 400),
        ("editMessageText", 400), ("sendMessage", 400), ("sendDice", 400)]


# PTB's own RetryAfter.__init__ reads its deprecated retry_after property.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_injected_errors_and_blocking(server: LocalBotApi, app: App) -> None:
    bot = app.bot
    server.fail_next("sendmessage", 429, "Too Many Requests: retry after 3", retry_after=3)
    with pytest.raises(RetryAfter, match=r"^Flood control exceeded. Retry in 3 seconds$"):
        await bot.send_message(USER, "eins")
    server.fail_next("sendMessage", 502, "Bad Gateway", times=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(USER, "zwei")
    await bot.send_message(USER, "drei")
    server.block(USER)
    with pytest.raises(Forbidden, match=r"^Forbidden: bot was blocked by the user$"):
        await bot.send_message(USER, "vier")
    server.unblock(USER)
    await bot.send_message(USER, "fünf")
    assert [m.text for m in server.messages(USER)] == ["drei", "fünf"]
    assert server.errors[0] == ("sendMessage", 429, "Too Many Requests: retry after 3")
    with pytest.raises(ValueError, match="'sendMesage' is not a Bot API method"):
        server.fail_next("sendMesage", 500, "Internal Server Error")


async def test_commands_are_stored_per_scope_and_language(server: LocalBotApi, app: App) -> None:
    bot = app.bot
    await bot.set_my_commands([BotCommand("help", "Hilfe")])
    await bot.set_my_commands([BotCommand("checkin", "Check-in"), BotCommand("help", "Help")],
                              scope=BotCommandScopeChat(USER), language_code="en")
    assert server.commands() == [{"command": "help", "description": "Hilfe"}]
    chat_scope = {"type": "chat", "chat_id": USER}
    assert [c["command"] for c in server.commands(chat_scope, "en")] == ["checkin", "help"]
    assert server.commands({"type": "chat", "chat_id": USER}, None) == []
    stored = await bot.get_my_commands(scope=BotCommandScopeChat(USER), language_code="en")
    assert [c.command for c in stored] == ["checkin", "help"]
    assert [c["command"] for c in server.menu(USER)] == ["help"]
    server.add_user(USER, "Anna", language_code="en")
    assert [c["command"] for c in server.menu(USER)] == ["checkin", "help"]
    await bot.delete_my_commands(scope=BotCommandScopeChat(USER), language_code="en")
    assert server.commands({"type": "chat", "chat_id": USER}, "en") == []
    with pytest.raises(BadRequest, match=r"^Bot_command_invalid$"):
        await bot.set_my_commands([BotCommand("Help", "Hilfe")])


async def test_files_travel_both_ways(server: LocalBotApi, app: App) -> None:
    server.send_document(USER, "notiz.txt", b"hallo welt")
    [reply] = await server.wait_for_messages(USER, 1)
    assert (reply.kind, reply.caption, reply.file, reply.filename) == ("document", "10 Bytes", b"HALLO WELT",
                                                                         "UPPER.txt")
    photo = await app.bot.send_photo(USER, b"\x89PNG fake", caption="<i>Bild</i>", parse_mode="HTML")
    assert isinstance(photo.photo[-1], PhotoSize) and photo.caption == "Bild"
    [sent] = server.new_messages(USER)
    assert (sent.kind, sent.text, sent.file, sent.caption) == ("photo", "Bild", b"\x89PNG fake", "Bild")
    again = await app.bot.send_photo(USER, photo.photo[-1].file_id)
    assert again.photo[-1].file_id == photo.photo[-1].file_id
    downloaded = await (await app.bot.get_file(photo.photo[-1].file_id)).download_as_bytearray()
    assert bytes(downloaded) == b"\x89PNG fake"
    with pytest.raises(BadRequest, match=r"^Invalid file_id$"):
        await app.bot.get_file("nope")


@pytest.mark.parametrize(("act", "kind"), [
    (lambda s: s.send_sticker(USER), "Sticker"),
    (lambda s: s.send_photo(USER), "PhotoSize"),
    (lambda s: s.send_voice(USER), "Voice"),
    (lambda s: s.send_location(USER, 52.52, 13.405), "Location"),
    (lambda s: s.send_content(USER, dice={"emoji": "🎲", "value": 4}), "Dice"),
    (lambda s: s.send_content(USER, contact={"phone_number": "+49 30 1234", "first_name": "Bea"}), "Contact"),
    (lambda s: s.send_content(USER, video=s.media("video", width=640, height=360, duration=5)), "Video"),
])
async def test_other_kinds_of_messages_parse_in_ptb(server: LocalBotApi, app: App, act: Any,
                                                    kind: str) -> None:
    act(server)
    [reply] = await server.wait_for_messages(USER, 1)
    assert reply.text == f"kind={kind}"


def test_a_message_of_any_kind_must_fit_the_api_description(server: LocalBotApi) -> None:
    with pytest.raises(ValueError, match=r"not a valid Message: result\.dice\.value is empty"):
        server.send_content(USER, dice={"emoji": "🎲"})
    with pytest.raises(ValueError, match="unknown parameter"):
        server.send_content(USER, hologram={"depth": 3})
    assert server.updates == []


async def test_edited_messages_arrive_as_edited_message(server: LocalBotApi, app: App) -> None:
    sent = server.send_text(USER, "Fallkonferenz")
    await server.wait_for_messages(USER, 1)
    server.edit_text(USER, sent, "Etwas anderes")
    [reply] = await server.wait_for_messages(USER, 1)
    assert reply.text == "bearbeitet: Etwas anderes"


async def test_waiting_too_long_explains_what_is_there(server: LocalBotApi, app: App) -> None:
    server.send_text(USER, "eins")
    explained = r"(?s)expected 2 new bot message\(s\) in chat 501.*got 1.*Recent bot messages:.*'eins'"
    with pytest.raises(AssertionError, match=explained):
        await server.wait_for_messages(USER, 2, timeout=0.5)
    with pytest.raises(AssertionError, match="not answered"):
        await server.wait_for_callback_answer("123", timeout=0.05)


async def _call(session: aiohttp.ClientSession, url: str, **params: Any) -> tuple[int, Any]:
    async with session.post(url, json=params) as response:
        return response.status, await response.json()


async def test_get_updates_over_raw_http(server: LocalBotApi) -> None:
    base = f"{server.base_url}{server.token}"
    async with aiohttp.ClientSession() as session:
        server.send_text(USER, "a")
        server.send_text(USER, "b")
        status, body = await _call(session, f"{base}/getUpdates")
        ids = [u["update_id"] for u in body["result"]]
        assert status == 200 and len(ids) == 2 and body["result"][0]["message"]["text"] == "a"
        assert [u["update_id"] for u in (await _call(session, f"{base}/getUpdates"))[1]["result"]] == ids
        _status, later = await _call(session, f"{base}/getUpdates", offset=ids[0] + 1)
        assert [u["update_id"] for u in later["result"]] == ids[1:]
        assert (await _call(session, f"{base}/getupdates", offset=ids[1] + 1, timeout=0))[1] == {"ok": True,
                                                                                               "result": []}

        # A long poll waiting for updates returns as soon as one comes, long before its own timeout.
        polls = sum(r.method == "getUpdates" for r in server.requests)
        poll = asyncio.create_task(_call(session, f"{base}/getUpdates", offset=ids[1] + 1, timeout=50))
        await server.wait_until(lambda: sum(r.method == "getUpdates" for r in server.requests) > polls)
        assert not poll.done()
        server.send_text(USER, "c")
        status, body = await asyncio.wait_for(poll, timeout=10)  # not to hang for the poll's 50 s if it went wrong
        assert body["result"][0]["message"]["text"] == "c"

        async with session.get(f"{base}/getMe") as response:
            me = await response.json()
        assert me["result"]["username"] == server.bot_username and me["result"]["is_bot"] is True
        form = {"chat_id": str(USER), "text": "über Form"}
        async with session.post(f"{base}/sendMessage", data=form) as response:
            assert (await response.json())["result"]["text"] == "über Form"
        assert await _call(session, f"{base}/noSuchMethod") == (
            404, {"ok": False, "error_code": 404, "description": "Not Found"})
        assert server.errors[-1] == ("noSuchMethod", 404, "Not Found")
        assert await _call(session, f"{server.base_url}123:wrong/getMe") == (
            401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        server.fail_next("getMe", 429, "Too Many Requests: retry after 7", retry_after=7)
        assert (await _call(session, f"{base}/getMe"))[1]["parameters"] == {"retry_after": 7}
        markup = json.dumps({"inline_keyboard": [[{"text": "A", "callback_data": "ä" * 33}]]})
        status, body = await _call(session, f"{base}/sendMessage", chat_id=USER, text="x",
                                   reply_markup=markup)
        assert (status, body["description"]) == (400, "Bad Request: BUTTON_DATA_INVALID")


async def test_a_second_long_poll_terminates_the_first(server: LocalBotApi) -> None:
    base = f"{server.base_url}{server.token}"
    async with aiohttp.ClientSession() as session:
        first = asyncio.create_task(_call(session, f"{base}/getUpdates", timeout=5))
        await asyncio.sleep(0.05)
        second = await _call(session, f"{base}/getUpdates", timeout=0)
        assert second == (200, {"ok": True, "result": []})
        status, body = await first
        assert status == 409
        assert body["description"].startswith("Conflict: terminated by other getUpdates request")


async def test_a_wrong_token_is_refused(server: LocalBotApi) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("999:nope", base_url=server.base_url):
            pass
    assert server.errors == [("getMe", 401, "Unauthorized")]
