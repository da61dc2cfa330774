"""The outbox: messages the bot sends on its own initiative, written with the change that caused them."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database


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


def enqueue(db: Database, messages: Iterable[Outgoing], now: datetime) -> int:
    """Queue messages (call inside the transaction of the change that caused them); returns how many were new."""
    added = 0
    for m in messages:
        cursor = db.execute(
            "INSERT OR IGNORE INTO outbox (dedupe_key, kind, chat_id, text, reply_markup, network_id, membership_id,"
            " round_id, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?)",
            [m.dedupe_key, m.kind, m.chat_id, m.text, None if m.reply_markup is None else json.dumps(m.reply_markup),
             m.network_id, m.membership_id, m.round_id, now.isoformat()],
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
    rows = db.execute(
        "SELECT id, kind, chat_id, text, reply_markup, network_id, membership_id, round_id, attempts FROM outbox"
        " WHERE status = 'queued' AND id > ? ORDER BY id LIMIT ?",
        [after_id, limit],
    ).fetchall()
    return [Queued(r[0], r[1], r[2], r[3], None if r[4] is None else json.loads(r[4]), r[5], r[6], r[7], r[8])
            for r in rows]


def mark_sending(db: Database, message_id: int) -> bool:
    """Claim a queued message for sending; False if it is no longer queued (dropped meanwhile)."""
    with db.atomic():
        cursor = db.execute(
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1 WHERE id = ? AND status = 'queued'",
            [message_id],
        )
    return cursor.rowcount == 1


def mark_sent(db: Database, message_id: int, telegram_message_id: int, now: datetime) -> None:
    """Telegram took the message: remember its message id."""
    with db.atomic():
        db.execute(
            "UPDATE outbox SET status = 'sent', sent_at = ?, telegram_message_id = ?, last_error = NULL WHERE id = ?",
            [now.isoformat(), telegram_message_id, message_id],
        )


def mark_retry(db: Database, message_id: int, error: str) -> None:
    """The send failed for a passing reason: queue it again."""
    with db.atomic():
        db.execute("UPDATE outbox SET status = 'queued', last_error = ? WHERE id = ? AND status = 'sending'",
                   [error[:500], message_id])


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


def counts(db: Database) -> dict[str, int]:
    """How many messages are in each status, and how many were in flight at a stop."""
    result = {str(r[0]): int(r[1]) for r in db.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status")}
    row = db.execute("SELECT COALESCE(SUM(in_flight_at_stop), 0) FROM outbox").fetchone()
    result["in_flight_at_stop"] = int(row[0])
    return result
