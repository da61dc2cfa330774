"""Every message the bot sends or receives notes its id in storage.message_ids: the outbox expects a chat's next
message to get the next id, which lets it check a send cut short by a crash (bot/jobs/outbox_recovery.py)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from telegram import Update
from telegram.request import HTTPXRequest

from bot.telegram.context import BotContext
from storage.message_ids import note_message_id

log = logging.getLogger(__name__)

_SENDS = ("/sendMessage", "/sendPhoto", "/sendDocument", "/copyMessage", "/forwardMessage")


class NotingRequest(HTTPXRequest):
    """PTB's HTTP client that tells `note` the chat and id of each message a send of the handlers created."""

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
        return code, payload


async def note_received(update: Update, context: BotContext) -> None:
    """A message the person sent (or one of the bot's they tapped) takes an id in their chat too."""
    message = update.effective_message
    if context.ready and message is not None and message.message_id:
        db = context.svc.db
        with db.atomic():
            note_message_id(db, message.chat.id, message.message_id)


def noter(db: Any) -> Callable[[int, int], None]:
    """NotingRequest.note for this database: each id in its own short transaction."""
    def note(chat_id: int, message_id: int) -> None:
        with db.atomic():
            note_message_id(db, chat_id, message_id)
    return note
