"""Daily housekeeping on the injected clock: erase free texts past retention, take a backup and rotate the old."""

from __future__ import annotations

import logging
import sqlite3
from calendar import monthrange
from datetime import datetime

from sqlite_utils import Database

from bot.config import Settings
from bot.jobs.backup import backup_due, daily_backup
from storage.db import get_meta, open_db, set_meta
from storage.rights import erase_old_texts

log = logging.getLogger(__name__)
_RETENTION_KEY = "retention_day"


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the month's last day if it is shorter)."""
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    return moment.replace(year=year, month=month + 1, day=min(moment.day, monthrange(year, month + 1)[1]))


def maintenance_due(settings: Settings, db: Database, now: datetime) -> bool:
    """Whether today's retention pass or backup is still to do (cheap: one lookup and one folder listing)."""
    if get_meta(db, _RETENTION_KEY) != now.date().isoformat():
        return True
    return settings.backup_keep > 0 and backup_due(settings.backups_path, now)


def maintenance_pass(settings: Settings, now: datetime) -> None:
    """Erase free texts older than the retention period once a day, then the daily backup if none exists for today
    (own connection: this runs in a worker thread)."""
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
    if settings.backup_keep > 0 and backup_due(settings.backups_path, now):
        try:
            made = daily_backup(settings.db_path, settings.backups_path, now, settings.backup_keep)
        except (OSError, sqlite3.Error):
            log.exception("the daily backup failed; it is tried again at the next tick")
            return
        if made is not None:
            log.info("daily backup written to %s", made)
