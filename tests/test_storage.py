"""Storage: migrations, invites, memberships, script versions and exactly-once answers, on real SQLite files."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from bot.core import engine
from bot.core.engine import Accepted, Press
from bot.core.script.model import Script
from storage.checkins import (
    StepRecord,
    answers_of,
    get_checkin,
    open_checkin,
    record_step,
    start_checkin,
)
from storage.db import open_db, set_meta, sync_to_disk
from storage.migrations import migrations
from storage.people import (
    InviteError,
    Membership,
    active_membership,
    check_invite,
    create_invite,
    create_network,
    organisation_for,
    partner_overview,
    redeem_invite,
)
from storage.rounds import open_round
from storage.scripts import ScriptVersionConflict, register_script, script_source
from tests.e2e import NOW


def test_commits_are_not_flushed_one_by_one_but_each_tick_copies_them_into_the_file(tmp_path: Path) -> None:
    db = open_db(tmp_path / "x.db")
    assert db.execute("PRAGMA synchronous").fetchone() == (1,)  # NORMAL
    sync_to_disk(db)  # the schema
    set_meta(db, "b", "2")

    def in_the_file_alone() -> object:
        """What the database file says without its write-ahead log (as a copy of the file alone)."""
        shutil.copyfile(tmp_path / "x.db", tmp_path / "copy.db")
        reader = sqlite3.connect(tmp_path / "copy.db")
        try:
            return reader.execute("SELECT value FROM meta WHERE key = 'b'").fetchone()
        finally:
            reader.close()

    assert in_the_file_alone() is None  # only the log holds the commit yet
    assert sync_to_disk(db)
    assert in_the_file_alone() == ("2",)
    db.close()


def test_a_reader_on_an_older_snapshot_holds_back_the_flush_until_the_next_tick(tmp_path: Path) -> None:
    db = open_db(tmp_path / "x.db")
    assert sync_to_disk(db)
    reader = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    reader.execute("BEGIN")
    assert reader.execute("SELECT value FROM meta WHERE key = 'b'").fetchone() is None  # its snapshot starts here
    set_meta(db, "b", "2")
    assert not sync_to_disk(db)  # the new commit stays in the log while the reader may still need the old page
    reader.execute("COMMIT")
    reader.close()
    assert sync_to_disk(db)
    db.close()


def test_migrations_apply_once_and_wal_is_on(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    first = open_db(path)
    assert first.journal_mode == "wal"
    names = [m.name for m in migrations.applied(first)]
    assert names == [
        "m001_initial", "m002_rounds_outbox", "m003_expired_checkins_uncertain_sends", "m004_answer_risk",
        "m005_script_publications", "m006_script_drafts_network_scripts_organisation_kind",
        "m007_reports_privacy_alerts", "m008_coaching", "m009_rights_and_access", "m010_consent_lookup",
        "m011_answers_by_network", "m012_round_privacy", "m013_privacy_changes", "m014_checkins_by_round",
        "m015_answer_quote_named", "m017_outbox_parse_mode", "m016_network_goal",
        "m018_memberships_per_network", "m021_shared_script_again", "m023_memberships_by_organisation",
        "m019_contact_handovers", "m020_consent_privacy", "m024_erasure_log", "m025_outbox_delivery_check"]
    first.close()
    again = open_db(path)
    assert [m.name for m in migrations.applied(again)] == names  # none applied twice
    assert {"networks", "memberships", "answers", "checkins"} <= set(again.table_names())
    again.close()


def _partner(db: Database, user_id: int = 501, org: str = "Jobcenter Musterstadt") -> Membership:
    network = create_network(db, "Netzwerk Test", NOW)
    organisation = organisation_for(db, network, org, NOW)
    invite = create_invite(db, network, "partner", organisation, NOW, 14)
    return redeem_invite(db, invite.token, user_id, "Anna", "de", 1, NOW)


def test_invite_is_single_use_and_expires(db: Database) -> None:
    network = create_network(db, "N", NOW)
    invite = create_invite(db, network, "coordinator", None, NOW, 14)
    assert len(invite.token) >= 22
    member = redeem_invite(db, invite.token, 42, "Kim", "en", 1, NOW)
    assert member.role == "coordinator" and member.locale == "en"
    with pytest.raises(InviteError) as used:
        redeem_invite(db, invite.token, 43, "Lea", "de", 1, NOW)
    assert used.value.reason == "used"
    late = create_invite(db, network, "coordinator", None, NOW, 14)
    with pytest.raises(InviteError) as expired:
        check_invite(db, late.token, NOW + timedelta(days=14))
    assert expired.value.reason == "expired"
    with pytest.raises(InviteError) as unknown:
        check_invite(db, "nope", NOW)
    assert unknown.value.reason == "unknown"


def test_a_member_cannot_join_twice(db: Database) -> None:
    member = _partner(db)
    invite = create_invite(db, member.network_id, "coordinator", None, NOW, 14)
    with pytest.raises(InviteError) as caught:
        redeem_invite(db, invite.token, member.user_id, "Anna", "de", 1, NOW)
    assert caught.value.reason == "member"
    assert check_invite(db, invite.token, NOW).used_at is None


def test_new_contact_person_replaces_the_old_one(db: Database) -> None:
    first = _partner(db)
    assert first.organisation_id is not None
    invite = create_invite(db, first.network_id, "partner", first.organisation_id, NOW, 14)
    second = redeem_invite(db, invite.token, 777, "Ben", "de", 1, NOW + timedelta(days=1))
    assert active_membership(db, first.user_id) is None
    assert second.organisation_name == "Jobcenter Musterstadt"
    rows = partner_overview(db, first.network_id, NOW)
    assert [(r.name, r.contact_name) for r in rows] == [("Jobcenter Musterstadt", "Ben")]


def test_organisation_names_are_matched_case_insensitively(db: Database) -> None:
    network = create_network(db, "N", NOW)
    assert organisation_for(db, network, "Jobcenter", NOW) == organisation_for(db, network, "JOBCENTER", NOW)


def test_script_versions_never_change(db: Database) -> None:
    assert register_script(db, "s", 1, "a: 1", NOW) is True
    assert register_script(db, "s", 1, "a: 1", NOW) is False
    with pytest.raises(ScriptVersionConflict, match="raise 'version'"):
        register_script(db, "s", 1, "a: 2", NOW)
    assert register_script(db, "s", 2, "a: 2", NOW) is True
    assert script_source(db, "s", 1) == "a: 1"


def test_each_answer_is_stored_exactly_once(db: Database, monthly_script: Script) -> None:
    member = _partner(db)
    state = engine.start(monthly_script)
    checkin = start_checkin(db, member, monthly_script.id, monthly_script.version, state.to_json(), NOW)
    outcome = engine.answer(monthly_script, state, "goals_clear", Press("4"))
    assert isinstance(outcome, Accepted)
    record = StepRecord("goals_clear", "scale", 2, True, 4, outcome.state.to_json(), False)
    assert record_step(db, checkin, record, NOW) is True
    # The same tap again (a double tap, or a retry after a lost response) works on the old state: refused.
    assert record_step(db, checkin, record, NOW) is False
    assert answers_of(db, checkin.id) == [answers_of(db, checkin.id)[0]]
    stored = db.execute("SELECT value_num, factor, script_version FROM answers").fetchall()
    assert stored == [(4.0, 2, monthly_script.version)]
    reloaded = get_checkin(db, checkin.id)
    assert reloaded is not None and reloaded.state == outcome.state.to_json()


def test_only_one_open_checkin_per_member(db: Database, monthly_script: Script) -> None:
    member = _partner(db)
    state = engine.start(monthly_script).to_json()
    start_checkin(db, member, monthly_script.id, 1, state, NOW)
    with pytest.raises(sqlite3.IntegrityError):
        start_checkin(db, member, monthly_script.id, 1, state, NOW)
    assert open_checkin(db, member.id) is not None


def test_a_transaction_that_reads_then_writes_is_not_undone_by_another_connection(tmp_path: Path) -> None:
    """Two connections (bot and outbox sender): a read-then-write transaction holds the write lock from its start."""
    bot, sender = open_db(tmp_path / "two.db"), open_db(tmp_path / "two.db")
    sender.execute("PRAGMA busy_timeout = 50")
    with bot.atomic():
        assert bot.execute("SELECT COUNT(*) FROM networks").fetchone() == (0,)
        # The sender waits for the lock and gives up after 50 ms: nothing of it is stored.
        with pytest.raises(sqlite3.OperationalError, match="locked"), sender.atomic():
            sender.execute("INSERT INTO networks (name, created_at) VALUES ('B', '2027-01-01')")
        bot.execute("INSERT INTO networks (name, created_at) VALUES ('A', '2027-01-01')")
    assert [r[0] for r in sender.execute("SELECT name FROM networks")] == ["A"]
    bot.close()
    sender.close()


def test_round_privacy_migration_keeps_what_each_network_showed_and_new_rounds_take_the_setting(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = Database(str(path))
    migrations.apply(old, stop_before="m012_round_privacy")
    old.execute("INSERT INTO networks (id, name, created_at, privacy) VALUES (1, 'A', ?, 'named'),"
                " (2, 'B', ?, 'anonymous')", [NOW.isoformat(), NOW.isoformat()])
    for network in (1, 2):
        old.execute("INSERT INTO rounds (network_id, period, due_at, opened_at, closes_at, status)"
                    " VALUES (?, '2027-01', ?, ?, ?, 'closed')", [network, *[NOW.isoformat()] * 3])
    old.conn.commit()
    old.close()
    db = open_db(path)
    assert db.execute("SELECT network_id, privacy FROM rounds ORDER BY network_id").fetchall() == [
        (1, "named"), (2, "anonymous")]
    db.execute("UPDATE networks SET privacy = 'named' WHERE id = 2")
    new = open_round(db, 2, "2027-02", NOW, NOW, [], NOW)
    assert db.execute("SELECT privacy FROM rounds WHERE id = ?", [new]).fetchone() == ("named",)
    db.close()
