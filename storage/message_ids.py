"""The last message id known in each private chat: Telegram numbers a private chat's messages one by one, so the
next message the bot sends there is expected to get this id + 1 (docs/ARCHITECTURE.md, "Checking a send cut short")."""

from __future__ import annotations

from sqlite_utils import Database

from storage.db import scalar

# Only a person the bot knows (a users row): a stranger's id is not kept, and an erased person's, noted late (the
# Noter keeps what it could not write at once), does not come back.
_NOTE = ("INSERT INTO chat_message_ids (chat_id, last_message_id) SELECT ?, ? WHERE EXISTS (SELECT 1 FROM users"
         " WHERE id = ?) ON CONFLICT (chat_id) DO UPDATE SET last_message_id = MAX(last_message_id,"
         " excluded.last_message_id)")


def note_message_id(db: Database, chat_id: int, message_id: int) -> None:
    """A message with this id was sent or received in this chat (call inside a transaction); ids never go back."""
    if chat_id > 0:  # private chats only: the bot talks to people, not groups
        db.execute(_NOTE, [chat_id, message_id, chat_id])


def last_message_id(db: Database, chat_id: int) -> int | None:
    """The highest message id known in this chat; None if nothing is known of it."""
    found = scalar(db, "SELECT last_message_id FROM chat_message_ids WHERE chat_id = ?", [chat_id])
    return None if found is None else int(found)
