"""Request validation of the local Bot API against the official Bot API 10.0 spec, worded like Telegram."""

from __future__ import annotations

import json
from typing import Any

import pytest

from localapi.entities import parse_html, strip_text
from localapi.spec import ApiError, ApiSpec, UploadedFile


@pytest.fixture(scope="module")
def spec() -> ApiSpec:
    """The vendored spec, parsed once."""
    return ApiSpec.load()


def _keyboard(*buttons: dict[str, Any]) -> str:
    return json.dumps({"inline_keyboard": [list(buttons)]})


def _msg(**extra: Any) -> dict[str, Any]:
    """sendMessage parameters as PTB sends them over HTTP: chat 1, text "a", plus extras."""
    return {"chat_id": "1", "text": "a", **extra}


def _data(data: str) -> dict[str, Any]:
    """sendMessage with one inline button carrying this callback_data."""
    return _msg(reply_markup=_keyboard({"text": "A", "callback_data": data}))


def _html(text: str) -> dict[str, Any]:
    return _msg(text=text, parse_mode="HTML")


def _commands(*commands: dict[str, str], scope: dict[str, Any] | None = None) -> dict[str, Any]:
    params = {"commands": json.dumps(list(commands))}
    return params if scope is None else {**params, "scope": json.dumps(scope)}


BAD = "Bad Request: "
ENTITIES = BAD + "can't parse entities: "
GO = {"command": "go", "description": "Go"}

REFUSED: list[tuple[str, dict[str, Any], int, str]] = [
    ("sendMessagee", _msg(), 404, "Not Found"),
    ("frobnicate", {}, 404, "Not Found"),
    ("sendMessage", _msg(colour="red"), 400, BAD + 'unknown parameter "colour"'),
    ("sendMessage", {"text": "hi"}, 400, BAD + "chat_id is empty"),
    ("sendMessage", {"chat_id": "1"}, 400, BAD + "message text is empty"),
    ("sendMessage", _msg(text=""), 400, BAD + "message text is empty"),
    ("sendMessage", _msg(text="  \n "), 400, BAD + "message text is empty"),
    ("sendMessage", _html("<b> </b>"), 400, BAD + "message text is empty"),
    ("editMessageText", {"chat_id": "1", "message_id": "2"}, 400, BAD + "message text is empty"),
    ("sendMessage", _msg(text="x" * 4097), 400, BAD + "message is too long"),
    ("sendMessage", _msg(text="ä" * 4097), 400, BAD + "message is too long"),
    ("editMessageText", {**_msg(text="x" * 4097), "message_id": "2"}, 400, BAD + "message is too long"),
    ("sendMessage", _html("<b>" + "x" * 4097 + "</b>"), 400, BAD + "message is too long"),
    ("sendMessage", _html("&lt;" * 4097), 400, BAD + "message is too long"),
    ("sendMessage", _data("x" * 65), 400, BAD + "BUTTON_DATA_INVALID"),
    ("sendMessage", _data("ä" * 33), 400, BAD + "BUTTON_DATA_INVALID"),
    ("sendMessage", _data("€" * 22), 400, BAD + "BUTTON_DATA_INVALID"),
    ("sendMessage", _data("😀" * 16 + "x"), 400, BAD + "BUTTON_DATA_INVALID"),
    ("sendMessage", _data(""), 400, BAD + "BUTTON_DATA_INVALID"),
    ("sendMessage", _html("a <b>b"), 400, ENTITIES + 'Can\'t find end tag corresponding to start tag "b"'),
    ("sendMessage", _html("<b>a</i>"), 400,
     ENTITIES + 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
    ("sendMessage", _html("1 < 2"), 400, ENTITIES + "Unsupported start tag at byte offset 2"),
    ("sendMessage", _html("<div>a</div>"), 400, ENTITIES + 'Unsupported start tag "div" at byte offset 0'),
    ("sendMessage", _msg(text="<span>a</span>", parse_mode="html"), 400,
     ENTITIES + 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ("sendMessage", _html("ä</b>"), 400, ENTITIES + 'Unexpected end tag "b" at byte offset 2'),
    ("sendMessage", _msg(parse_mode="BBCode"), 400, BAD + "unsupported parse_mode"),
    ("sendPhoto", {"chat_id": "1", "photo": UploadedFile("a.png", b"x"), "caption": "c" * 1025}, 400,
     BAD + "message caption is too long"),
    ("sendPhoto", {"chat_id": "1", "photo": "id", "caption": "<i>x", "parse_mode": "HTML"}, 400,
     ENTITIES + 'Can\'t find end tag corresponding to start tag "i"'),
    ("answerCallbackQuery", {"callback_query_id": "5", "text": "t" * 201}, 400, BAD + "text is too long"),
    ("answerCallbackQuery", {}, 400, BAD + "callback_query_id is empty"),
    ("sendMessage", _msg(message_thread_id="twelve"), 400, BAD + "message_thread_id has wrong type"),
    ("getUpdates", {"offset": "1.5"}, 400, BAD + "offset has wrong type"),
    ("getUpdates", {"timeout": "true"}, 400, BAD + "timeout has wrong type"),
    ("sendMessage", _msg(disable_notification="maybe"), 400, BAD + "disable_notification has wrong type"),
    ("sendLocation", {"chat_id": "1", "latitude": "nan", "longitude": "1"}, 400,
     BAD + "latitude has wrong type"),
    ("sendMessage", _msg(reply_markup="{not json"), 400, BAD + "can't parse reply_markup JSON object"),
    ("sendMessage", _msg(reply_markup=_keyboard({"text": "A", "callback_data": "x", "colour": "red"})), 400,
     BAD + 'unknown parameter "reply_markup.inline_keyboard[0][0].colour"'),
    ("sendMessage", _msg(reply_markup=json.dumps({"inline_keyboard": [[{"text": 5}]]})), 400,
     BAD + "reply_markup.inline_keyboard[0][0].text has wrong type"),
    ("sendMessage", _msg(reply_markup=json.dumps({"inline_keyboard": [{"text": "A"}]})), 400,
     BAD + "reply_markup.inline_keyboard[0] has wrong type"),
    ("sendMessage", _msg(reply_markup=json.dumps({"keyboard": [["Ja"]]})), 400,
     BAD + "reply_markup.keyboard[0][0] has wrong type"),
    ("setMyCommands", _commands({"command": "a"}), 400, BAD + "commands[0].description is empty"),
    ("setMyCommands", _commands(GO, scope={"type": "chat"}), 400, BAD + "scope.chat_id is empty"),
    ("setMyCommands", _commands(GO, scope={"type": "everyone"}), 400,
     BAD + 'scope.type "everyone" is not a BotCommandScope'),
    ("setMyCommands", _commands(GO, scope={"type": "default", "chat_id": 1}), 400,
     BAD + 'unknown parameter "scope.chat_id"'),
    ("setMyCommands", _commands({"command": "a" * 33, "description": "b"}), 400,
     BAD + "commands[0].command is too long"),
    ("sendPhoto", {"chat_id": "1"}, 400, BAD + "photo is empty"),
    ("sendPhoto", {"chat_id": "1", "photo": "5", "has_spoiler": "yes"}, 400,
     BAD + "has_spoiler has wrong type"),
]


@pytest.mark.parametrize(("method", "params", "code", "description"), REFUSED,
                         ids=[f"{i}-{case[0]}" for i, case in enumerate(REFUSED)])
def test_refusals_are_worded_like_telegram(spec: ApiSpec, method: str, params: dict[str, Any], code: int,
                                           description: str) -> None:
    with pytest.raises(ApiError) as refused:
        spec.validate(method, params)
    assert (refused.value.error_code, refused.value.description) == (code, description)
    assert refused.value.retry_after is None


def _inline(data: str) -> dict[str, Any]:
    return {"inline_keyboard": [[{"text": "A", "callback_data": data}]]}


REPLY_KEYBOARD = {"keyboard": [[{"text": "Ja"}]], "one_time_keyboard": True}
ACCEPTED: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("sendMessage", _msg(chat_id="42", text="x" * 4096), {"chat_id": 42, "text": "x" * 4096}),
    ("sendMessage", _msg(text="ä" * 4096), {"chat_id": 1, "text": "ä" * 4096}),
    ("SENDMESSAGE", _msg(chat_id="@channel"), {"chat_id": "@channel", "text": "a"}),
    ("sendMessage", _html("<b>" + "x" * 4096 + "</b>"),
     {"chat_id": 1, "text": "<b>" + "x" * 4096 + "</b>", "parse_mode": "HTML"}),
    ("sendMessage", _html("&lt;" * 4096), {"chat_id": 1, "text": "&lt;" * 4096, "parse_mode": "HTML"}),
    ("sendMessage", _msg(chat_id="-100123", text="*bold*", parse_mode="MarkdownV2"),
     {"chat_id": -100123, "text": "*bold*", "parse_mode": "MarkdownV2"}),
    ("sendMessage", _msg(disable_notification="True", protect_content="0"),
     {"chat_id": 1, "text": "a", "disable_notification": True, "protect_content": False}),
    ("sendMessage", _data("x" * 64), {"chat_id": 1, "text": "a", "reply_markup": _inline("x" * 64)}),
    ("sendMessage", _data("ä" * 32), {"chat_id": 1, "text": "a", "reply_markup": _inline("ä" * 32)}),
    ("sendMessage", _data("😀" * 16), {"chat_id": 1, "text": "a", "reply_markup": _inline("😀" * 16)}),
    ("sendMessage", _msg(reply_markup=json.dumps(REPLY_KEYBOARD)),
     {"chat_id": 1, "text": "a", "reply_markup": REPLY_KEYBOARD}),
    ("setMyCommands", {**_commands(GO, scope={"type": "chat", "chat_id": 100}), "language_code": "de"},
     {"commands": [GO], "scope": {"type": "chat", "chat_id": 100}, "language_code": "de"}),
    ("setMyCommands", _commands(GO, scope={"type": "chat", "chat_id": "@group"}),
     {"commands": [GO], "scope": {"type": "chat", "chat_id": "@group"}}),
    ("setMyCommands", {"commands": "[]", "scope": '{"type": "all_private_chats"}'},
     {"commands": [], "scope": {"type": "all_private_chats"}}),
    ("getUpdates", {"offset": "-1", "limit": "100", "timeout": "0", "allowed_updates": '["message"]'},
     {"offset": -1, "limit": 100, "timeout": 0, "allowed_updates": ["message"]}),
    ("getUpdates", {"offset": 7, "allowed_updates": ["message", "callback_query"]},
     {"offset": 7, "allowed_updates": ["message", "callback_query"]}),
    ("answerCallbackQuery", {"callback_query_id": "5", "text": "t" * 200, "show_alert": "false"},
     {"callback_query_id": "5", "text": "t" * 200, "show_alert": False}),
    ("sendLocation", {"chat_id": "1", "latitude": "52.52", "longitude": "13"},
     {"chat_id": 1, "latitude": 52.52, "longitude": 13.0}),
    ("getMe", {}, {}),
]


@pytest.mark.parametrize(("method", "params", "expected"), ACCEPTED,
                         ids=[f"{i}-{case[0]}" for i, case in enumerate(ACCEPTED)])
def test_valid_requests_are_converted_to_typed_values(spec: ApiSpec, method: str, params: dict[str, Any],
                                                      expected: dict[str, Any]) -> None:
    assert spec.validate(method, params) == expected


def test_uploads_and_attached_files_pass(spec: ApiSpec) -> None:
    photo = UploadedFile("cat.jpg", b"\xff\xd8", "image/jpeg")
    assert spec.validate("sendPhoto", {"chat_id": "1", "photo": photo})["photo"] is photo
    assert spec.validate("sendPhoto", {"chat_id": "1", "photo": "AgACAgI"})["photo"] == "AgACAgI"
    media = json.dumps([{"type": "photo", "media": "attach://one"}, {"type": "photo", "media": "attach://two"}])
    params = spec.validate("sendMediaGroup", {"chat_id": "1", "media": media, "one": photo, "two": b"jpg"})
    assert params["one"] is photo and params["two"] == UploadedFile("two", b"jpg")
    assert params["media"][1] == {"type": "photo", "media": "attach://two"}
    with pytest.raises(ApiError, match='unknown parameter "three"'):
        spec.validate("sendMediaGroup", {"chat_id": "1", "media": media, "three": photo})
    mixed = json.dumps([{"type": "photo", "media": "attach://one"}, {"type": "audio", "media": "attach://two"}])
    with pytest.raises(ApiError, match=r'media\[1\]\.type must be "photo"'):
        spec.validate("sendMediaGroup", {"chat_id": "1", "media": mixed, "one": photo, "two": b"mp3"})


def test_method_names_match_case_insensitively(spec: ApiSpec) -> None:
    assert spec.method_name("getme") == "getMe"
    assert spec.method_name("ANSWERCALLBACKQUERY") == "answerCallbackQuery"
    assert spec.version == "Bot API 10.0"


def test_results_are_checked_against_the_spec(spec: ApiSpec) -> None:
    user = {"id": 1, "is_bot": True, "first_name": "Bot", "username": "b"}
    assert spec.check_result("getMe", user) == user
    assert spec.check_result("sendChatAction", True) is True
    with pytest.raises(ApiError, match="is_bot is empty"):
        spec.check_object("User", {"id": 1, "first_name": "Bot"})
    with pytest.raises(ApiError, match=r"result\[0\].update_id has wrong type"):
        spec.check_object("Array of Update", [{"update_id": "1"}])


def test_html_becomes_plain_text_and_entities_in_utf16_units() -> None:
    text, entities = parse_html('😀 <b>fett <i>kursiv</i></b> &lt;&amp;&gt; &#228;&#x1F600; '
                                '<a href="https://x.y/?a=1&amp;b=2">Link</a> <tg-spoiler>s</tg-spoiler> '
                                '<pre><code class="language-py">x = 1</code></pre>')
    assert text == "😀 fett kursiv <&> ä😀 Link s x = 1"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 11},
        {"type": "italic", "offset": 8, "length": 6},
        {"type": "text_link", "offset": 23, "length": 4, "url": "https://x.y/?a=1&b=2"},
        {"type": "spoiler", "offset": 28, "length": 1},
        {"type": "pre", "offset": 30, "length": 5, "language": "py"},
    ]
    assert parse_html("Tom &amp Jerry &nbsp;") == ("Tom &amp Jerry &nbsp;", [])
    assert parse_html("<blockquote expandable>q</blockquote>")[1] == [
        {"type": "expandable_blockquote", "offset": 0, "length": 1}]
    assert strip_text("  <b>", []) == ("<b>", [])
    assert strip_text("\n hi ", [{"type": "bold", "offset": 0, "length": 4}]) == (
        "hi", [{"type": "bold", "offset": 0, "length": 2}])
