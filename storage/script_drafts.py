"""Scripts uploaded in the chat and not yet decided on (drafts), and the preview an editor runs of one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlite_utils import Database

from storage.db import Row, first

Decision = Literal["published", "discarded"]

_COLUMNS = ("id, user_id, network_id, script_id, source, file_name, status, preview_state, created_at, decided_at,"
            " base_version")


@dataclass(frozen=True)
class Draft:
    """A validated upload: who sent it, for which network (None: every network), and whether it was decided."""

    id: int
    user_id: int
    network_id: int | None
    script_id: str
    source: str
    file_name: str
    status: str  # pending, published or discarded
    preview_state: str | None  # the engine state of a running preview (JSON), None when none runs
    created_at: str
    decided_at: str | None
    base_version: int  # the version in use when it was uploaded (what its change summary compared with)

    @property
    def pending(self) -> bool:
        """Whether the draft still waits to be published or discarded."""
        return self.status == "pending"


def _draft(row: Row | None) -> Draft | None:
    return None if row is None else Draft(**row)


def create_draft(db: Database, user_id: int, network_id: int | None, script_id: str, source: str, file_name: str,
                 now: datetime, base_version: int = 0) -> Draft:
    """Store a validated upload as a pending draft, with the version in use it was compared with."""
    with db.atomic():
        cursor = db.execute("INSERT INTO script_drafts (user_id, network_id, script_id, source, file_name, status,"
                            " created_at, base_version) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)",
                            [user_id, network_id, script_id, source, file_name, now.isoformat(), base_version])
    draft = get_draft(db, int(cursor.lastrowid or 0))
    assert draft is not None
    return draft


def get_draft(db: Database, draft_id: int) -> Draft | None:
    """A draft by id."""
    return _draft(first(db, f"SELECT {_COLUMNS} FROM script_drafts WHERE id = ?", [draft_id]))


def decide(db: Database, draft_id: int, status: Decision, now: datetime) -> bool:
    """Mark a pending draft published or discarded, ending its preview; False if it was decided already."""
    with db.atomic():
        cursor = db.execute("UPDATE script_drafts SET status = ?, decided_at = ?, preview_state = NULL"
                            " WHERE id = ? AND status = 'pending'", [status, now.isoformat(), draft_id])
    return cursor.rowcount == 1


def start_preview(db: Database, draft_id: int, state: str) -> bool:
    """Begin (or restart) the preview of a pending draft; the uploader's other previews end. False if decided."""
    with db.atomic():
        cursor = db.execute("UPDATE script_drafts SET preview_state = ? WHERE id = ? AND status = 'pending'",
                            [state, draft_id])
        if cursor.rowcount != 1:
            return False
        db.execute("UPDATE script_drafts SET preview_state = NULL WHERE user_id ="
                   " (SELECT user_id FROM script_drafts WHERE id = ?) AND id != ? AND preview_state IS NOT NULL",
                   [draft_id, draft_id])
    return True


def save_preview(db: Database, draft_id: int, before: str, after: str | None) -> bool:
    """Move a running preview from state `before` to `after` (None: it ended); False if it was not at `before`."""
    with db.atomic():
        cursor = db.execute("UPDATE script_drafts SET preview_state = ? WHERE id = ? AND status = 'pending'"
                            " AND preview_state = ?", [after, draft_id, before])
    return cursor.rowcount == 1


def running_preview(db: Database, user_id: int) -> Draft | None:
    """The pending draft whose preview this user is running, if any."""
    return _draft(first(db, f"SELECT {_COLUMNS} FROM script_drafts WHERE user_id = ? AND status = 'pending'"
                            " AND preview_state IS NOT NULL ORDER BY id DESC LIMIT 1", [user_id]))
