"""Migrations are frozen: they import nothing from the live code, and what they copied from it gives what it gave."""

from __future__ import annotations

import ast
import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from storage.db import open_db
from storage.migrations import migrations
from storage.people import active_membership, active_memberships
from tests.e2e import NOW, ROOT

MIGRATIONS = ROOT / "storage" / "migrations.py"


def test_migrations_import_nothing_from_bot() -> None:
    """No import of bot (function-level ones included): a change to the live code never changes an old migration."""
    imported: list[str] = []
    for node in ast.walk(ast.parse(MIGRATIONS.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.append(node.module)
    assert imported, "the walk found no import at all"
    assert [name for name in imported if name == "bot" or name.startswith("bot.")] == []


def test_m006_fills_in_the_kind_of_existing_organisations(tmp_path: Path) -> None:
    """m006 gives organisations stored before it the kind their name suggests, by its frozen word list."""
    path = tmp_path / "old.db"
    old = Database(str(path))
    migrations.apply(old, stop_before="m006_script_drafts_network_scripts_organisation_kind")
    old.execute("INSERT INTO networks (id, name, created_at) VALUES (1, 'Netz', ?)", [NOW.isoformat()])
    names = {"Jobcenter Musterstadt": "jobcenter", "Jugendamt Süd": "youth_office", "Kita Sonnenschein": "care",
             "Diakonie Nord": "welfare", "Bäckerei Korn GmbH": "employer", "Lernwerk gGmbH": "other",
             "Verein Brücke": "other"}
    for number, name in enumerate(names, start=1):
        old.execute("INSERT INTO organisations (id, network_id, name, created_at) VALUES (?, 1, ?, ?)",
                    [number, name, NOW.isoformat()])
    old.conn.commit()
    old.close()
    db = open_db(path)
    assert dict(db.execute("SELECT name, kind FROM organisations").fetchall()) == names
    db.close()


def _one_membership_each(db: Database) -> None:
    """Two networks, as a database before m018 held them: every person with at most one active membership, some
    with memberships that ended (one then joined another network, one joined the same network again), check-ins
    and answers of active and of ended memberships."""
    at = NOW.isoformat()
    db.execute("INSERT INTO networks (id, name, created_at) VALUES (1, 'Netz Eins', ?), (2, 'Netz Zwei', ?)", [at, at])
    db.execute("INSERT INTO organisations (id, network_id, name, created_at) VALUES (11, 1, 'Jobcenter', ?),"
               " (12, 1, 'Kita', ?), (21, 2, 'Caritas', ?)", [at, at, at])
    db.execute("INSERT INTO users (id, first_name, locale, created_at) VALUES (501, 'Anna', 'de', ?),"
               " (502, 'Bernd', 'en', ?), (503, 'Carla', 'de', ?), (504, 'Dora', 'de', ?), (505, 'Emil', 'de', ?)",
               [at] * 5)
    memberships = [  # id, network, user, role, organisation, left_at
        (1, 1, 501, "partner", 11, None), (2, 1, 502, "coordinator", None, None),
        (3, 1, 503, "partner", 12, at), (4, 2, 503, "partner", 21, None),  # Carla left Eins, is in Zwei
        (5, 1, 504, "partner", 12, at),  # Dora left: no active membership
        (6, 2, 505, "coordinator", None, at), (7, 2, 505, "coordinator", None, None)]  # Emil came back to Zwei
    for row in memberships:
        db.execute("INSERT INTO memberships (id, network_id, user_id, role, organisation_id, consent_version,"
                   " joined_at, left_at, left_reason) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)",
                   [*row[:5], at, row[5], "left" if row[5] else None])
    db.execute("INSERT INTO rounds (id, network_id, period, due_at, opened_at, closes_at, status) VALUES"
               " (1, 1, '2027-01', ?, ?, ?, 'open'), (2, 2, '2027-01', ?, ?, ?, 'open')", [at] * 6)
    checkins = [(1, 1, 1, 11, "done", 1), (2, 3, 1, 12, "done", 1), (3, 4, 2, 21, "open", 2)]
    for checkin_id, membership_id, network_id, organisation_id, status, round_id in checkins:
        db.execute("INSERT INTO checkins (id, membership_id, network_id, organisation_id, script_id, script_version,"
                   " state, status, started_at, updated_at, round_id) VALUES (?, ?, ?, ?, 'monthly_checkin', 2, '{}',"
                   " ?, ?, ?, ?)", [checkin_id, membership_id, network_id, organisation_id, status, at, at, round_id])
        for number, step in enumerate(("goals_clear", "benefit")):
            db.execute("INSERT INTO answers (checkin_id, membership_id, network_id, organisation_id, round_id,"
                       " script_id, script_version, step_id, kind, factor, value_json, value_num, answered_at)"
                       " VALUES (?, ?, ?, ?, ?, 'monthly_checkin', 2, ?, 'scale', ?, ?, ?, ?)",
                       [checkin_id, membership_id, network_id, organisation_id, round_id, step, number + 1,
                        str(checkin_id + number), checkin_id + number, at])


_KEPT = {"users": "id, first_name, locale, created_at", "memberships": "*", "checkins": "*", "answers": "*",
         "organisations": "*", "networks": "*", "rounds": "*"}


def _rows(db: Database) -> dict[str, list[tuple[object, ...]]]:
    """The rows m018 must keep as they were (the users without the columns it adds)."""
    return {table: db.execute(f"SELECT {columns} FROM {table} ORDER BY id").fetchall()
            for table, columns in _KEPT.items()}


def test_m018_makes_each_persons_only_membership_their_current_one(tmp_path: Path) -> None:
    """Before m018 a person had at most one active membership: it becomes their chosen one (chosen at no time), the
    people without one choose none, nothing stored is lost; then a second active membership in another network is
    allowed, a second one in the same network is not."""
    path = tmp_path / "old.db"
    old = Database(str(path))
    migrations.apply(old, stop_before="m018_memberships_per_network")
    _one_membership_each(old)
    old.conn.commit()
    before = _rows(old)
    with pytest.raises(sqlite3.IntegrityError):  # before m018: one active membership per person
        old.execute("INSERT INTO memberships (network_id, user_id, role, consent_version, joined_at)"
                    " VALUES (2, 502, 'coordinator', 1, ?)", [NOW.isoformat()])
    old.close()

    db = open_db(path)
    assert _rows(db) == before
    current = db.execute("SELECT id, current_membership_id, current_chosen_at FROM users ORDER BY id").fetchall()
    assert current == [(501, 1, None), (502, 2, None), (503, 4, None), (504, None, None), (505, 7, None)]
    for user_id, membership_id in ((501, 1), (502, 2), (503, 4), (505, 7)):
        [only] = active_memberships(db, user_id)
        assert only.id == membership_id
        assert active_membership(db, user_id) == only
    assert active_memberships(db, 504) == [] and active_membership(db, 504) is None

    at = NOW.isoformat()
    db.execute("INSERT INTO organisations (id, network_id, name, created_at) VALUES (22, 2, 'Jobcenter', ?)", [at])
    db.execute("INSERT INTO memberships (id, network_id, user_id, role, organisation_id, consent_version, joined_at)"
               " VALUES (8, 2, 501, 'partner', 22, 1, ?)", [at])  # Anna: a partner in Zwei too
    assert [m.network_id for m in active_memberships(db, 501)] == [1, 2]
    anna = active_membership(db, 501)
    assert anna is not None and anna.id == 1  # still the chosen one
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO memberships (network_id, user_id, role, consent_version, joined_at)"
                   " VALUES (1, 501, 'coordinator', 1, ?)", [at])  # a second one in Eins
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO memberships (network_id, user_id, role, consent_version, joined_at)"
                   " VALUES (2, 505, 'coordinator', 1, ?)", [at])  # Emil's second active one in Zwei
    db.execute("INSERT INTO memberships (network_id, user_id, role, consent_version, joined_at)"
               " VALUES (1, 505, 'coordinator', 1, ?)", [at])  # Emil coordinates Eins as well
    assert {m.network_id for m in active_memberships(db, 505)} == {1, 2}
    db.close()
