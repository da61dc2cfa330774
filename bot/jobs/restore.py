"""`python -m bot restore FILE`: a backup put in place of the database, with every recorded erasure applied again."""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
from datetime import datetime
from pathlib import Path

from bot.config import Settings
from bot.jobs.backup import DatabaseDamaged, _check, _fsync, backup_database, human_size
from bot.jobs.maintenance import months_before
from storage.backup_erasures import scrub_file, source_log


def restore_database(settings: Settings, backup: Path, now: datetime) -> str:
    """Put a copy of `backup` in place of the database (the bot must be stopped); return what was done, in words.

    The copy first gets every erasure recorded in the database in use and in the backup itself, and the retention,
    and is VACUUMed: what was erased after the backup was taken does not come back. A sound database in use is backed
    up into the backups folder first (it is rotated and scrubbed with the others); a damaged one is moved aside.
    Raises DatabaseDamaged for a damaged backup, OSError or sqlite3.Error for what else went wrong.
    """
    if not backup.is_file():
        raise FileNotFoundError(f"There is no backup file at {backup}.")
    if problems := _check(backup, "integrity_check"):
        raise DatabaseDamaged(f"The backup {backup} is damaged, SQLite says: {'; '.join(problems[:5])}. "
                              f"Choose another backup.")
    db_path = settings.db_path
    db_path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=db_path.parent, prefix=".netzpuls-restore-", suffix=".tmp")
    os.close(handle)
    temp = Path(name)
    try:
        source = sqlite3.connect(backup.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            source.execute("VACUUM INTO ?", [str(temp)])  # the backup itself stays as it is
        finally:
            source.close()
        scrub_file(temp, source_log(db_path), months_before(now, settings.retention_months), now)
        if problems := _check(temp, "integrity_check"):
            raise DatabaseDamaged(f"The restored copy is damaged, SQLite says: {'; '.join(problems[:5])}.")
        _fsync(temp)
        before = _put_aside(settings, now)
        for leftover in (Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):  # they belong to the old file
            leftover.unlink(missing_ok=True)
        os.replace(temp, db_path)
    finally:
        temp.unlink(missing_ok=True)
    return (f"Restored {db_path} from {backup} ({human_size(db_path.stat().st_size)}), with every recorded erasure "
            f"applied again and free texts older than {settings.retention_months} months erased. {before}")


def _put_aside(settings: Settings, now: datetime) -> str:
    """Keep the database in use: backed up into the backups folder if sound, else moved aside; what became of it."""
    db_path = settings.db_path
    if not db_path.exists():
        return "There was no database before."
    if not _check(db_path, "quick_check"):
        settings.backups_path.mkdir(parents=True, exist_ok=True)
        made = backup_database(db_path, settings.backups_path, now)
        return f"The database it replaced is kept as the backup {made}."
    damaged = db_path.with_name(f"{db_path.name}.damaged-{now:%Y%m%d-%H%M%S}")
    os.replace(db_path, damaged)
    return f"The damaged database it replaced was moved to {damaged}; delete it once you no longer need it."


def restore_command(settings: Settings, backup: Path, now: datetime) -> int:
    """`python -m bot restore FILE`: restore, say what was done; 1 with the reason on failure."""
    try:
        print(restore_database(settings, backup, now))
    except (OSError, sqlite3.Error, DatabaseDamaged) as error:
        print(f"Nothing restored: {error}", file=sys.stderr)
        return 1
    return 0
