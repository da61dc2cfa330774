"""Open the SQLite database: WAL mode, foreign keys, a busy timeout, and all migrations applied."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

from sqlite_utils import Database

from storage.migrations import migrations

log = logging.getLogger(__name__)


class WriterDatabase(Database):
    """A sqlite-utils Database whose outermost transaction takes the write lock at once (BEGIN IMMEDIATE).

    With two connections (the bot's and the outbox sender's), a deferred transaction that reads and then writes
    fails at once with SQLITE_BUSY when the other connection committed in between; busy_timeout does not help
    there. Taking the lock up front makes the second writer wait instead (up to busy_timeout).
    """

    @contextlib.contextmanager
    def atomic(self) -> Iterator[Database]:
        """A transaction (a savepoint when nested) that holds the write lock from its start."""
        if self.conn.in_transaction:
            with super().atomic():
                yield self
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.rollback()
            raise
        try:
            self.conn.execute("COMMIT")
        except BaseException:
            self.rollback()
            raise


def open_db(path: Path | str) -> Database:
    """Open (or create) the database file and bring its schema up to date."""
    db = WriterDatabase(str(path))
    db.execute("PRAGMA busy_timeout = 5000")
    # WAL with NORMAL: a commit is not flushed to the disk (FULL would, ~0.4-4 ms each, blocking the event loop,
    # twice per answer); nothing is lost when the process dies (the kill test), and the file is never corrupted,
    # but a power cut or kernel crash may undo the commits since the last sync, which sync_to_disk bounds.
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA secure_delete = ON")  # erased texts (/delete, retention) must not linger in free pages
    if str(path) != ":memory:":
        db.enable_wal()
    migrations.apply(db)
    return db


def sync_to_disk(db: Database) -> bool:
    """Copy what the write-ahead log holds into the database file and flush it (a passive checkpoint: it never
    waits for a writer); run every tick, so a power cut can undo at most the commits since the last tick. False if
    a reader or writer kept part of the log from being copied (the next tick tries again)."""
    busy, in_log, copied = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    if busy or (in_log >= 0 and copied < in_log):
        log.info("database: %d of %d pages of the write-ahead log flushed, the rest at the next tick", copied, in_log)
        return False
    return True


def get_meta(db: Database, key: str) -> str | None:
    """A value from the key/value meta table."""
    row = db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return None if row is None else str(row[0])


def set_meta(db: Database, key: str, value: str) -> None:
    """Store a value in the key/value meta table."""
    with db.atomic():
        db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = ?",
                   [key, value, value])
