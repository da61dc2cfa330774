"""Open the SQLite database: WAL mode, foreign keys, a busy timeout, and all migrations applied."""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database

from storage.migrations import migrations


def open_db(path: Path | str) -> Database:
    """Open (or create) the database file and bring its schema up to date."""
    db = Database(str(path))
    db.execute("PRAGMA busy_timeout = 5000")
    db.execute("PRAGMA foreign_keys = ON")
    if str(path) != ":memory:":
        db.enable_wal()
    migrations.apply(db)
    return db


def get_meta(db: Database, key: str) -> str | None:
    """A value from the key/value meta table."""
    row = db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return None if row is None else str(row[0])


def set_meta(db: Database, key: str, value: str) -> None:
    """Store a value in the key/value meta table."""
    with db.atomic():
        db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = ?",
                   [key, value, value])
