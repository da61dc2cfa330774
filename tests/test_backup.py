"""Backups and the integrity check on real SQLite files: consistency under writes, rotation, damage, the CLI."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from bot.jobs.backup import (
    DatabaseDamaged,
    backup_database,
    backup_due,
    backups_in,
    check_integrity,
    daily_backup,
    rotate,
)
from storage.db import open_db
from tests.e2e import ROOT

NOW = datetime(2027, 3, 2, 9, 30, 5, tzinfo=UTC)


def _fill(db: Database, megabytes: int) -> None:
    """Enough rows for the copy to take several steps (one step copies 1 MB)."""
    db.execute("CREATE TABLE filler (id INTEGER PRIMARY KEY, blob BLOB)")
    with db.atomic():
        for _ in range(megabytes * 16):
            db.execute("INSERT INTO filler (blob) VALUES (randomblob(65536))")


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.execute(sql))
    finally:
        conn.close()


def test_a_backup_while_another_connection_keeps_writing_is_consistent(db: Database, tmp_path: Path) -> None:
    _fill(db, 8)
    db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, payload TEXT)")
    db.execute("CREATE TABLE total (n INTEGER)")
    db.execute("INSERT INTO total VALUES (0)")
    db.conn.commit()
    source = tmp_path / "netzpuls.db"
    committed = 0
    stop = threading.Event()
    started = threading.Event()

    def write() -> None:
        nonlocal committed
        conn = sqlite3.connect(source, timeout=10, isolation_level=None)
        try:
            while not stop.is_set():
                # A row and the total in one transaction: a torn copy would show them disagree.
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("INSERT INTO events (payload) VALUES (?)", [f"event {committed + 1}"])
                conn.execute("UPDATE total SET n = n + 1")
                conn.execute("COMMIT")
                committed += 1
                if committed == 20:
                    started.set()
        finally:
            conn.close()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert started.wait(10)
        before = committed
        made = backup_database(source, tmp_path / "copy.db")
        during = committed - before
    finally:
        stop.set()
        writer.join()
    assert made == tmp_path / "copy.db"
    assert during > 0, "the writer was blocked while the copy ran"
    assert _rows(made, "PRAGMA integrity_check") == [("ok",)]
    assert _rows(made, "PRAGMA journal_mode") == [("delete",)]
    events, total = _rows(made, "SELECT count(*), max(id) FROM events")[0], _rows(made, "SELECT n FROM total")[0][0]
    assert events[0] == events[1] == total
    assert isinstance(total, int) and before <= total <= committed
    assert _rows(made, "SELECT count(*) FROM filler") == [(8 * 16,)]
    assert not list(tmp_path.glob(".netzpuls-backup-*"))
    # The copy is a whole Netzpuls database: it opens and migrates like the original.
    open_db(made).close()


def test_a_backup_refuses_to_overwrite_a_file_and_names_itself_in_a_folder(db: Database, tmp_path: Path) -> None:
    source = tmp_path / "netzpuls.db"
    existing = tmp_path / "mine.db"
    existing.write_bytes(b"keep me")
    with pytest.raises(FileExistsError, match="exists already"):
        backup_database(source, existing)
    assert existing.read_bytes() == b"keep me"
    folder = tmp_path / "backups"
    folder.mkdir()
    made = backup_database(source, folder, NOW)
    assert made == folder / "netzpuls-20270302-093005.db"
    with pytest.raises(FileExistsError):
        backup_database(source, folder, NOW)
    with pytest.raises(FileNotFoundError, match="no database"):
        backup_database(tmp_path / "missing.db", tmp_path / "new.db")
    assert not (tmp_path / "missing.db").exists()


def test_backup_due_looks_at_the_date_of_our_files_only(db: Database, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    assert backup_due(folder, NOW)
    folder.mkdir()
    (folder / "netzpuls-20270302-notes.db").write_text("not ours")
    (folder / "netzpuls-20270301-235959.db").write_text("yesterday")
    assert backup_due(folder, NOW)
    (folder / "netzpuls-20270302-000001.db").write_text("today")
    assert not backup_due(folder, NOW)
    assert backup_due(folder, NOW + timedelta(days=1))


def test_daily_backup_makes_one_a_day_and_keeps_the_newest(db: Database, tmp_path: Path) -> None:
    source, folder = tmp_path / "netzpuls.db", tmp_path / "backups"
    made = [daily_backup(source, folder, NOW + timedelta(days=day), keep=3) for day in range(5)]
    assert all(path is not None for path in made)
    assert daily_backup(source, folder, NOW + timedelta(days=4, hours=1), keep=3) is None
    assert [path.name for path in backups_in(folder)] == [
        "netzpuls-20270304-093005.db", "netzpuls-20270305-093005.db", "netzpuls-20270306-093005.db"]
    assert _rows(folder / "netzpuls-20270306-093005.db", "PRAGMA integrity_check") == [("ok",)]
    assert daily_backup(source, folder, NOW + timedelta(days=9), keep=0) is None
    assert daily_backup(tmp_path / "missing.db", folder, NOW + timedelta(days=9), keep=3) is None
    assert len(backups_in(folder)) == 3


def test_rotation_keeps_exactly_the_newest_and_never_touches_foreign_files(tmp_path: Path) -> None:
    names = [f"netzpuls-2027010{day}-120000.db" for day in range(1, 8)]
    foreign = ["notes.txt", "netzpuls.db", "netzpuls-20260101-120000.db.bak", "netzpuls-2026-01-01.db",
               "other-20260101-120000.db", ".netzpuls-backup-x.tmp"]
    for name in [*names, *foreign]:
        (tmp_path / name).write_text(name)
    (tmp_path / "netzpuls-20260101-120000.db.d").mkdir()
    deleted = rotate(tmp_path, 3)
    assert sorted(path.name for path in deleted) == names[:4]
    assert [path.name for path in backups_in(tmp_path)] == names[4:]
    for name in foreign:
        assert (tmp_path / name).read_text() == name
    assert rotate(tmp_path, 3) == []
    with pytest.raises(ValueError):
        rotate(tmp_path, 0)


def test_a_sound_or_missing_database_passes_the_check(db: Database, tmp_path: Path) -> None:
    check_integrity(tmp_path / "netzpuls.db")
    check_integrity(tmp_path / "not-yet.db")
    (tmp_path / "empty.db").write_bytes(b"")
    check_integrity(tmp_path / "empty.db")


def test_a_database_damaged_in_the_middle_is_refused_with_the_restore_hint(tmp_path: Path) -> None:
    path = tmp_path / "netzpuls.db"
    database = open_db(path)
    _fill(database, 1)
    database.close()  # the last connection checkpoints: everything is in the main file
    size = path.stat().st_size
    page = 4096
    middle = (size // page // 2) * page
    with path.open("r+b") as file:
        file.seek(middle)
        file.write(b"\xff" * page)
    with pytest.raises(DatabaseDamaged) as caught:
        check_integrity(path, tmp_path / "saved")
    message = str(caught.value)
    assert str(path) in message and "SQLite says:" in message
    assert f"python -m bot restore {tmp_path / 'saved'}/netzpuls-YYYYMMDD-HHMMSS.db" in message
    assert f"sqlite3 {path} \".recover\"" in message
    # A backup of a damaged file is refused as well, and leaves nothing behind.
    with pytest.raises(DatabaseDamaged):
        backup_database(path, tmp_path / "copy.db")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["netzpuls.db"]


def test_a_file_that_is_no_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "netzpuls.db"
    path.write_text("SQLite? no, a shopping list: milk, bread, eggs\n" * 100)
    with pytest.raises(DatabaseDamaged, match="not a SQLite database") as caught:
        check_integrity(path)
    assert f"python -m bot restore {tmp_path / 'backups'}/netzpuls-YYYYMMDD-HHMMSS.db" in str(caught.value)


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "NETZPULS_"))}
    env = {**keep, "PYTHONPATH": str(ROOT), "NETZPULS_ENV_FILE": str(tmp_path / "no.env"),
           "NETZPULS_DB": str(tmp_path / "netzpuls.db")}
    return subprocess.run([sys.executable, "-m", "bot", "backup", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def test_the_backup_command_writes_a_file_or_into_a_folder(db: Database, tmp_path: Path) -> None:
    db.execute("INSERT INTO meta (key, value) VALUES ('marker', 'here')")
    db.conn.commit()
    done = _cli(tmp_path, str(tmp_path / "out" / "copy.db"))
    assert done.returncode == 0, done.stderr
    copy = tmp_path / "out" / "copy.db"
    assert f"written to {copy} (" in done.stdout and "KB)" in done.stdout
    assert _rows(copy, "SELECT value FROM meta WHERE key = 'marker'") == [("here",)]
    folder = tmp_path / "backups"
    folder.mkdir()
    done = _cli(tmp_path, str(folder))
    assert done.returncode == 0, done.stderr
    [made] = backups_in(folder)
    assert str(made) in done.stdout
    # A folder that does not exist yet: written with a trailing slash.
    done = _cli(tmp_path, f"{tmp_path / 'new' / 'folder'}/")
    assert done.returncode == 0, done.stderr
    assert len(backups_in(tmp_path / "new" / "folder")) == 1


def test_the_backup_command_fails_with_the_reason(db: Database, tmp_path: Path) -> None:
    (tmp_path / "taken.db").write_text("mine")
    done = _cli(tmp_path, str(tmp_path / "taken.db"))
    assert done.returncode == 1
    assert "No backup made" in done.stderr and "exists already" in done.stderr
    assert (tmp_path / "taken.db").read_text() == "mine"
    db.close()
    (tmp_path / "netzpuls.db").unlink()
    done = _cli(tmp_path, str(tmp_path / "copy.db"))
    assert done.returncode == 1
    assert "There is no database at" in done.stderr
    assert not (tmp_path / "netzpuls.db").exists()


def test_run_refuses_a_damaged_database_with_what_to_do_and_exit_code_1(tmp_path: Path) -> None:
    path = tmp_path / "netzpuls.db"
    path.write_text("SQLite? no, a shopping list\n" * 100)
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "NETZPULS_"))}
    env = {**keep, "PYTHONPATH": str(ROOT), "NETZPULS_ENV_FILE": str(tmp_path / "no.env"), "NETZPULS_DB": str(path),
           "TELEGRAM_BOT_TOKEN": "123:never-used", "TELEGRAM_API_URL": "http://127.0.0.1:9/bot"}
    done = subprocess.run([sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 1
    assert "not a SQLite database" in done.stderr and "Traceback" not in done.stderr
