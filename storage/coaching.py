"""Coaching dialogs of coordinators and the actions they commit to (with how each went)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlite_utils import Database

from storage.db import Row, first, rows, scalar

Outcome = Literal["done", "partly", "not_done"]


@dataclass(frozen=True)
class Session:
    """A coaching dialog: the script version, the topics offered, the engine state."""

    id: int
    membership_id: int
    network_id: int
    round_id: int | None
    script_id: str
    script_version: int
    topics: tuple[tuple[str, str], ...]
    state: str
    status: str


@dataclass(frozen=True)
class Action:
    """A step the coordinator committed to, and how it went."""

    id: int
    membership_id: int
    network_id: int
    round_id: int | None
    topic: str
    topic_label: str
    factor: int | None
    what: str
    with_whom: str | None
    due: str
    created_at: str
    outcome: str | None
    outcome_note: str | None


_SESSION = ("SELECT id, membership_id, network_id, round_id, script_id, script_version, topics, state, status"
            " FROM coaching_sessions")
_ACTION = ("SELECT id, membership_id, network_id, round_id, topic, topic_label, factor, what, with_whom, due,"
           " created_at, outcome, outcome_note FROM actions")


def _session(row: Row | None) -> Session | None:
    if row is None:
        return None
    topics = tuple((str(topic), str(label)) for topic, label in json.loads(str(row["topics"])))
    return Session(int(row["id"]), int(row["membership_id"]), int(row["network_id"]),
                   None if row["round_id"] is None else int(row["round_id"]), str(row["script_id"]),
                   int(row["script_version"]), topics, str(row["state"]), str(row["status"]))


def start_session(db: Database, membership_id: int, network_id: int, round_id: int | None, script_id: str,
                  version: int, topics: tuple[tuple[str, str], ...], state: str, now: datetime) -> Session:
    """Open a coaching dialog (ending an open one of the same coordinator)."""
    with db.atomic():
        db.execute("UPDATE coaching_sessions SET status = 'done', finished_at = ? WHERE membership_id = ?"
                   " AND status = 'open'", [now.isoformat(), membership_id])
        cursor = db.execute(
            "INSERT INTO coaching_sessions (membership_id, network_id, round_id, script_id, script_version, topics,"
            " state, status, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?)",
            [membership_id, network_id, round_id, script_id, version, json.dumps(topics), state, now.isoformat()])
    found = get_session(db, int(cursor.lastrowid or 0))
    assert found is not None
    return found


def get_session(db: Database, session_id: int) -> Session | None:
    """A coaching dialog by id."""
    return _session(first(db, f"{_SESSION} WHERE id = ?", [session_id]))


def open_session(db: Database, membership_id: int) -> Session | None:
    """The coordinator's coaching dialog under way, if any."""
    return _session(first(db, f"{_SESSION} WHERE membership_id = ? AND status = 'open'", [membership_id]))


def advance(db: Database, session: Session, state: str, finished: bool, now: datetime) -> bool:
    """Store the new state (compare-and-set on the old one); False if the dialog moved on meanwhile."""
    with db.atomic():
        cursor = db.execute(
            "UPDATE coaching_sessions SET state = ?, status = ?, finished_at = ? WHERE id = ? AND state = ?"
            " AND status = 'open'", [state, "done" if finished else "open", now.isoformat() if finished else None,
                                     session.id, session.state])
    return cursor.rowcount == 1


def set_prompt(db: Database, session_id: int, message_id: int) -> None:
    """Remember the message that shows the current step."""
    with db.atomic():
        db.execute("UPDATE coaching_sessions SET prompt_message_id = ? WHERE id = ?", [message_id, session_id])


def record_action(db: Database, session: Session, topic: str, label: str, factor: int | None, what: str,
                  with_whom: str | None, due: str, now: datetime) -> None:
    """Keep the commitment of a finished dialog (once per dialog)."""
    with db.atomic():
        db.execute("INSERT OR IGNORE INTO actions (session_id, membership_id, network_id, round_id, topic, topic_label,"
                   " factor, what, with_whom, due, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   [session.id, session.membership_id, session.network_id, session.round_id, topic, label, factor,
                    what, with_whom, due, now.isoformat()])


def actions_of(db: Database, network_id: int) -> list[Action]:
    """The network's actions, newest first."""
    return [Action(**row) for row in rows(db, f"{_ACTION} WHERE network_id = ? ORDER BY id DESC", [network_id])]


def get_action(db: Database, action_id: int) -> Action | None:
    """An action by id."""
    row = first(db, f"{_ACTION} WHERE id = ?", [action_id])
    return None if row is None else Action(**row)


def open_actions_before(db: Database, network_id: int, round_id: int) -> list[Action]:
    """Actions without an outcome committed after earlier rounds: asked about when this round closes."""
    return [Action(**row) for row in rows(
        db, f"{_ACTION} WHERE network_id = ? AND outcome IS NULL AND round_id IS NOT NULL AND round_id < ? ORDER BY id",
        [network_id, round_id])]


def set_outcome(db: Database, action_id: int, outcome: Outcome, now: datetime) -> bool:
    """How the action went; the next typed line becomes its note. False if it had an outcome already."""
    with db.atomic():
        cursor = db.execute("UPDATE actions SET outcome = ?, outcome_at = ?, note_pending = 1 WHERE id = ?"
                            " AND outcome IS NULL", [outcome, now.isoformat(), action_id])
    return cursor.rowcount == 1


def take_note(db: Database, membership_id: int, note: str) -> Action | None:
    """Store a typed line as the note of the coordinator's action awaiting one; None if none awaits."""
    with db.atomic():
        action_id = scalar(db, "SELECT id FROM actions WHERE membership_id = ? AND note_pending = 1 ORDER BY id DESC"
                               " LIMIT 1", [membership_id])
        if action_id is None:
            return None
        db.execute("UPDATE actions SET outcome_note = ?, note_pending = 0 WHERE id = ?", [note, action_id])
        db.execute("UPDATE actions SET note_pending = 0 WHERE membership_id = ?", [membership_id])
    return get_action(db, int(action_id))
