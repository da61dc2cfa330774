"""The chats' last message ids (storage/message_ids.py) are kept only for people the bot knows: a stranger's Telegram
id is never stored, and an erased person's, noted late, never comes back."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlite_utils import Database

from bot.telegram.message_ids import Noter
from storage.db import open_db
from storage.message_ids import last_message_id, note_message_id
from storage.rights import erase_person
from tests.e2e import NOW

KNOWN, OTHER, STRANGER = 4242, 777, 9999


def _person(db: Database, user_id: int) -> None:
    with db.atomic():
        db.execute("INSERT INTO users (id, first_name, locale, created_at) VALUES (?, 'Anna', 'de', ?)",
                   [user_id, NOW.isoformat()])


def test_a_strangers_message_id_is_not_kept(db: Database) -> None:
    _person(db, KNOWN)
    with db.atomic():
        note_message_id(db, STRANGER, 5)
        note_message_id(db, KNOWN, 5)
    assert last_message_id(db, STRANGER) is None
    assert last_message_id(db, KNOWN) == 5


def test_an_erased_persons_id_noted_while_the_database_was_busy_does_not_come_back(tmp_path: Path) -> None:
    db = open_db(tmp_path / "netzpuls.db")
    _person(db, KNOWN)
    _person(db, OTHER)
    noter = Noter(db)
    blocker = sqlite3.connect(tmp_path / "netzpuls.db")
    blocker.execute("BEGIN IMMEDIATE")  # the outbox thread holds the write lock
    noter(KNOWN, 11)  # kept in memory for the next note
    blocker.rollback()
    blocker.close()
    assert erase_person(db, KNOWN, NOW)
    noter(OTHER, 5)  # the next note writes what waited
    ids = dict(db.execute("SELECT chat_id, last_message_id FROM chat_message_ids").fetchall())
    assert ids == {OTHER: 5}
    db.close()
