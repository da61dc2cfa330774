"""Erasures applied again to a database file other than the one in use: a backup kept, just written, or restored."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from storage.db import open_db, rows, scalar
from storage.erasures import SCRUB_OWED, WIPE_OWED, Erasure, adopt_log, erasure_log, log_key
from storage.rights import erase_old_texts, reapply_erasures

SourceLog = tuple[str, list[Erasure]]  # a database's key of the erasure log, and its entries


def source_log(db_path: Path) -> SourceLog | None:
    """The erasure log of the database in use (read only); None where it has none: no file, a damaged one, or one
    from before the log (m024_erasure_log)."""
    if not db_path.is_file():
        return None
    try:
        source = Database(sqlite3.connect(db_path.resolve().as_uri() + "?mode=ro", uri=True, timeout=10))
        try:
            key = scalar(source, "SELECT value FROM meta WHERE key = 'erasure_key'")
            entries = rows(source, "SELECT subject, network_id, erased_at FROM erasures ORDER BY id")
        finally:
            source.close()
    except sqlite3.Error:
        return None
    return None if key is None else (str(key), [Erasure(**entry) for entry in entries])


def scrub_file(path: Path, source: SourceLog | None, cutoff: datetime | None = None,
               now: datetime | None = None) -> bool:
    """Apply the database in use's erasure log (`source`) and the file's own to a backup file, and with `cutoff` the
    retention (free texts given before it go); then VACUUM it, so that no free page keeps what was erased. The file
    takes over the log, so that it carries every erasure itself. True if anything in it changed."""
    db = open_db(path, wal=False, create=False)  # a file gone meanwhile (rotated) raises: it is never made anew
    try:
        before = db.conn.total_changes
        if source is not None and not adopt_log(db, *source):
            reapply_erasures(db, *source)  # another key: applied, but the file keeps its own log
        reapply_erasures(db, log_key(db), erasure_log(db))  # its own, with the source's where it took them over
        if cutoff is not None and now is not None:
            erase_old_texts(db, cutoff, now)
        changed = db.conn.total_changes != before
        if changed:
            with db.atomic():  # owed by the erasures just made in the file, and done right here
                db.execute("DELETE FROM meta WHERE key IN (?, ?)", [WIPE_OWED, SCRUB_OWED])
            db.execute("VACUUM")
    finally:
        db.close()
    return changed
