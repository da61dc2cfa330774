"""Housekeeping on the injected clock: erase free texts past retention once a day, settle what erasures owe (the
write-ahead log wiped, the kept backups scrubbed), take the daily backup and rotate the old."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from calendar import monthrange
from datetime import datetime

from sqlite_utils import Database

from bot.config import Settings
from bot.jobs.backup import backup_due, backups_in, daily_backup
from storage.backup_erasures import scrub_file
from storage.db import get_meta, open_db, set_meta
from storage.erasures import SCRUB_OWED, WIPE_OWED, erasure_log, log_key, owed, settled, wipe_log
from storage.rights import erase_old_texts

log = logging.getLogger(__name__)
_RETENTION_KEY = "retention_day"
_BACKUP_FILES = threading.Lock()  # one worker thread at a time writes backups or scrubs them


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the month's last day if it is shorter)."""
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    return moment.replace(year=year, month=month + 1, day=min(moment.day, monthrange(year, month + 1)[1]))


def maintenance_due(settings: Settings, db: Database, now: datetime) -> bool:
    """Whether today's retention pass or backup is still to do (cheap: one lookup and one folder listing)."""
    if get_meta(db, _RETENTION_KEY) != now.date().isoformat() or owed(db):
        return True
    return settings.backup_keep > 0 and backup_due(settings.backups_path, now)


def maintenance_pass(settings: Settings, now: datetime) -> None:
    """Erase free texts older than the retention period once a day, settle what erasures owe, then the daily backup
    if none exists for today (own connection: this runs in a worker thread)."""
    db = open_db(settings.db_path)
    try:
        today = now.date().isoformat()
        erased = 0
        if get_meta(db, _RETENTION_KEY) != today:
            erased = erase_old_texts(db, months_before(now, settings.retention_months), now)
            set_meta(db, _RETENTION_KEY, today)
    finally:
        db.close()
    if erased:
        log.info("retention: erased %d free-text answers older than %d months", erased, settings.retention_months)
    settle_erasures(settings, now)
    if settings.backup_keep > 0 and backup_due(settings.backups_path, now):
        try:
            with _BACKUP_FILES:
                made = daily_backup(settings.db_path, settings.backups_path, now, settings.backup_keep)
        except (OSError, sqlite3.Error):
            log.exception("the daily backup failed; it is tried again at the next tick")
            return
        if made is not None:
            log.info("daily backup written to %s", made)


def settle_erasures(settings: Settings, now: datetime) -> bool:
    """What erasures owe (storage.erasures): wipe the write-ahead log, and apply the erasure log and the retention to
    every kept backup; True when nothing stays owed (else the next tick tries again). Own connection: this runs in a
    worker thread, right after an erasure and at every tick while anything is owed."""
    with _BACKUP_FILES:
        try:
            db = open_db(settings.db_path)
            try:
                if get_meta(db, WIPE_OWED) is not None:
                    wipe_log(db)
                if get_meta(db, SCRUB_OWED) is not None and _scrub_backups(settings, db, now):
                    settled(db, SCRUB_OWED)
                return not owed(db)
            finally:
                db.close()
        except (OSError, sqlite3.Error):  # the erasure itself is done; what it owes stays owed, and is retried
            log.exception("erasure: the write-ahead log or the backups could not be settled; tried again at the next "
                          "tick")
            return False


def _scrub_backups(settings: Settings, db: Database, now: datetime) -> bool:
    """Every kept backup gets the recorded erasures and the retention; False if one could not (it is tried again)."""
    source = (log_key(db), erasure_log(db))
    cutoff = months_before(now, settings.retention_months)
    done = True
    for path in backups_in(settings.backups_path):
        try:
            if scrub_file(path, source, cutoff, now):
                log.info("erasure: applied to the backup %s", path.name)
        except (OSError, sqlite3.Error):
            log.exception("erasure: the backup %s could not be scrubbed; tried again at the next tick", path.name)
            done = False
    return done


SETTLE_TRIES = 5  # a write-ahead log in use by a reader is usually free again within a second


async def settle_now(settings: Settings, now: datetime) -> bool:
    """settle_erasures in a worker thread, awaited: right after an erasure, before the person is told it is done;
    tried a few times a second apart, as the person's "erased" should be true when they read it."""
    for attempt in range(SETTLE_TRIES):
        if await asyncio.to_thread(settle_erasures, settings, now):
            return True
        if attempt + 1 < SETTLE_TRIES:
            await asyncio.sleep(1.0)
    log.warning("erasure: log or backups still busy after %d tries; done at the next tick", SETTLE_TRIES)
    return False
