"""The outbox: messages the bot sends on its own initiative, written with the change that caused them."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from storage.db import first, rows, scalar
from storage.message_ids import note_message_id


@dataclass(frozen=True)
class Outgoing:
    """A message to queue; `dedupe_key` makes queueing the same message twice a no-op."""

    dedupe_key: str
    kind: str
    chat_id: int
    text: str
    reply_markup: dict[str, Any] | None = None
    network_id: int | None = None
    membership_id: int | None = None
    round_id: int | None = None
    photo: bytes | None = None  # a PNG sent as a photo; `text` is its caption then (at most 1024 characters)
    parse_mode: str | None = None  # "HTML": `text` is Telegram HTML (every user text in it escaped)


@dataclass(frozen=True)
class Queued:
    """A queued message as the sender sees it."""

    id: int
    kind: str
    chat_id: int
    text: str
    reply_markup: dict[str, Any] | None
    network_id: int | None
    membership_id: int | None
    round_id: int | None
    attempts: int
    has_photo: bool = False
    parse_mode: str | None = None


def enqueue(db: Database, messages: Iterable[Outgoing], now: datetime) -> int:
    """Queue messages (call inside the transaction of the change that caused them); returns how many were new."""
    added = 0
    for m in messages:
        cursor = db.execute(
            "INSERT OR IGNORE INTO outbox (dedupe_key, kind, chat_id, text, reply_markup, network_id, membership_id,"
            " round_id, status, created_at, photo, parse_mode) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)",
            [m.dedupe_key, m.kind, m.chat_id, m.text, None if m.reply_markup is None else json.dumps(m.reply_markup),
             m.network_id, m.membership_id, m.round_id, now.isoformat(), m.photo, m.parse_mode],
        )
        added += cursor.rowcount
    return added


def recover_in_flight(db: Database) -> int:
    """After a stop, sends whose outcome is unknown are queued again and counted; returns how many."""
    with db.atomic():
        cursor = db.execute(
            "UPDATE outbox SET status = 'queued', in_flight_at_stop = in_flight_at_stop + 1 WHERE status = 'sending'"
        )
    return cursor.rowcount


def queued(db: Database, limit: int, after_id: int = 0) -> list[Queued]:
    """The oldest queued messages (after `after_id`), oldest first."""
    found = rows(
        db,
        "SELECT id, kind, chat_id, text, reply_markup, network_id, membership_id, round_id, attempts,"
        " photo IS NOT NULL AS has_photo, parse_mode FROM outbox WHERE status = 'queued' AND id > ? ORDER BY id"
        " LIMIT ?",
        [after_id, limit],
    )
    return [Queued(**(r | {"reply_markup": None if r["reply_markup"] is None else json.loads(r["reply_markup"]),
                           "has_photo": bool(r["has_photo"])})) for r in found]


def photo_of(db: Database, message_id: int) -> bytes | None:
    """The PNG of a queued photo message (read only when it is sent: queue scans stay light)."""
    photo = scalar(db, "SELECT photo FROM outbox WHERE id = ?", [message_id])
    return None if photo is None else bytes(photo)


def mark_sent(db: Database, message_id: int, telegram_message_id: int | None, now: datetime) -> None:
    """Telegram took the message: remember its message id (None if its answer lacked one)."""
    with db.atomic():
        db.execute(
            "UPDATE outbox SET status = 'sent', sent_at = ?, telegram_message_id = ?, last_error = NULL, photo = NULL"
            " WHERE id = ?",  # a sent chart need not be kept
            [now.isoformat(), telegram_message_id, message_id],
        )
        chat_id = scalar(db, "SELECT chat_id FROM outbox WHERE id = ?", [message_id])
        if telegram_message_id is not None and chat_id is not None:  # its next message is expected one id further
            note_message_id(db, chat_id, telegram_message_id)


def mark_retry(db: Database, message_id: int, error: str) -> None:
    """The send failed for a passing reason: queue it again."""
    with db.atomic():
        db.execute("UPDATE outbox SET status = 'queued', last_error = ?, expected_message_id = NULL WHERE id = ?"
                   " AND status = 'sending'", [error[:500], message_id])


def mark_failed(db: Database, message_id: int, error: str) -> None:
    """The send can never succeed (refused by Telegram): keep the row, stop trying."""
    with db.atomic():
        db.execute("UPDATE outbox SET status = 'failed', last_error = ? WHERE id = ?", [error[:500], message_id])


def drop_round_messages(db: Database, round_id: int, kinds: tuple[str, ...] = ("prompt", "reminder")) -> int:
    """Unsent prompts and reminders of a round that closed are moot (call inside the closing transaction)."""
    marks = ", ".join("?" for _ in kinds)
    cursor = db.execute(
        f"UPDATE outbox SET status = 'dropped', last_error = 'round closed' WHERE round_id = ? AND status = 'queued'"
        f" AND kind IN ({marks})",
        [round_id, *kinds],
    )
    return cursor.rowcount


def drop_queued(db: Database, round_id: int | None, membership_id: int, reason: str) -> int:
    """A participant's unsent prompts and reminders (of one round, or all) are moot (call inside a transaction)."""
    cursor = db.execute(
        "UPDATE outbox SET status = 'dropped', last_error = ? WHERE membership_id = ? AND status = 'queued'"
        " AND kind IN ('prompt', 'reminder') AND (? IS NULL OR round_id = ?)",
        [reason, membership_id, round_id, round_id],
    )
    return cursor.rowcount


def claim(db: Database, message_id: int, now: datetime) -> bool:
    """Take a queued message for sending; a prompt or reminder that became moot meanwhile is dropped instead."""
    stamp = now.isoformat()
    with db.atomic():
        row = first(
            db,
            """SELECT o.kind IN ('prompt', 'reminder') AND NOT (
                   COALESCE(r.status = 'open', 0) AND COALESCE(p.status = 'pending', 0)
                   AND (p.snoozed_until IS NULL OR p.snoozed_until <= ?)
                   AND NOT EXISTS (SELECT 1 FROM pauses x WHERE x.membership_id = o.membership_id
                                   AND x.starts_at <= ? AND x.ends_at > ?)) AS moot
               FROM outbox o
               LEFT JOIN rounds r ON r.id = o.round_id
               LEFT JOIN participants p ON p.round_id = o.round_id AND p.membership_id = o.membership_id
               WHERE o.id = ? AND o.status = 'queued'""",
            [stamp, stamp, stamp, message_id],
        )
        if row is None:
            return False
        if row["moot"]:
            db.execute("UPDATE outbox SET status = 'dropped', last_error = 'moot' WHERE id = ?", [message_id])
            return False
        db.execute("UPDATE outbox SET status = 'sending', attempts = attempts + 1 WHERE id = ?", [message_id])
    return True


def mark_uncertain(db: Database, message_id: int, error: str) -> None:
    """The send timed out: it may have arrived; it is queued again and counted, so a duplicate can be told."""
    with db.atomic():
        db.execute("UPDATE outbox SET status = 'queued', uncertain = uncertain + 1, last_error = ?,"
                   " expected_message_id = NULL WHERE id = ? AND status = 'sending'", [error[:500], message_id])
