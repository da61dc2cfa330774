"""The erasure log, and the two things every erasure owes afterwards: the write-ahead log wiped, the backups scrubbed.

An erasure overwrites rows in the database file (secure_delete zeroes what they held), but the write-ahead log keeps
the pages as they were until a checkpoint truncates it, and a backup keeps them until rotation deletes it. So each
erasure runs in `erasing()`, which marks both as owed in meta in the same transaction; the wipe is attempted right
after (`wipe_log`), and whatever stays owed is retried at the next tick (bot/jobs/erasure.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from sqlite_utils import Database

from storage.db import BUSY_TIMEOUT_MS, first, get_meta, rows

log = logging.getLogger(__name__)

KEY = "erasure_key"  # meta: the random HMAC key of the log (m024_erasure_log makes it)
WIPE_OWED = "erasure_wipe_owed"  # meta: the write-ahead log may still hold erased data
SCRUB_OWED = "erasure_scrub_owed"  # meta: a kept backup may still hold erased data
_WIPE_WAIT_MS = 1000


@dataclass(frozen=True)
class Erasure:
    """One recorded erasure: whom (the keyed hash of their Telegram id), where (None: everywhere), when."""

    subject: str
    network_id: int | None
    erased_at: str


def subject_of(key: str, user_id: int) -> str:
    """The keyed hash that names a Telegram user in the erasure log (the id itself is never stored)."""
    return hmac.new(key.encode(), str(user_id).encode(), hashlib.sha256).hexdigest()


def log_key(db: Database) -> str:
    """This database's key of the erasure log."""
    key = get_meta(db, KEY)
    assert key is not None  # m024_erasure_log made it
    return key


def erasure_log(db: Database) -> list[Erasure]:
    """Every recorded erasure, oldest first."""
    return [Erasure(r["subject"], r["network_id"], r["erased_at"])
            for r in rows(db, "SELECT subject, network_id, erased_at FROM erasures ORDER BY id")]


def record(db: Database, erasure: Erasure) -> None:
    """Add an erasure to the log, unless it is there already (the same erasure applied again to a backup)."""
    db.execute("INSERT INTO erasures (subject, network_id, erased_at) SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM"
               " erasures WHERE subject = ? AND network_id IS ? AND erased_at = ?)",
               [erasure.subject, erasure.network_id, erasure.erased_at] * 2)


def adopt_log(db: Database, key: str, erasures: list[Erasure]) -> bool:
    """Take over another database's erasure log (a backup or a restored file from the database in use): its key,
    where this one has recorded nothing of its own, and its entries; False where the keys differ and both have
    entries (then each log is applied with its own key, and this one keeps its own)."""
    if log_key(db) != key:
        if first(db, "SELECT 1 AS one FROM erasures LIMIT 1") is not None:
            return False
        db.execute("UPDATE meta SET value = ? WHERE key = ?", [key, KEY])
    for erasure in erasures:
        record(db, erasure)
    return True


@contextlib.contextmanager
def erasing(db: Database) -> Iterator[Database]:
    """The transaction of an erasure: where it changed anything, it marks the wipe of the write-ahead log and the
    scrub of the backups as owed, in the same commit, so that neither is forgotten if the process dies right after."""
    with db.atomic():
        before = db.conn.total_changes
        yield db
        if db.conn.total_changes == before:  # nothing was erased
            return
        for key in (WIPE_OWED, SCRUB_OWED):
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, '1')", [key])


def owed(db: Database) -> bool:
    """Whether an erasure still owes its wipe of the write-ahead log or its scrub of the backups."""
    return get_meta(db, WIPE_OWED) is not None or get_meta(db, SCRUB_OWED) is not None


def settled(db: Database, key: str) -> None:
    """Mark the wipe (WIPE_OWED) or the scrub (SCRUB_OWED) as done."""
    with db.atomic():
        db.execute("DELETE FROM meta WHERE key = ?", [key])


def wipe_log(db: Database) -> bool:
    """Copy the write-ahead log into the database file and truncate it to nothing, so that no old page of an erased
    row stays in it; False if a reader or writer held it (WIPE_OWED stays, the next tick tries again)."""
    # While it waits for readers of older snapshots, writers wait too: so it waits a second at most, not five.
    db.execute(f"PRAGMA busy_timeout = {_WIPE_WAIT_MS}")
    try:
        result = first(db, "PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    assert result is not None  # the pragma always returns its one row
    if result["busy"]:
        log.info("erasure: the write-ahead log is in use; it is wiped at the next tick")
        return False
    if get_meta(db, WIPE_OWED) is not None:
        settled(db, WIPE_OWED)  # writes only the meta page to the fresh log
    return True
