"""The records of the local Bot API server: users, the bot's messages, answers, logs; their Telegram JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

JSON = dict[str, Any]


@dataclass
class FakeUser:
    """A Telegram user a test acts as; their private chat with the bot has the same id."""

    id: int
    first_name: str
    language_code: str | None = "de"
    username: str | None = None
    last_name: str | None = None
    blocked: bool = False
    started: bool = False

    def to_dict(self) -> JSON:
        """The User object."""
        user: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if (value := getattr(self, key)) is not None:
                user[key] = value
        return user

    def chat_dict(self) -> JSON:
        """The private Chat object of this user's chat with the bot."""
        chat: JSON = {"id": self.id, "type": "private", "first_name": self.first_name}
        for key in ("last_name", "username"):
            if (value := getattr(self, key)) is not None:
                chat[key] = value
        return chat


@dataclass(frozen=True)
class MessageVersion:
    """How a bot message looked before an edit."""

    text: str
    entities: list[JSON]
    reply_markup: JSON | None
    edit_date: int | None


@dataclass
class SentMessage:
    """A message the bot sent, as it looks now: edits change it in place, old versions go to history."""

    message_id: int
    chat_id: int
    kind: str  # "text", "photo" or "document"
    text: str  # the text, or the caption of a photo/document, after entity parsing ("" if none)
    entities: list[JSON]
    reply_markup: JSON | None
    parse_mode: str | None
    date: int
    raw_text: str = ""  # text or caption as the bot sent it, before entity parsing
    file: bytes | None = None
    filename: str | None = None
    file_id: str | None = None
    mime_type: str | None = None
    reply_to_message_id: int | None = None
    edit_date: int | None = None
    history: list[MessageVersion] = field(default_factory=list)
    deleted: bool = False

    @property
    def caption(self) -> str | None:
        """The caption of a photo or document, None for text messages."""
        return None if self.kind == "text" else self.text

    @property
    def edit_count(self) -> int:
        """How often the bot edited this message."""
        return len(self.history)

    def buttons(self) -> list[list[str]]:
        """Labels of the inline keyboard, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [[str(button.get("text", "")) for button in row] for row in rows]

    def summary(self) -> str:
        """One line for failure messages."""
        buttons = f" buttons={self.buttons()}" if self.buttons() else ""
        gone = " (deleted)" if self.deleted else ""
        return f"#{self.message_id} {self.kind}{gone}: {self.text!r}{buttons}"


@dataclass
class CallbackAnswer:
    """What the bot answered to a callback query; str() gives the notification text."""

    query_id: str
    text: str | None = None
    show_alert: bool = False
    url: str | None = None
    cache_time: int | None = None

    def __str__(self) -> str:
        return self.text or ""


@dataclass
class StoredFile:
    """A file getFile knows: uploaded by the bot, or sent by a user."""

    file_id: str
    file_unique_id: str
    content: bytes | None
    filename: str | None
    file_path: str
    mime_type: str | None = None

    def to_dict(self) -> JSON:
        """The File object."""
        result: JSON = {"file_id": self.file_id, "file_unique_id": self.file_unique_id,
                        "file_path": self.file_path}
        if self.content is not None:
            result["file_size"] = len(self.content)
        return result


class RecordedRequest(NamedTuple):
    """A request that passed validation: the method, its converted parameters and when it came (time.monotonic)."""

    method: str
    params: JSON
    at: float = 0.0


class RefusedRequest(NamedTuple):
    """A request the server refused."""

    method: str
    error_code: int
    description: str


@dataclass
class Failure:
    """An injected failure for the next calls of a method."""

    error_code: int
    description: str
    retry_after: int | None
    times: int


@dataclass
class Chat:
    """A private chat: all its messages share one id counter, like on Telegram."""

    user: FakeUser
    last_message_id: int = 0
    user_messages: dict[int, JSON] = field(default_factory=dict)
    bot_messages: dict[int, SentMessage] = field(default_factory=dict)
    arrivals: list[SentMessage] = field(default_factory=list)
    seen: int = 0  # how many of arrivals wait_for_messages/new_messages have handed out

    def next_message_id(self) -> int:
        """A fresh message id in this chat."""
        self.last_message_id += 1
        return self.last_message_id


def bot_message_dict(message: SentMessage, bot: JSON, chat: JSON) -> JSON:
    """The Message object of a bot message, as Telegram returns and shows it now."""
    result: JSON = {"message_id": message.message_id, "from": bot, "chat": chat, "date": message.date}
    if message.edit_date is not None:
        result["edit_date"] = message.edit_date
    is_text = message.kind == "text"
    text_key, entities_key = ("text", "entities") if is_text else ("caption", "caption_entities")
    if message.text:
        result[text_key] = message.text
        if message.entities:
            result[entities_key] = message.entities
    if message.kind == "photo" and message.file_id is not None:
        result["photo"] = photo_sizes(message.file_id, len(message.file or b""))
    if message.kind == "document" and message.file_id is not None:
        document: JSON = {"file_id": message.file_id, "file_unique_id": unique_id(message.file_id)}
        if message.filename:
            document["file_name"] = message.filename
        if message.mime_type:
            document["mime_type"] = message.mime_type
        if message.file is not None:
            document["file_size"] = len(message.file)
        result["document"] = document
    markup = message.reply_markup
    if markup is not None and markup.get("inline_keyboard"):
        result["reply_markup"] = markup
    return result


def unique_id(file_id: str) -> str:
    """A file_unique_id derived from a file_id."""
    return "U" + file_id[-12:]


def photo_sizes(file_id: str, size: int) -> list[JSON]:
    """Two PhotoSize objects for one photo, a thumbnail and the full size."""
    return [
        {"file_id": file_id + "-s", "file_unique_id": unique_id(file_id) + "s", "width": 90, "height": 90,
         "file_size": max(size // 10, 1)},
        {"file_id": file_id, "file_unique_id": unique_id(file_id), "width": 800, "height": 600,
         "file_size": size},
    ]
