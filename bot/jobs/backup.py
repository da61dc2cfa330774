"""Backups of the SQLite database (online, consistent, rotated) and its integrity check at start."""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from storage.backup_erasures import scrub_file, source_log

# netzpuls-YYYYMMDD-HHMMSS.db: the only files rotation ever deletes.
BACKUP_NAME = re.compile(r"netzpuls-(\d{8})-(\d{6})\.db")
SQLITE_HEADER = b"SQLite format 3\x00"
SHOWN_PROBLEMS = 5


class DatabaseDamaged(Exception):
    """The database file is not a SQLite database or SQLite finds it damaged; the message says what to do."""


def backup_name(now: datetime) -> str:
    """The file name of a backup taken at `now`: netzpuls-YYYYMMDD-HHMMSS.db."""
    return f"netzpuls-{now:%Y%m%d-%H%M%S}.db"


def backup_database(db_path: Path, dest: Path, now: datetime | None = None) -> Path:
    """Copy the database consistently while it is in use into dest (a new file, or a folder); return the file.

    The copy is made with VACUUM INTO, inside one read snapshot (in WAL mode writers go on), to a temporary file
    beside the destination; erasures recorded meanwhile are applied to it; it is checked with PRAGMA integrity_check
    and only then moved into place. An existing file is never overwritten. In a folder the file is named by `now`
    (default: the time in UTC).
    """
    if not db_path.is_file():
        raise FileNotFoundError(f"There is no database at {db_path}.")
    if dest.is_dir():
        dest = dest / backup_name(now or datetime.now(UTC))
    if dest.exists():
        raise FileExistsError(f"{dest} exists already; give a folder or a new file name.")
    dest.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=dest.parent, prefix=".netzpuls-backup-", suffix=".tmp")
    os.close(handle)
    temp = Path(temp_name)
    try:
        try:
            _copy(db_path, temp)
        except sqlite3.DatabaseError:  # VACUUM INTO reads every page: damage may show as any error ("disk is full")
            if damage := _check(db_path, "quick_check"):
                raise DatabaseDamaged(damage_message(db_path, damage, dest.parent)) from None
            raise
        problems = _check(temp, "integrity_check")
        if problems:
            raise DatabaseDamaged(damage_message(db_path, problems, dest.parent))
        _fsync(temp)
        _place(temp, dest)
    finally:
        temp.unlink(missing_ok=True)
    return dest


def _copy(source: Path, target: Path) -> None:
    """VACUUM INTO in one read snapshot of the source (in WAL mode writers go on): a single rollback-mode file, written
    afresh, so no free page carries what was erased before; then the source's erasures that committed meanwhile are
    applied to it too (storage.backup_erasures)."""
    src = sqlite3.connect(_uri(source), uri=True, timeout=10, isolation_level=None)
    try:
        src.execute("VACUUM INTO ?", [str(target)])
    finally:
        src.close()
    if (erasures := source_log(source)) is not None:  # a Netzpuls database (not some other SQLite file)
        scrub_file(target, erasures)


def _uri(path: Path) -> str:
    """An SQLite URI that opens an existing file read-write and never creates one."""
    return path.resolve().as_uri() + "?mode=rw"


def _fsync(path: Path) -> None:
    """Flush a file to the disk."""
    with path.open("rb") as file:
        os.fsync(file.fileno())


def _place(temp: Path, dest: Path) -> None:
    """Move the finished copy to dest in one step, refusing to replace a file that appeared meanwhile."""
    try:
        os.link(temp, dest)  # atomic, and fails if dest exists
    except FileExistsError:
        raise FileExistsError(f"{dest} exists already; give a folder or a new file name.") from None
    except OSError:  # a file system without hard links
        if dest.exists():
            raise FileExistsError(f"{dest} exists already; give a folder or a new file name.") from None
        os.replace(temp, dest)
    with contextlib.suppress(OSError):  # make the new name durable too (not possible on every system)
        directory = os.open(dest.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def _check(path: Path, pragma: str) -> list[str]:
    """What PRAGMA integrity_check or quick_check reports (empty when all is well), or SQLite's error."""
    try:
        conn = sqlite3.connect(_uri(path), uri=True, timeout=10)
        try:
            rows = [str(row[0]) for row in conn.execute(f"PRAGMA {pragma}")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as error:
        return [str(error)]
    return [] if rows == ["ok"] else rows


def check_integrity(db_path: Path, backups: Path | None = None) -> None:
    """Raise DatabaseDamaged unless db_path is a sound SQLite file (PRAGMA quick_check); a missing file is fine."""
    if not db_path.exists():
        return
    with db_path.open("rb") as file:
        header = file.read(len(SQLITE_HEADER))
    if header and header != SQLITE_HEADER:
        problems = ["this is not a SQLite database file (its first bytes are not 'SQLite format 3')"]
    else:
        problems = _check(db_path, "quick_check")
    if problems:
        raise DatabaseDamaged(damage_message(db_path, problems, backups or db_path.parent / "backups"))


def damage_message(db_path: Path, problems: list[str], backups: Path) -> str:
    """Plain words for a damaged database: which file, what SQLite said, and how to restore or recover it."""
    said = "; ".join(problems[:SHOWN_PROBLEMS])
    if len(problems) > SHOWN_PROBLEMS:
        said += f" (and {len(problems) - SHOWN_PROBLEMS} more)"
    db = str(db_path)
    aside = f"mv {db} {db}.damaged && rm -f {db}-wal {db}-shm"
    return (
        f"The database {db} is damaged. SQLite says: {said}\n"
        f"Netzpuls does not work on a damaged database. Stop the bot, then either\n"
        f"  restore the newest backup from {backups} (ls {backups}/netzpuls-*.db | tail -n 1 names it); this moves\n"
        f"  the damaged file aside and applies every recorded erasure to the restored copy:\n"
        f"    python -m bot restore {backups}/netzpuls-YYYYMMDD-HHMMSS.db\n"
        f"  or, without a backup, let SQLite rescue what it can (needs the sqlite3 command-line tool):\n"
        f"    sqlite3 {db} \".recover\" | sqlite3 {db}.recovered\n"
        f"    {aside} && mv {db}.recovered {db}\n"
        f"and start the bot again (answers given after that backup are lost). See docs/deploy.md."
    )


def backups_in(folder: Path) -> list[Path]:
    """Our own backup files in folder (named netzpuls-YYYYMMDD-HHMMSS.db), oldest first."""
    if not folder.is_dir():
        return []
    return sorted((path for path in folder.iterdir() if BACKUP_NAME.fullmatch(path.name) and path.is_file()),
                  key=lambda path: path.name)


def backup_due(folder: Path, now: datetime) -> bool:
    """True when folder holds no backup made on now's date."""
    day = f"{now:%Y%m%d}"
    return not any(match[1] == day for path in backups_in(folder) if (match := BACKUP_NAME.fullmatch(path.name)))


def rotate(folder: Path, keep: int) -> list[Path]:
    """Delete our oldest backups beyond the newest `keep` (other files are never touched); return those deleted."""
    if keep < 1:
        raise ValueError(f"keep must be at least 1, got {keep}")
    old = backups_in(folder)[:-keep]
    for path in old:
        path.unlink(missing_ok=True)
    return old


def daily_backup(db_path: Path, folder: Path, now: datetime, keep: int) -> Path | None:
    """Back up into folder unless today's backup exists, keep the newest `keep`; return the new file, if any."""
    if keep < 1 or not db_path.is_file():
        return None
    made = backup_database(db_path, folder / backup_name(now)) if backup_due(folder, now) else None
    rotate(folder, keep)
    return made


def human_size(size: int) -> str:
    """A file size for people: 812 bytes, 14.2 KB, 3.1 MB."""
    if size < 1000:
        return f"{size} bytes"
    value = float(size)
    for unit in ("KB", "MB", "GB"):
        value /= 1000
        if value < 1000 or unit == "GB":
            break
    return f"{value:.1f} {unit}"


def backup_command(db_path: Path, dest: str, now: datetime) -> int:
    """`python -m bot backup PATH`: back up the database, say where and how big; 1 with the reason on failure.

    PATH is a folder when it exists as one or ends with a slash (then it is created), else a new file.
    """
    try:
        if dest.endswith(("/", os.sep)):
            Path(dest).mkdir(parents=True, exist_ok=True)
        made = backup_database(db_path, Path(dest), now)
    except (OSError, sqlite3.Error, DatabaseDamaged) as error:
        print(f"No backup made: {error}", file=sys.stderr)
        return 1
    print(f"Backup of {db_path} written to {made} ({human_size(made.stat().st_size)}).")
    return 0
