"""The Bot API methods the local server implements, on top of the simulated Telegram world."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from localapi.entities import parse_html, strip_text
from localapi.objects import JSON, CallbackAnswer, Chat, MessageVersion, SentMessage, StoredFile
from localapi.profile import ProfileMethods, language_of
from localapi.spec import ApiError, UploadedFile
from localapi.webhook import WebhookMethods
from localapi.world import scope_key

Handler = Callable[[JSON], Awaitable[Any]]

_CHAT_ACTIONS = {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
                 "upload_document", "choose_sticker", "find_location", "record_video_note",
                 "upload_video_note"}
_BOT_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_MAX_POLL = 50.0
NOT_MODIFIED = ("Bad Request: message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message")
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


def _markup(value: Any) -> JSON | None:
    """A reply_markup as stored: an empty inline keyboard is no keyboard."""
    if not isinstance(value, dict) or value.get("inline_keyboard") == []:
        return None
    return value


def formatted(text: str, parse_mode: str | None, entities: list[JSON] | None) -> tuple[str, list[JSON]]:
    """Plain text and entities after parsing, trimmed like Telegram trims (Markdown is kept as sent)."""
    if (parse_mode or "").lower() == "html":
        return strip_text(*parse_html(text))
    return strip_text(text, list(entities or []))


class BotApiMethods(WebhookMethods, ProfileMethods):
    """Implementations of the supported Bot API methods; `implemented` maps method names to them."""

    def __init__(self, bot_username: str, bot_id: int) -> None:
        super().__init__(bot_username, bot_id)
        self._poll_generation = 0
        self.implemented: dict[str, Handler] = {
            "getMe": self._get_me, "logOut": self._true, "close": self._true,
            "deleteWebhook": self._delete_webhook, "setWebhook": self._set_webhook,
            "getWebhookInfo": self._get_webhook_info, "getUpdates": self._get_updates,
            "sendMessage": self._send_message, "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup, "deleteMessage": self._delete_message,
            "editMessageCaption": self._edit_message_caption,
            "answerCallbackQuery": self._answer_callback_query, "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands, "deleteMyCommands": self._delete_my_commands,
            "sendChatAction": self._send_chat_action, "sendPhoto": self._send_photo,
            "sendDocument": self._send_document, "getFile": self._get_file, **self.profile_methods(),
        }

    # --- helpers ----------------------------------------------------------------------------------

    def target_chat(self, chat_id: Any) -> Chat:
        """The private chat a method addresses; refused like Telegram refuses unknown, blocked, new users."""
        user = self.users.get(chat_id) if isinstance(chat_id, int) else None
        if user is None:
            raise ApiError(400, "Bad Request: chat not found")
        if user.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if not user.started:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return self.chats[user.id]

    def _editable(self, params: JSON) -> tuple[Chat, SentMessage]:
        if "inline_message_id" in params:
            raise ApiError(400, "Bad Request: inline messages are not supported by the local server")
        if "chat_id" not in params:
            raise ApiError(400, "Bad Request: chat_id is empty")
        if "message_id" not in params:
            raise ApiError(400, "Bad Request: message identifier is not specified")
        chat = self.target_chat(params["chat_id"])
        message = chat.bot_messages.get(params["message_id"])
        if message is None or message.deleted:
            if params["message_id"] in chat.user_messages:
                raise ApiError(400, "Bad Request: message can't be edited")
            raise ApiError(400, "Bad Request: message to edit not found")
        return chat, message

    def _send(self, chat: Chat, params: JSON, kind: str, raw_text: str, entities_key: str,
              stored: StoredFile | None = None) -> JSON:
        text, entities = formatted(raw_text, params.get("parse_mode"), params.get(entities_key))
        reply_to: int | None = None
        if reply := params.get("reply_parameters"):
            reply_to = reply["message_id"]
            exists = reply_to in chat.user_messages or reply_to in chat.bot_messages
            if not exists and not reply.get("allow_sending_without_reply"):
                raise ApiError(400, "Bad Request: message to be replied not found")
            reply_to = reply_to if exists else None
        message = SentMessage(
            message_id=chat.next_message_id(), chat_id=chat.user.id, kind=kind, text=text, entities=entities,
            reply_markup=_markup(params.get("reply_markup")), parse_mode=params.get("parse_mode"),
            date=int(time.time()), raw_text=raw_text, reply_to_message_id=reply_to,
            file=stored.content if stored else None, filename=stored.filename if stored else None,
            file_id=stored.file_id if stored else None, mime_type=stored.mime_type if stored else None)
        self.add_bot_message(chat, message)
        return self.message_json(chat, message)

    def _media(self, value: Any, prefix: str, folder: str) -> StoredFile:
        """The file of a sendPhoto/sendDocument: an upload, a known file_id or a URL (no content)."""
        if isinstance(value, UploadedFile):
            if not value.content:
                raise ApiError(400, "Bad Request: file must be non-empty")
            return self.store_file(prefix, value.content, value.filename, value.content_type, folder)
        if isinstance(value, str) and value in self.files:
            return self.files[value]
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            return self.store_file(prefix, None, value.rsplit("/", 1)[-1] or None, None, folder)
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def _edit(self, message: SentMessage, text: str, entities: list[JSON], markup: JSON | None) -> None:
        message.history.append(MessageVersion(message.text, message.entities, message.reply_markup,
                                              message.edit_date))
        message.text, message.entities, message.reply_markup = text, entities, markup
        message.edit_date = int(time.time())
        self.notify()

    # --- methods ----------------------------------------------------------------------------------

    async def _true(self, params: JSON) -> bool:
        return True

    async def _get_me(self, params: JSON) -> JSON:
        return {**self.bot_user(), "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False, "can_connect_to_business": False, "has_main_web_app": False}

    async def _get_updates(self, params: JSON) -> list[JSON]:
        if self.webhook:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        offset = params.get("offset", 0)
        if offset > 0:
            self.updates[:] = [u for u in self.updates if u["update_id"] >= offset]
        elif offset < 0:
            del self.updates[: max(len(self.updates) + offset, 0)]
        if "allowed_updates" in params:
            self.allowed_updates = params["allowed_updates"] or None
        limit = min(max(params.get("limit", 100), 1), 100)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(max(params.get("timeout", 0), 0), _MAX_POLL)
        self._poll_generation += 1
        generation = self._poll_generation
        self.notify()  # an older long poll still waiting is terminated, as on Telegram
        while True:
            if generation != self._poll_generation:
                raise ApiError(409, "Conflict: terminated by other getUpdates request; "
                                    "make sure that only one bot instance is running")
            ready = self._deliverable()
            remaining = deadline - loop.time()
            if ready or self.closing or remaining <= 0:
                return ready[:limit]
            await self.wait_for_change(remaining)

    async def _send_message(self, params: JSON) -> JSON:
        return self._send(self.target_chat(params["chat_id"]), params, "text", params["text"], "entities")

    async def _send_photo(self, params: JSON) -> JSON:
        chat = self.target_chat(params["chat_id"])
        stored = self._media(params["photo"], "photo", "photos")
        self.files.setdefault(stored.file_id + "-s", stored)
        return self._send(chat, params, "photo", params.get("caption", ""), "caption_entities", stored)

    async def _send_document(self, params: JSON) -> JSON:
        chat = self.target_chat(params["chat_id"])
        stored = self._media(params["document"], "document", "documents")
        return self._send(chat, params, "document", params.get("caption", ""), "caption_entities", stored)

    async def _edit_message_text(self, params: JSON) -> JSON:
        chat, message = self._editable(params)
        if message.kind != "text":
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        text, entities = formatted(params["text"], params.get("parse_mode"), params.get("entities"))
        markup = _markup(params.get("reply_markup"))
        if (text, entities, markup) == (message.text, message.entities, message.reply_markup):
            raise ApiError(400, NOT_MODIFIED)
        message.raw_text, message.parse_mode = params["text"], params.get("parse_mode")
        self._edit(message, text, entities, markup)
        return self.message_json(chat, message)

    async def _edit_message_caption(self, params: JSON) -> JSON:
        chat, message = self._editable(params)
        if message.kind == "text":
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        text, entities = formatted(params.get("caption", ""), params.get("parse_mode"), params.get("caption_entities"))
        markup = _markup(params.get("reply_markup"))
        if (text, entities, markup) == (message.text, message.entities, message.reply_markup):
            raise ApiError(400, NOT_MODIFIED)
        message.raw_text, message.parse_mode = params.get("caption", ""), params.get("parse_mode")
        self._edit(message, text, entities, markup)
        return self.message_json(chat, message)

    async def _edit_message_reply_markup(self, params: JSON) -> JSON:
        chat, message = self._editable(params)
        markup = _markup(params.get("reply_markup"))
        if markup == message.reply_markup:
            raise ApiError(400, NOT_MODIFIED)
        self._edit(message, message.text, message.entities, markup)
        return self.message_json(chat, message)

    async def _delete_message(self, params: JSON) -> bool:
        chat = self.target_chat(params["chat_id"])
        message_id = params["message_id"]
        message = chat.bot_messages.get(message_id)
        if message is not None and not message.deleted:
            message.deleted = True
        elif chat.user_messages.pop(message_id, None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        self.notify()
        return True

    async def _answer_callback_query(self, params: JSON) -> bool:
        query_id = params["callback_query_id"]
        if self.queries.get(query_id, True):
            raise ApiError(400, QUERY_TOO_OLD)
        self.queries[query_id] = True
        self.callback_answers[query_id] = CallbackAnswer(query_id, params.get("text"),
                                                         params.get("show_alert", False), params.get("url"),
                                                         params.get("cache_time"))
        self.notify()
        return True

    def _command_key(self, params: JSON) -> tuple[str, str]:
        scope = params.get("scope")
        if scope and "chat_id" in scope and scope["chat_id"] not in self.users:
            raise ApiError(400, "Bad Request: chat not found")
        return scope_key(scope), language_of(params)

    async def _set_my_commands(self, params: JSON) -> bool:
        commands: list[JSON] = params["commands"]
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: too many commands")
        if any(not _BOT_COMMAND.fullmatch(c["command"]) for c in commands):
            raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        key = self._command_key(params)
        if commands:
            self.command_lists[key] = [{"command": c["command"], "description": c["description"]}
                                       for c in commands]
        else:
            self.command_lists.pop(key, None)
        self.notify()
        return True

    async def _get_my_commands(self, params: JSON) -> list[JSON]:
        return [dict(c) for c in self.command_lists.get(self._command_key(params), [])]

    async def _delete_my_commands(self, params: JSON) -> bool:
        self.command_lists.pop(self._command_key(params), None)
        self.notify()
        return True

    async def _send_chat_action(self, params: JSON) -> bool:
        chat = self.target_chat(params["chat_id"])
        if params["action"] not in _CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        self.chat_actions.append((chat.user.id, params["action"]))
        return True

    async def _get_file(self, params: JSON) -> JSON:
        stored = self.files.get(params["file_id"])
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {**stored.to_dict(), "file_id": params["file_id"]}
