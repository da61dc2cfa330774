"""Every message the bot sends or receives notes its id in storage.message_ids: the outbox expects a chat's next
message to get the next id, which lets it check a send cut short by a crash (bot/jobs/outbox_recovery.py)."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable
from typing import Any

from sqlite_utils import Database
from telegram import Update

from bot.telegram.context import BotContext
from bot.telegram.limited_request import LimitedRequest
from storage.message_ids import note_message_id

log = logging.getLogger(__name__)

NOTER_KEY = "message_id_noter"  # where post_init keeps the Noter in bot_data

_SENDS = ("/sendMessage", "/sendPhoto", "/sendDocument", "/copyMessage", "/forwardMessage")


class NotingRequest(LimitedRequest):
    """The handlers' HTTP client (texts within Telegram's limits) that tells `note` the chat and id of each message
    their sends created."""

    note: Callable[[int, int], None] | None = None  # set once the database is open (post_init)

    async def do_request(self, url: str, method: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        """The request as PTB makes it; a new message's chat and id are noted before PTB reads the answer."""
        code, payload = await super().do_request(url, method, *args, **kwargs)
        if code == 200 and self.note is not None and url.endswith(_SENDS):
            try:
                result = json.loads(payload)["result"]
                self.note(int(result["chat"]["id"]), int(result["message_id"]))
            except (ValueError, KeyError, TypeError):
                log.warning("a send's answer did not name its message; the chat's next id is not known")
            except sqlite3.Error as error:  # the message went out: failing here would make PTB send it again
                log.warning("could not note a reply's message id (%s)", error)
        return code, payload


async def note_received(update: Update, context: BotContext) -> None:
    """A message the person sent (or one of the bot's they tapped) takes an id in their chat too."""
    message = update.effective_message
    noter = context.bot_data.get(NOTER_KEY)
    if isinstance(noter, Noter) and message is not None and message.message_id:
        noter(message.chat.id, message.message_id)


class Noter:
    """Writes noted message ids without ever waiting for the database's write lock (a handler or the outbox may hold
    it for a while): what cannot be written at once waits in memory for the next note."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._pending: dict[int, int] = {}

    def __call__(self, chat_id: int, message_id: int) -> None:
        """Note a message id of a chat now, or with the next note if the database is busy."""
        self._pending[chat_id] = max(self._pending.get(chat_id, 0), message_id)
        waits = self._db.execute("PRAGMA busy_timeout").fetchone()[0]
        self._db.execute("PRAGMA busy_timeout = 0")
        try:
            with self._db.atomic():
                for chat, last in self._pending.items():
                    note_message_id(self._db, chat, last)
            self._pending.clear()
        except sqlite3.OperationalError as error:  # locked: kept for the next note
            log.info("message ids wait for the next note (%s)", error)
        finally:
            self._db.execute(f"PRAGMA busy_timeout = {int(waits)}")
