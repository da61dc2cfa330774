"""Open the SQLite database (WAL mode, foreign keys, a busy timeout, and all migrations applied), and read rows by
column name.

Storage reads no column by its position: a query's rows come through `first`, `rows` and `scalar` as dicts by column
name (alias every expression, and columns whose names would clash: `n.name AS network_name`), or, on hot paths that
scan thousands of rows, through `picked`: each row's values of the columns named, in the order named, to unpack into
variables of those names (tests/test_storage_rows.py keeps it so).
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Iterator, Sequence
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from storage.migrations import migrations

log = logging.getLogger(__name__)

Row = dict[str, Any]  # one row of a query by column name
Params = Sequence[Any] | dict[str, Any]
BUSY_TIMEOUT_MS = 5000  # how long a connection waits for another one's lock
_column_name = itemgetter(0)  # of an entry of a cursor's description (DB-API: name, type_code, ...), not of a row


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


def open_db(path: Path | str, *, wal: bool = True, create: bool = True) -> Database:
    """Open (or create) the database file and bring its schema up to date. A backup is opened with `wal=False` (it
    stays one self-contained file) and `create=False` (a file gone meanwhile raises instead of coming back empty)."""
    target = str(path) if create else sqlite3.connect(Path(path).resolve().as_uri() + "?mode=rw", uri=True)
    db = WriterDatabase(target)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    # WAL with NORMAL: a commit is not flushed to the disk (FULL would, ~0.4-4 ms each, blocking the event loop,
    # twice per answer); nothing is lost when the process dies (the kill test), and the file is never corrupted,
    # but a power cut or kernel crash may undo the commits since the last sync, which sync_to_disk bounds.
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA secure_delete = ON")  # erased texts (/delete, retention) must not linger in free pages
    if wal and str(path) != ":memory:":
        db.enable_wal()
    migrations.apply(db)
    return db


def _names(cursor: sqlite3.Cursor) -> list[str]:
    """The column names of a query's rows; a ValueError if two are the same (one would hide the other in a dict)."""
    names = list(map(_column_name, cursor.description))
    if len(set(names)) != len(names):
        raise ValueError(f"columns of the same name (alias them): {names}")
    return names


def rows(db: Database, sql: str, params: Params = ()) -> list[Row]:
    """Every row of a query, each a dict by column name."""
    cursor = db.execute(sql, params)
    names = _names(cursor)
    return [dict(zip(names, row, strict=True)) for row in cursor]


def first(db: Database, sql: str, params: Params = ()) -> Row | None:
    """The first row of a query as a dict by column name; None if it has none."""
    cursor = db.execute(sql, params)
    row = cursor.fetchone()
    return None if row is None else dict(zip(_names(cursor), row, strict=True))


def scalar(db: Database, sql: str, params: Params = ()) -> Any:
    """The value of a one-column query in its first row; None if it has no row, or if that value is NULL (use `first`
    where the two differ)."""
    cursor = db.execute(sql, params)
    if len(cursor.description) != 1:
        raise ValueError(f"scalar() reads a query of one column, not {_names(cursor)}")
    row = cursor.fetchone()
    if row is None:
        return None
    (value,) = row
    return value


def picked(db: Database, sql: str, params: Params, names: Sequence[str]) -> Iterator[tuple[Any, ...]]:
    """Each row of a query as the values of the columns `names` (two or more), in the order of `names` whatever the
    query's order: for scans of thousands of rows, unpacked into variables named for them, without a dict or an object
    per row. A ValueError for a name the query lacks."""
    cursor = db.execute(sql, params)
    found = _names(cursor)
    if len(names) < 2 or not set(names) <= set(found):
        raise ValueError(f"picked() takes two or more of the query's columns {found}, not {list(names)}")
    return map(itemgetter(*(found.index(name) for name in names)), cursor.fetchall())


def sync_to_disk(db: Database) -> bool:
    """Copy what the write-ahead log holds into the database file and flush it (a passive checkpoint: it never
    waits for a writer); run every tick, so a power cut can undo at most the commits since the last tick. False if
    a reader or writer kept part of the log from being copied (the next tick tries again)."""
    result = first(db, "PRAGMA wal_checkpoint(PASSIVE)")
    assert result is not None  # the pragma always returns its one row
    busy, in_log, copied = result["busy"], result["log"], result["checkpointed"]
    if busy or (in_log >= 0 and copied < in_log):
        log.info("database: %d of %d pages of the write-ahead log flushed, the rest at the next tick", copied, in_log)
        return False
    return True


def get_meta(db: Database, key: str) -> str | None:
    """A value from the key/value meta table."""
    value = scalar(db, "SELECT value FROM meta WHERE key = ?", [key])
    return None if value is None else str(value)


def set_meta(db: Database, key: str, value: str) -> None:
    """Store a value in the key/value meta table."""
    with db.atomic():
        db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = ?",
                   [key, value, value])
