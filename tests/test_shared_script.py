"""A network back on the shared script: the 'shared' publication, what is in use then, and m021 on an old database."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from storage.db import open_db
from storage.migrations import migrations
from storage.people import create_network
from storage.scripts import (
    network_versions,
    own_version,
    publish,
    published_version,
    register_script,
    stored_versions,
    use_shared,
)
from tests.e2e import NOW

SID = "monthly_checkin"


def _versions(db: Database, *numbers: int) -> None:
    for number in numbers:
        register_script(db, SID, number, f"version: {number}\n", NOW)


def test_going_back_to_the_shared_script_follows_later_shared_versions(db: Database) -> None:
    north, south = create_network(db, "Nord", NOW), create_network(db, "Süd", NOW)
    _versions(db, 1, 2, 3)
    publish(db, SID, 1, "file", NOW)
    publish(db, SID, 2, "100", NOW, network_id=north)
    assert (own_version(db, SID, north), published_version(db, SID, north)) == (2, 2)
    assert use_shared(db, SID, south, "110", NOW) is None  # nothing of its own to give up
    assert use_shared(db, SID, north, "100", NOW + timedelta(minutes=1)) == 1
    assert (own_version(db, SID, north), published_version(db, SID, north)) == (None, 1)
    assert use_shared(db, SID, north, "100", NOW) is None  # a second time changes nothing
    assert network_versions(db, SID) == []
    publish(db, SID, 3, "file", NOW)  # a new shared version reaches the network too
    assert published_version(db, SID, north) == 3
    assert [(v.version, v.in_use) for v in stored_versions(db, SID, north)] == [(1, False), (2, False), (3, True)]
    publish(db, SID, 2, "100", NOW, action="rollback", network_id=north)  # its own version again
    assert (own_version(db, SID, north), published_version(db, SID, north), published_version(db, SID, south)) == (
        2, 2, 3)
    assert db.execute("SELECT action FROM script_publications WHERE network_id = ? ORDER BY id",
                      [north]).fetchall() == [("publish",), ("shared",), ("rollback",)]


def test_m021_keeps_every_publication_and_allows_shared_only_besides(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = Database(str(path))
    migrations.apply(old, stop_before="m021_shared_script_again")
    old.execute("INSERT INTO networks (id, name, created_at) VALUES (1, 'Netz', ?)", [NOW.isoformat()])
    for number in (1, 2):
        old.execute("INSERT INTO scripts (script_id, version, sha256, source, created_at) VALUES (?, ?, ?, ?, ?)",
                    [SID, number, f"h{number}", f"version: {number}\n", NOW.isoformat()])
    old.execute("INSERT INTO script_publications (id, script_id, version, published_at, published_by, action)"
                " VALUES (7, ?, 1, ?, 'file', 'publish')", [SID, NOW.isoformat()])
    old.execute("INSERT INTO script_publications (id, script_id, version, published_at, published_by, action,"
                " network_id) VALUES (9, ?, 2, ?, '100', 'rollback', 1)", [SID, NOW.isoformat()])
    with pytest.raises(sqlite3.IntegrityError):  # before m021 no row may say 'shared'
        old.execute("INSERT INTO script_publications (script_id, version, published_at, published_by, action)"
                    " VALUES (?, 1, ?, 'x', 'shared')", [SID, NOW.isoformat()])
    old.conn.commit()
    old.close()
    db = open_db(path)
    assert db.execute("SELECT id, version, published_by, action, network_id FROM script_publications"
                      " ORDER BY id").fetchall() == [(7, 1, "file", "publish", None), (9, 2, "100", "rollback", 1)]
    assert published_version(db, SID, 1) == 2 and published_version(db, SID) == 1
    assert use_shared(db, SID, 1, "100", NOW) == 1 and published_version(db, SID, 1) == 1
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO script_publications (script_id, version, published_at, published_by, action)"
                   " VALUES (?, 1, ?, 'x', 'bogus')", [SID, NOW.isoformat()])
    with pytest.raises(sqlite3.IntegrityError):  # the reference to a stored version stays
        db.execute("INSERT INTO script_publications (script_id, version, published_at, published_by, action)"
                   " VALUES (?, 5, ?, 'x', 'publish')", [SID, NOW.isoformat()])
    assert db.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'script_publications'"
                      ).fetchall() == [("script_publications_current",)]
    db.close()
