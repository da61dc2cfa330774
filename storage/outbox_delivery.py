"""Sends cut short: a row is in flight from the moment its expected message id is written until its outcome is; after
a crash such a row is checked against Telegram (bot/jobs/outbox_recovery.py) rather than sent again blindly."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from storage.db import rows, scalar
from storage.outbox import mark_sent

UNKNOWN = 0  # expected_message_id when the chat's last message id was not known: the send cannot be checked


@dataclass(frozen=True)
class InFlight:
    """A row left "sending" by a stop: what it sent and the message id it was expected to get (None: never sent)."""

    id: int
    chat_id: int
    text: str
    reply_markup: dict[str, Any] | None
    parse_mode: str | None
    has_photo: bool
    expected_message_id: int | None


def expect_delivery(db: Database, row_id: int) -> int:
    """Right before a row's request goes out: write the id its message is expected to get (the chat's last known
    id + 1; UNKNOWN if none is known), which marks it in flight. Returns that id."""
    with db.atomic():
        db.execute(
            "UPDATE outbox SET expected_message_id = COALESCE((SELECT c.last_message_id + 1 FROM chat_message_ids c"
            " WHERE c.chat_id = outbox.chat_id), ?) WHERE id = ? AND status = 'sending'", [UNKNOWN, row_id])
    return int(scalar(db, "SELECT expected_message_id FROM outbox WHERE id = ?", [row_id]) or UNKNOWN)


def in_flight(db: Database) -> list[InFlight]:
    """The rows left "sending" by the last stop, oldest first."""
    found = rows(db, "SELECT id, chat_id, text, reply_markup, parse_mode, photo IS NOT NULL AS has_photo,"
                     " expected_message_id FROM outbox WHERE status = 'sending' ORDER BY id")
    return [InFlight(**(r | {"reply_markup": None if r["reply_markup"] is None else json.loads(r["reply_markup"]),
                             "has_photo": bool(r["has_photo"])})) for r in found]


def requeue_unsent(db: Database, row_id: int) -> None:
    """The row's request never went out (no expected id written): queue it again as if nothing happened."""
    with db.atomic():
        db.execute("UPDATE outbox SET status = 'queued' WHERE id = ? AND status = 'sending'", [row_id])


def requeue_undelivered(db: Database, row_id: int) -> None:
    """The check found the message did not arrive: queue it again, counted as in flight at the stop."""
    with db.atomic():
        db.execute("UPDATE outbox SET status = 'queued', in_flight_at_stop = in_flight_at_stop + 1,"
                   " expected_message_id = NULL WHERE id = ? AND status = 'sending'", [row_id])


def mark_delivered(db: Database, row_id: int, message_id: int, now: datetime) -> None:
    """The check found the message: it arrived before the stop, with this id."""
    with db.atomic():
        db.execute("UPDATE outbox SET in_flight_at_stop = in_flight_at_stop + 1 WHERE id = ?", [row_id])
        mark_sent(db, row_id, message_id, now)


def mark_undecided(db: Database, row_id: int, why: str) -> None:
    """The check could not tell whether the message arrived: it is not sent again (a duplicate is worse than a
    message the admins were told about); kept as failed with the reason."""
    with db.atomic():
        db.execute("UPDATE outbox SET status = 'failed', in_flight_at_stop = in_flight_at_stop + 1, last_error = ?"
                   " WHERE id = ? AND status = 'sending'", [f"undecided after a stop: {why}"[:500], row_id])
