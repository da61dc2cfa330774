"""Erased data leaves the files, read byte by byte: the write-ahead log, the database, kept backups, restored ones."""

from __future__ import annotations

import ast
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from bot.config import Settings
from bot.core.script.model import Script
from bot.jobs.backup import backup_database, backup_name, backups_in
from bot.jobs.maintenance import maintenance_due, settle_erasures
from bot.jobs.restore import restore_command
from storage.db import get_meta, open_db, sync_to_disk
from storage.erasures import WIPE_OWED, erasure_log
from storage.people import create_invite, redeem_invite
from storage.rights import erase_old_texts, erase_person
from tests.e2e import NOW, ROOT
from tests.test_rights_storage import TEXT, _answer_with_text, _partner

NAME = "Annegret"  # a first name nothing else in the database holds


def _raw(*paths: Path) -> bytes:
    """The bytes of the files that exist among `paths`."""
    return b"".join(path.read_bytes() for path in paths if path.exists())


def _files(db_path: Path) -> list[Path]:
    """The database file and its write-ahead log."""
    return [db_path, Path(f"{db_path}-wal")]


def _holds(data: bytes) -> set[str]:
    """Which of the name and the free text the bytes hold."""
    return {needle for needle in (NAME, TEXT) if needle.encode() in data}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """A database file with its backups folder beside it."""
    return Settings(token="", db_path=tmp_path / "netzpuls.db")


@pytest.fixture
def live(settings: Settings) -> Iterator[Database]:
    """The bot's connection, open all along (so the write-ahead log stays, as while the bot runs)."""
    db = open_db(settings.db_path)
    yield db
    db.close()


def _answered(db: Database, script: Script, user_id: int = 501) -> int:
    """A partner named NAME who gave the free text TEXT, flushed into the database file as the bot's tick does."""
    member = _partner(db, user_id)
    db.execute("UPDATE users SET first_name = ? WHERE id = ?", [NAME, user_id])
    db.conn.commit()
    _answer_with_text(db, script, member, NOW)
    assert sync_to_disk(db)
    return member.user_id


def test_an_erasure_leaves_nothing_in_the_write_ahead_log_or_the_database_file(
        settings: Settings, live: Database, monthly_script: Script) -> None:
    user_id = _answered(live, monthly_script)
    assert _holds(_raw(*_files(settings.db_path))) == {NAME, TEXT}
    assert erase_person(live, user_id, NOW + timedelta(days=1))
    assert maintenance_due(settings, live, NOW + timedelta(days=1))  # owed: the next tick settles it at the latest
    assert settle_erasures(settings, NOW + timedelta(days=1))
    assert _holds(_raw(*_files(settings.db_path))) == set()
    # the numbers stay, and nothing is owed any more
    assert live.execute("SELECT value_json FROM answers WHERE step_id = 'goals_clear'").fetchone() == ("5",)
    assert settle_erasures(settings, NOW + timedelta(days=1))


def test_a_wipe_held_up_by_a_reader_stays_owed_and_a_later_tick_does_it(
        settings: Settings, live: Database, monthly_script: Script) -> None:
    user_id = _answered(live, monthly_script)
    reader = sqlite3.connect(settings.db_path, isolation_level=None)
    reader.execute("BEGIN")
    assert reader.execute("SELECT COUNT(*) FROM users").fetchone() == (1,)  # a snapshot from before the erasure
    later = NOW + timedelta(days=1)
    assert erase_person(live, user_id, later)
    assert not settle_erasures(settings, later)
    assert get_meta(live, WIPE_OWED) == "1" and maintenance_due(settings, live, later)
    assert TEXT in _holds(_raw(*_files(settings.db_path)))
    reader.execute("COMMIT")
    reader.close()
    assert settle_erasures(settings, later)  # what the next tick runs while anything is owed
    assert _holds(_raw(*_files(settings.db_path))) == set() and get_meta(live, WIPE_OWED) is None


def test_the_retention_leaves_nothing_in_the_files_either(
        settings: Settings, live: Database, monthly_script: Script) -> None:
    _answered(live, monthly_script)
    later = NOW + timedelta(days=800)
    assert erase_old_texts(live, later - timedelta(days=730), later) == 1
    assert settle_erasures(settings, later)
    assert _holds(_raw(*_files(settings.db_path))) == {NAME}  # the name stays: the person is still a member


def test_a_kept_backup_loses_the_erased_person_right_after_the_erasure(
        settings: Settings, live: Database, monthly_script: Script) -> None:
    user_id = _answered(live, monthly_script)
    kept = backup_database(settings.db_path, settings.backups_path / backup_name(NOW))
    assert _holds(kept.read_bytes()) == {NAME, TEXT}
    assert erase_person(live, user_id, NOW + timedelta(days=1))
    assert settle_erasures(settings, NOW + timedelta(days=1))
    assert _holds(kept.read_bytes()) == set()
    assert not Path(f"{kept}-journal").exists() and not Path(f"{kept}-wal").exists()  # still one file
    copy = sqlite3.connect(kept)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT value_json FROM answers WHERE step_id = 'goals_clear'").fetchone() == ("5",)
        assert copy.execute("SELECT COUNT(*) FROM users WHERE id = ?", [user_id]).fetchone() == (0,)
        assert copy.execute("SELECT COUNT(*) FROM erasures").fetchone() == (1,)  # the backup carries the erasure
    finally:
        copy.close()


def test_a_backup_written_after_an_erasure_holds_no_free_page_with_the_erased_text(
        settings: Settings, live: Database, monthly_script: Script) -> None:
    user_id = _answered(live, monthly_script)
    live.execute("PRAGMA secure_delete = OFF")  # even if a page of the database in use still held it
    assert erase_person(live, user_id, NOW + timedelta(days=1))
    assert sync_to_disk(live)
    made = backup_database(settings.db_path, settings.backups_path / backup_name(NOW + timedelta(days=1)))
    assert _holds(made.read_bytes()) == set()


def test_a_restored_older_backup_gets_the_erasures_made_since(
        settings: Settings, live: Database, monthly_script: Script, tmp_path: Path) -> None:
    user_id = _answered(live, monthly_script)
    offsite = backup_database(settings.db_path, tmp_path / "offsite" / backup_name(NOW))  # not a kept backup
    erased_at = NOW + timedelta(days=1)
    assert erase_person(live, user_id, erased_at)
    # Someone else, and the same person again later: both stay in a restore of a newer backup
    network = live.execute("SELECT network_id, organisation_id FROM invites LIMIT 1").fetchone()
    back = create_invite(live, network[0], "partner", network[1], NOW + timedelta(days=2), 14)
    redeem_invite(live, back.token, user_id, "Anna", "de", 2, NOW + timedelta(days=2))
    assert settle_erasures(settings, erased_at + timedelta(days=1))
    assert _holds(offsite.read_bytes()) == {NAME, TEXT}  # a copy elsewhere is the operator's to delete
    live.close()
    assert restore_command(settings, offsite, NOW + timedelta(days=3)) == 0
    assert _holds(_raw(*_files(settings.db_path))) == set()
    assert not Path(f"{settings.db_path}-wal").exists()
    restored = open_db(settings.db_path)
    try:
        assert restored.execute("SELECT COUNT(*) FROM users WHERE id = ?", [user_id]).fetchone() == (0,)
        assert restored.execute("SELECT value_json FROM answers WHERE step_id = 'goals_clear'").fetchone() == ("5",)
        assert len(erasure_log(restored)) == 1  # a later restore of it applies the erasure again
    finally:
        restored.close()
    # the database in use before (which held the returned person) is kept as a backup, and a restore of it keeps them
    [before] = backups_in(settings.backups_path)
    assert restore_command(settings, before, NOW + timedelta(days=4)) == 0
    again = open_db(settings.db_path)
    try:
        assert again.execute("SELECT first_name FROM users WHERE id = ?", [user_id]).fetchone() == ("Anna",)
    finally:
        again.close()


def test_restore_refuses_a_missing_or_damaged_backup_and_changes_nothing(
        settings: Settings, live: Database, monthly_script: Script, tmp_path: Path) -> None:
    _answered(live, monthly_script)
    before = settings.db_path.read_bytes()
    assert restore_command(settings, tmp_path / "missing.db", NOW) == 1
    (tmp_path / "broken.db").write_text("not a database" * 100)
    assert restore_command(settings, tmp_path / "broken.db", NOW) == 1
    assert settings.db_path.read_bytes() == before
    assert not settings.backups_path.exists()


def test_restore_over_a_damaged_database_moves_it_aside(settings: Settings, monthly_script: Script,
                                                        tmp_path: Path) -> None:
    db = open_db(settings.db_path)
    _answered(db, monthly_script)
    db.close()
    saved = backup_database(settings.db_path, tmp_path / "saved.db")
    settings.db_path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 8000)
    assert restore_command(settings, saved, NOW + timedelta(days=1)) == 0
    [aside] = tmp_path.glob("netzpuls.db.damaged-*")
    assert aside.read_bytes().startswith(b"SQLite format 3")
    restored = open_db(settings.db_path)
    try:
        assert restored.execute("SELECT first_name FROM users WHERE id = 501").fetchone() == (NAME,)
    finally:
        restored.close()


def test_every_eraser_in_storage_runs_in_erasing() -> None:
    """An eraser that did not mark the wipe and the scrub as owed would leave its data in the log and the backups."""
    erasers = {}
    for path in sorted((ROOT / "storage").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("erase"):
                erasers[f"{path.name}:{node.name}"] = any(
                    isinstance(item.context_expr, ast.Call) and getattr(item.context_expr.func, "id", "") == "erasing"
                    for block in ast.walk(node) if isinstance(block, ast.With) for item in block.items)
    assert erasers and all(erasers.values()), erasers


def test_the_restore_command_line(settings: Settings, live: Database, monthly_script: Script,
                                  tmp_path: Path) -> None:
    _answered(live, monthly_script)
    saved = backup_database(settings.db_path, tmp_path / "saved.db")
    live.close()
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "NETZPULS_"))}
    env = {**keep, "PYTHONPATH": str(ROOT), "NETZPULS_ENV_FILE": str(tmp_path / "no.env"),
           "NETZPULS_DB": str(settings.db_path)}
    done = subprocess.run([sys.executable, "-m", "bot", "restore", str(saved)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert f"Restored {settings.db_path} from {saved}" in done.stdout and "kept as the backup" in done.stdout
    failed = subprocess.run([sys.executable, "-m", "bot", "restore", str(tmp_path / "nothing.db")], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=60, check=False)
    assert failed.returncode == 1 and failed.stderr.startswith("Nothing restored: There is no backup file")
