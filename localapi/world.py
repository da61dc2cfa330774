"""The Telegram side of the local Bot API server: users, chats, pending updates; tests acting as users."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
from collections.abc import Callable
from typing import Any

from localapi.entities import utf16_len
from localapi.objects import (
    JSON,
    CallbackAnswer,
    Chat,
    FakeUser,
    RecordedRequest,
    RefusedRequest,
    SentMessage,
    StoredFile,
    bot_message_dict,
    photo_sizes,
    unique_id,
)
from localapi.spec import ApiError, ApiSpec

_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{1,64})?")
_DEFAULT_SCOPE = {"type": "default"}
_RECHECK = 0.02  # seconds between re-checks of a caller's predicate that may depend on more than this server


def _text_content(text: str) -> JSON:
    """A text with the bot_command entity Telegram adds for a leading /command."""
    content: JSON = {"text": text}
    if command := _COMMAND.match(text):
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(command.group(0))}]
    return content


def scope_key(scope: JSON | None) -> str:
    """A canonical key for a BotCommandScope (None is the default scope)."""
    return json.dumps(scope or _DEFAULT_SCOPE, sort_keys=True)


class TelegramWorld:
    """Users, chats, messages, pending updates, files, commands; the actions of users and the waits."""

    def __init__(self, bot_username: str, bot_id: int, bot_first_name: str = "Netzpuls Test") -> None:
        self.bot_username = bot_username
        self.bot_id = bot_id
        self.bot_first_name = bot_first_name
        self.users: dict[int, FakeUser] = {}
        self.chats: dict[int, Chat] = {}
        self.updates: list[JSON] = []  # delivered or not, until getUpdates confirms them with an offset
        self.files: dict[str, StoredFile] = {}
        self.queries: dict[str, bool] = {}  # callback query id -> answered
        self.callback_answers: dict[str, CallbackAnswer] = {}
        self.command_lists: dict[tuple[str, str], list[JSON]] = {}
        self.requests: list[RecordedRequest] = []
        self.errors: list[RefusedRequest] = []
        self.chat_actions: list[tuple[int, str]] = []
        self._last_update_id = 0
        self._ids = itertools.count(1)
        self._changed = asyncio.Event()

    # --- bookkeeping ------------------------------------------------------------------------------

    def bot_user(self) -> JSON:
        """The bot's User object as it appears in messages."""
        return {"id": self.bot_id, "is_bot": True, "first_name": self.bot_first_name,
                "username": self.bot_username}

    def notify(self) -> None:
        """Wake everybody who waits for something to change."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_for_change(self, timeout: float) -> None:
        """Return on the next change, or after timeout seconds."""
        changed = self._changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(changed.wait(), max(timeout, 0))

    def new_file_id(self, prefix: str) -> str:
        """A fresh file_id."""
        return f"{prefix}-{next(self._ids):06d}-{self.bot_id}"

    def store_file(self, prefix: str, content: bytes | None, filename: str | None, mime_type: str | None,
                   folder: str) -> StoredFile:
        """Remember a file for getFile and the file download route."""
        file_id = self.new_file_id(prefix)
        suffix = filename.rsplit(".", 1)[-1] if filename and "." in filename else "bin"
        path = f"{folder}/file_{next(self._ids)}.{suffix}"
        stored = StoredFile(file_id, unique_id(file_id), content, filename, path, mime_type)
        self.files[file_id] = stored
        return stored

    def push_update(self, kind: str, payload: JSON) -> int:
        """Queue an update for getUpdates; returns its update_id."""
        self._last_update_id += 1
        self.updates.append({"update_id": self._last_update_id, kind: payload})
        self.notify()
        return self._last_update_id

    def message_json(self, chat: Chat, message: SentMessage) -> JSON:
        """The Message object of a bot message, with the message it replies to."""
        result = bot_message_dict(message, self.bot_user(), chat.user.chat_dict())
        replied = message.reply_to_message_id
        if replied is not None:
            if replied in chat.user_messages:
                result["reply_to_message"] = chat.user_messages[replied]
            elif replied in chat.bot_messages:
                result["reply_to_message"] = bot_message_dict(chat.bot_messages[replied], self.bot_user(),
                                                              chat.user.chat_dict())
        return result

    def add_bot_message(self, chat: Chat, message: SentMessage) -> None:
        """Record a message the bot sent."""
        chat.bot_messages[message.message_id] = message
        chat.arrivals.append(message)
        self.notify()

    # --- users ------------------------------------------------------------------------------------

    def add_user(self, user_id: int, first_name: str, language_code: str | None = "de",
                 username: str | None = None, *, last_name: str | None = None,
                 started: bool = False) -> FakeUser:
        """A user the test can act as (again: updates name and language); started: may get bot messages unasked."""
        user = self.users.get(user_id)
        if user is None:
            user = FakeUser(user_id, first_name, language_code, username, last_name)
            self.users[user_id] = user
            self.chats[user_id] = Chat(user)
        else:
            user.first_name, user.language_code, user.username, user.last_name = (first_name, language_code,
                                                                                   username, last_name)
        user.started = user.started or started
        return user

    def user(self, user_id: int) -> FakeUser:
        """A known user, or a new one named after the id."""
        return self.users.get(user_id) or self.add_user(user_id, f"User{user_id}")

    def block(self, user_id: int) -> None:
        """The user blocks the bot: sending to them is refused with 403 until they write again or unblock."""
        self.user(user_id).blocked = True

    def unblock(self, user_id: int) -> None:
        """The user unblocks the bot."""
        self.user(user_id).blocked = False

    def _from_user(self, user_id: int, **content: Any) -> int:
        """A message from the user to the bot; writing (re)starts and unblocks the bot. The message id."""
        user = self.user(user_id)
        user.started, user.blocked = True, False
        chat = self.chats[user_id]
        message: JSON = {"message_id": chat.next_message_id(), "from": user.to_dict(),
                         "chat": user.chat_dict(), "date": int(time.time()), **content}
        chat.user_messages[message["message_id"]] = message
        self.push_update("message", dict(message))
        return int(message["message_id"])

    def send_text(self, user_id: int, text: str) -> int:
        """The user writes a text; a leading /command gets its bot_command entity. Returns the message id."""
        return self._from_user(user_id, **_text_content(text))

    def send_sticker(self, user_id: int, emoji: str = "👍") -> int:
        """The user sends a sticker."""
        stored = self.store_file("sticker", b"RIFF\x00\x00\x00\x00WEBP", "sticker.webp", "image/webp",
                                 "stickers")
        sticker = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "type": "regular",
                   "width": 512, "height": 512, "is_animated": False, "is_video": False, "emoji": emoji}
        return self._from_user(user_id, sticker=sticker)

    def send_photo(self, user_id: int, caption: str | None = None,
                   content: bytes = b"\xff\xd8\xff\xe0fake-jpeg") -> int:
        """The user sends a photo (with an optional caption)."""
        stored = self.store_file("photo", content, "photo.jpg", "image/jpeg", "photos")
        self.files[stored.file_id + "-s"] = stored
        extra: JSON = {"caption": caption} if caption else {}
        return self._from_user(user_id, photo=photo_sizes(stored.file_id, len(content)), **extra)

    def send_voice(self, user_id: int, duration: int = 3) -> int:
        """The user sends a voice message."""
        stored = self.store_file("voice", b"OggS-fake-voice", "voice.ogg", "audio/ogg", "voice")
        voice = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "duration": duration,
                 "mime_type": "audio/ogg", "file_size": 15}
        return self._from_user(user_id, voice=voice)

    def send_location(self, user_id: int, latitude: float, longitude: float) -> int:
        """The user shares a location."""
        return self._from_user(user_id, location={"latitude": latitude, "longitude": longitude})

    def send_document(self, user_id: int, filename: str, content: bytes,
                      mime_type: str = "text/plain") -> int:
        """The user sends a file; the bot can fetch it with getFile and download it."""
        stored = self.store_file("document", content, filename, mime_type, "documents")
        document = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "file_name": filename,
                    "mime_type": mime_type, "file_size": len(content)}
        return self._from_user(user_id, document=document)

    def send_content(self, user_id: int, **content: Any) -> int:
        """The user sends a message of any kind (video, contact, poll, dice...): its content fields as Telegram
        sends them; checked against the Message type of the API description. Returns the message id."""
        user = self.user(user_id)
        probe: JSON = {"message_id": 1, "from": user.to_dict(), "chat": user.chat_dict(), "date": 0, **content}
        try:
            ApiSpec.load().check_object("Message", probe)
        except ApiError as err:
            raise ValueError(f"not a valid Message: {err.description.rsplit('invalid result: ', 1)[-1]}") from None
        return self._from_user(user_id, **content)

    def media(self, prefix: str, content: bytes = b"fake-media", filename: str | None = None,
              mime_type: str | None = None, **fields: Any) -> JSON:
        """A file object (Video, Audio, Animation...) for send_content: a stored file's ids plus `fields`."""
        stored = self.store_file(prefix, content, filename, mime_type, f"{prefix}s")
        result: JSON = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                        "file_size": len(content), **fields}
        if filename is not None:
            result["file_name"] = filename
        if mime_type is not None:
            result["mime_type"] = mime_type
        return result

    def edit_text(self, user_id: int, message_id: int, new_text: str) -> None:
        """The user edits a text message they sent: an edited_message update."""
        message = self.chats[self.user(user_id).id].user_messages.get(message_id)
        if message is None or "text" not in message:
            raise AssertionError(f"user {user_id} has no text message {message_id} to edit")
        message.pop("entities", None)
        message.update(_text_content(new_text))
        message["edit_date"] = int(time.time())
        self.push_update("edited_message", dict(message))

    def tap(self, user_id: int, message_id: int, *, text: str | None = None, data: str | None = None) -> str:
        """The user presses an inline button (by label or callback_data) on a bot message; the query id."""
        chat = self.chats[self.user(user_id).id]
        message = chat.bot_messages.get(message_id)
        if message is None or message.deleted:
            raise AssertionError(f"no bot message {message_id} in chat {user_id}; "
                                 f"messages: {[m.summary() for m in self.messages(user_id)]}")
        buttons = [b for row in (message.reply_markup or {}).get("inline_keyboard", []) for b in row]
        chosen = next((b for b in buttons if (text is None or b.get("text") == text)
                       and (data is None or b.get("callback_data") == data)), None)
        if chosen is None or "callback_data" not in chosen:
            raise AssertionError(f"no callback button text={text!r} data={data!r} on {message.summary()}; "
                                 f"available: {[(b.get('text'), b.get('callback_data')) for b in buttons]}")
        return self.forge_callback(user_id, message_id, str(chosen["callback_data"]))

    def forge_callback(self, user_id: int, message_id: int, data: str) -> str:
        """A callback_query with any data for a message (InaccessibleMessage if none); the query id."""
        user = self.user(user_id)
        user.started, user.blocked = True, False
        chat = self.chats[user.id]
        message = chat.bot_messages.get(message_id)
        if message is not None and not message.deleted:
            shown = self.message_json(chat, message)
        else:
            shown = {"chat": user.chat_dict(), "message_id": message_id, "date": 0}
        query_id = str(4_000_000_000_000_000 + next(self._ids))
        self.queries[query_id] = False
        self.push_update("callback_query", {"id": query_id, "from": user.to_dict(), "message": shown,
                                            "chat_instance": str(-7_000_000_000 - user.id), "data": data})
        return query_id

    # --- what the bot did -------------------------------------------------------------------------

    def messages(self, chat_id: int) -> list[SentMessage]:
        """The bot's messages in a chat as they look now (deleted ones left out), oldest first."""
        chat = self.chats.get(chat_id)
        return [m for m in chat.bot_messages.values() if not m.deleted] if chat else []

    def sent_count(self, chat_id: int) -> int:
        """How many messages the bot sent to a chat, deleted ones included."""
        chat = self.chats.get(chat_id)
        return len(chat.bot_messages) if chat else 0

    def new_messages(self, chat_id: int) -> list[SentMessage]:
        """Bot messages that arrived in a chat since the last wait_for_messages/new_messages for it."""
        chat = self.chats.get(chat_id)
        if chat is None:
            return []
        fresh = chat.arrivals[chat.seen:]
        chat.seen = len(chat.arrivals)
        return fresh

    def commands(self, scope: JSON | None = None, language_code: str | None = None) -> list[JSON]:
        """The commands set for exactly this scope (None: default) and language (None: all languages)."""
        return [dict(c) for c in self.command_lists.get((scope_key(scope), language_code or ""), [])]

    def menu(self, user_id: int) -> list[JSON]:
        """The commands a user's client shows in the private chat, resolved the way Telegram does."""
        language = self.user(user_id).language_code or ""
        for scope in ({"type": "chat", "chat_id": user_id}, {"type": "all_private_chats"}, None):
            for lang in (language, ""):
                if (scope_key(scope), lang) in self.command_lists:
                    return self.commands(scope, lang or None)
        return []

    # --- waiting ----------------------------------------------------------------------------------

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 5.0,
                         message: str = "") -> None:
        """Wait until predicate() is true; AssertionError after timeout seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                what = message or "condition not met"
                raise AssertionError(f"{what} within {timeout}s{self._recent_errors()}")
            await self.wait_for_change(min(remaining, _RECHECK))

    async def wait_for_messages(self, chat_id: int, count: int, timeout: float = 5.0) -> list[SentMessage]:
        """Wait for `count` new bot messages in a chat (since the last wait/new_messages); exactly those."""
        def arrived() -> int:
            chat = self.chats.get(chat_id)
            return len(chat.arrivals) - chat.seen if chat else 0

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while arrived() < count:
            remaining = deadline - loop.time()
            if remaining <= 0:
                recent = "\n  ".join(m.summary() for m in self.messages(chat_id)[-6:]) or "(none)"
                raise AssertionError(f"expected {count} new bot message(s) in chat {chat_id} within "
                                     f"{timeout}s, got {arrived()}.\nRecent bot messages:\n  {recent}"
                                     f"{self._recent_errors()}")
            await self.wait_for_change(remaining)
        chat = self.chats[chat_id]
        fresh = chat.arrivals[chat.seen:chat.seen + count]
        chat.seen += count
        return fresh

    async def wait_for_callback_answer(self, query_id: str, timeout: float = 5.0) -> CallbackAnswer:
        """Wait until the bot answered a callback query, and return the answer."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while query_id not in self.callback_answers:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"callback query {query_id} not answered within {timeout}s"
                                     f"{self._recent_errors()}")
            await self.wait_for_change(remaining)
        return self.callback_answers[query_id]

    def _recent_errors(self) -> str:
        if not self.errors:
            return ""
        lines = "\n  ".join(f"{e.method}: {e.error_code} {e.description}" for e in self.errors[-6:])
        return f"\nRecently refused requests:\n  {lines}"
