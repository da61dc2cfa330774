"""Which version of each check-in script is in use, and the history of publishing and rolling back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlite_utils import Database


@dataclass(frozen=True)
class StoredVersion:
    """One stored version of a script, and whether it is the one in use."""

    version: int
    created_at: str
    in_use: bool


@dataclass(frozen=True)
class Publication:
    """One publish or rollback."""

    version: int
    published_at: str
    published_by: str
    action: str


def published_version(db: Database, script_id: str) -> int | None:
    """The version in use (the newest publication), or None if the script was never published."""
    row = db.execute("SELECT version FROM script_publications WHERE script_id = ? ORDER BY id DESC LIMIT 1",
                     [script_id]).fetchone()
    return None if row is None else int(row[0])


def newest_version(db: Database, script_id: str) -> int:
    """The highest version number ever stored for the script (0 if none)."""
    row = db.execute("SELECT COALESCE(MAX(version), 0) FROM scripts WHERE script_id = ?", [script_id]).fetchone()
    return int(row[0])


def publish(db: Database, script_id: str, version: int, by: str, now: datetime,
            action: Literal["publish", "rollback"] = "publish") -> None:
    """Put a stored version in use (it must be stored already)."""
    with db.atomic():
        db.execute("INSERT INTO script_publications (script_id, version, published_at, published_by, action)"
                   " VALUES (?, ?, ?, ?, ?)", [script_id, version, now.isoformat(), by, action])


def stored_versions(db: Database, script_id: str) -> list[StoredVersion]:
    """Every stored version of a script, oldest first."""
    current = published_version(db, script_id)
    rows = db.execute("SELECT version, created_at FROM scripts WHERE script_id = ? ORDER BY version",
                      [script_id]).fetchall()
    return [StoredVersion(int(r[0]), str(r[1]), int(r[0]) == current) for r in rows]


def publications(db: Database, script_id: str) -> list[Publication]:
    """The history of publishing and rolling back a script, oldest first."""
    rows = db.execute("SELECT version, published_at, published_by, action FROM script_publications"
                      " WHERE script_id = ? ORDER BY id", [script_id]).fetchall()
    return [Publication(int(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows]

