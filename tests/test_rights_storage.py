"""Erasing a person, retention of free texts, leaving and removing, revoking invites: the storage side."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from bot.config import Settings
from bot.core import engine
from bot.core.engine import Accepted, Press, Typed
from bot.core.script.model import Script
from bot.jobs.maintenance import maintenance_due, maintenance_pass, months_before
from bot.usecases.scripts import ScriptRegistry
from storage.access import open_invites, remove_partner, revoke_invite
from storage.checkins import StepRecord, get_checkin, record_step, start_checkin
from storage.coaching import start_session
from storage.db import open_db
from storage.outbox import Outgoing, enqueue
from storage.people import (
    InviteError,
    Membership,
    active_membership,
    check_invite,
    create_invite,
    create_network,
    end_membership,
    organisation_for,
    partner_overview,
    redeem_invite,
)
from storage.rights import REDACTED, erase_old_texts, erase_person, personal_data
from tests.e2e import NOW, TEST_DIALOGS, mentions_number

TEXT = "Wir vermitteln Eltern in 6 Wochen einen Kitaplatz"


def _partner(db: Database, user_id: int = 501, organisation: str = "Jobcenter") -> Membership:
    network = db.execute("SELECT id FROM networks").fetchone()
    network_id = network[0] if network else create_network(db, "Netzwerk", NOW)
    org = organisation_for(db, network_id, organisation, NOW)
    return redeem_invite(db, create_invite(db, network_id, "partner", org, NOW, 14).token, user_id, "Anna", "de", 2,
                         NOW)


def _answer_with_text(db: Database, script: Script, member: Membership, when: datetime) -> int:
    """Goals 5, then the free-text goal statement; the check-in's id."""
    state = engine.start(script)
    checkin = start_checkin(db, member, script.id, script.version, state.to_json(), when, None)
    for step_id, given in (("goals_clear", Press("5")), ("goal_statement", Typed(TEXT))):
        outcome = engine.answer(script, state, step_id, given)
        assert isinstance(outcome, Accepted)
        step = script.step(step_id)
        fresh = get_checkin(db, checkin.id)
        assert fresh is not None
        assert record_step(db, fresh, StepRecord(step.id, step.kind, step.factor, True, outcome.value,
                                                 outcome.state.to_json(), False), when)
        state = outcome.state
    return checkin.id


def _everything(db: Database) -> str:
    """Every row but the shipped scripts and the migrations' bookkeeping (wall-clock times hold any digits)."""
    return "\n".join(str(row) for table in db.table_names() if table != "scripts" and not table.startswith("_")
                     for row in db[table].rows)


def test_erase_person_removes_name_id_and_texts_and_keeps_numbers(db: Database, monthly_script: Script) -> None:
    member = _partner(db)
    checkin_id = _answer_with_text(db, monthly_script, member, NOW)
    assert TEXT in _everything(db) and "Anna" in _everything(db)
    assert erase_person(db, member.user_id, NOW + timedelta(days=1))
    everything = _everything(db)
    assert TEXT not in everything and "Anna" not in everything and not mentions_number(everything, member.user_id)
    values = dict(db.execute("SELECT step_id, value_json FROM answers").fetchall())
    assert values == {"goals_clear": "5", "goal_statement": "null"}
    state = json.loads(db.execute("SELECT state FROM checkins WHERE id = ?", [checkin_id]).fetchone()[0])
    assert state["answers"] == {"goals_clear": 5, "goal_statement": None}
    assert active_membership(db, member.user_id) is None
    assert personal_data(db, member.user_id, NOW)["person"] is None
    assert not erase_person(db, member.user_id, NOW)


REFLECTION = "Die Fallkonferenz braucht eine feste Moderation"


def _coordinator(db: Database, network_id: int, user_id: int = 100, name: str = "Clara") -> Membership:
    return redeem_invite(db, create_invite(db, network_id, "coordinator", None, NOW, 14).token, user_id, name, "de",
                         2, NOW)


def _coaching(db: Database, member: Membership, answers: dict[str, str], when: datetime) -> int:
    """An open coaching dialog of the member with these reflections typed so far; its id."""
    state = json.dumps({"current": "why", "answers": answers, "path": list(answers)})
    return start_session(db, member.id, member.network_id, None, "coaching", 1, (), state, when).id


def test_erasing_a_partner_also_erases_them_from_what_others_were_sent_or_will_be(db: Database,
                                                                                 monthly_script: Script) -> None:
    anna = _partner(db)
    clara = _coordinator(db, anna.network_id)
    _answer_with_text(db, monthly_script, anna, NOW)
    digest = f"Ziele unklar: „{TEXT[:59]}…“ (Jobcenter). Annabell und Anna fehlten."
    with db.atomic():
        enqueue(db, [Outgoing("notice", "notice", clara.user_id, "Jobcenter ist nicht erreichbar: Anna hat Netzpuls "
                                                                "blockiert.", network_id=anna.network_id),
                     Outgoing("digest", "digest", clara.user_id, digest, network_id=anna.network_id),
                     Outgoing("other", "digest", clara.user_id, "Kita: alles gut.", network_id=anna.network_id)], NOW)
        db.execute("UPDATE outbox SET status = 'sent' WHERE dedupe_key = 'notice'")  # one sent, one still queued
    assert erase_person(db, anna.user_id, NOW + timedelta(days=1))
    everything = _everything(db)
    assert TEXT[:40] not in everything and "Anna " not in everything and not mentions_number(everything, anna.user_id)
    texts = dict(db.execute("SELECT dedupe_key, text FROM outbox").fetchall())
    assert texts == {"notice": f"Jobcenter ist nicht erreichbar: {REDACTED} hat Netzpuls blockiert.",
                     "digest": f"Ziele unklar: „{REDACTED}…“ (Jobcenter). Annabell und {REDACTED} fehlten.",
                     "other": "Kita: alles gut."}  # a name inside a longer word stays: it was never hers


def test_erasing_a_coordinator_leaves_no_reflection_step_or_publication_behind(db: Database) -> None:
    network = create_network(db, "Netzwerk", NOW)
    clara, dora = _coordinator(db, network), _coordinator(db, network, 101, "Dora")
    _coaching(db, clara, {"why": REFLECTION}, NOW)  # left open: never finished
    ScriptRegistry(db).publish_text((TEST_DIALOGS / "monthly_checkin.yaml").read_text(encoding="utf-8"),
                                    "monthly_checkin.yaml", str(clara.user_id), NOW)
    with db.atomic():
        enqueue(db, [Outgoing("review", "coaching", dora.user_id, f"Schritt aus dem letzten Monat: {REFLECTION} – "
                                                                 "erledigt", network_id=network)], NOW)
    data = personal_data(db, clara.user_id, NOW)
    assert data["coaching_dialogs"][0]["answers"] == {"why": REFLECTION}
    assert [p["action"] for p in data["script_publications"]] == ["publish"]
    assert [i["role"] for i in data["invites_used"]] == ["coordinator"]
    assert erase_person(db, clara.user_id, NOW + timedelta(days=1))
    everything = _everything(db)
    assert REFLECTION not in everything and "Clara" not in everything
    assert f"'{clara.user_id}'" not in everything and f" {clara.user_id}," not in everything
    assert db.execute("SELECT published_by FROM script_publications").fetchall() == [("erased",)]
    assert db.execute("SELECT status FROM coaching_sessions").fetchall() == [("done",)]


def test_erasing_after_leave_ends_the_exit_checkin_still_open(db: Database, monthly_script: Script) -> None:
    anna = _partner(db)
    assert end_membership(db, anna.id, "left", NOW)  # /leave: the exit check-in then runs on the ended membership
    checkin = start_checkin(db, anna, "exit_checkin", 1, engine.start(monthly_script).to_json(), NOW, None)
    assert get_checkin(db, checkin.id).status == "open"  # type: ignore[union-attr]
    assert erase_person(db, anna.user_id, NOW)
    assert get_checkin(db, checkin.id).status == "done"  # type: ignore[union-attr]


def test_my_data_has_the_messages_sent_to_me_and_not_those_to_others(db: Database) -> None:
    anna = _partner(db)
    clara = _coordinator(db, anna.network_id)
    with db.atomic():
        enqueue(db, [Outgoing("to-anna", "prompt", anna.user_id, "Ihr Check-in wartet"),
                     Outgoing("to-clara", "digest", clara.user_id, "Digest")], NOW)
    assert [m["text"] for m in personal_data(db, anna.user_id, NOW)["messages_to_you"]] == ["Ihr Check-in wartet"]


def test_personal_data_lists_the_persons_answers_and_memberships_only(db: Database, monthly_script: Script) -> None:
    anna = _partner(db)
    ben = _partner(db, 502, "Kita")
    _answer_with_text(db, monthly_script, anna, NOW)
    data = personal_data(db, ben.user_id, NOW)
    assert data["person"]["first_name"] == "Anna" and data["answers"] == []
    assert [m["organisation"] for m in data["memberships"]] == ["Kita"]
    assert json.dumps(data)  # JSON-ready as it is


@pytest.mark.parametrize(("age_days", "erased"), [(800, True), (700, False)])
def test_retention_erases_free_texts_older_than_the_cutoff(db: Database, monthly_script: Script, age_days: int,
                                                           erased: bool) -> None:
    member = _partner(db)
    now = NOW + timedelta(days=age_days)
    _answer_with_text(db, monthly_script, member, NOW)
    assert erase_old_texts(db, months_before(now, 24), now) == (1 if erased else 0)
    assert (TEXT in _everything(db)) is not erased
    assert db.execute("SELECT value_json FROM answers WHERE step_id = 'goals_clear'").fetchone() == ("5",)
    assert erase_old_texts(db, months_before(now, 24), now) == 0  # nothing twice


@pytest.mark.parametrize(("age_days", "erased"), [(800, True), (700, False)])
def test_retention_empties_coaching_dialogs_left_open_and_script_previews(db: Database, age_days: int,
                                                                         erased: bool) -> None:
    network = create_network(db, "Netzwerk", NOW)
    _coaching(db, _coordinator(db, network), {"why": REFLECTION}, NOW)
    with db.atomic():
        db.execute("INSERT INTO script_drafts (user_id, network_id, script_id, source, file_name, base_version, status,"
                   " preview_state, created_at) VALUES (100, ?, 'monthly_checkin', '', 'x.yaml', 1, 'pending', ?, ?)",
                   [network, json.dumps({"answers": {"goal_statement": REFLECTION}}), NOW.isoformat()])
    now = NOW + timedelta(days=age_days)
    erase_old_texts(db, months_before(now, 24), now)
    assert (REFLECTION in _everything(db)) is not erased


@pytest.mark.parametrize(("moment", "months", "expected"), [
    (datetime(2029, 3, 31, 3, tzinfo=UTC), 24, datetime(2027, 3, 31, 3, tzinfo=UTC)),
    (datetime(2029, 3, 31, 3, tzinfo=UTC), 1, datetime(2029, 2, 28, 3, tzinfo=UTC)),
    (datetime(2028, 1, 15, tzinfo=UTC), 13, datetime(2026, 12, 15, tzinfo=UTC)),
])
def test_months_before_counts_calendar_months(moment: datetime, months: int, expected: datetime) -> None:
    assert months_before(moment, months) == expected


def test_leaving_excuses_the_open_round_and_ends_the_open_checkin(db: Database, monthly_script: Script) -> None:
    member = _partner(db)
    checkin_id = _answer_with_text(db, monthly_script, member, NOW)
    assert end_membership(db, member.id, "left", NOW)
    assert not end_membership(db, member.id, "left", NOW)
    assert db.execute("SELECT status, expired_at IS NOT NULL FROM checkins WHERE id = ?", [checkin_id]).fetchone() \
        == ("done", 1)
    assert db.execute("SELECT left_reason FROM memberships WHERE id = ?", [member.id]).fetchone() == ("left",)


def test_revoked_invite_cannot_be_redeemed_and_only_its_network_can_revoke(db: Database) -> None:
    network = create_network(db, "A", NOW)
    other = create_network(db, "B", NOW)
    org = organisation_for(db, network, "Kita", NOW)
    invite = create_invite(db, network, "partner", org, NOW, 14)
    [listed] = open_invites(db, network, NOW)
    assert listed.organisation == "Kita" and not listed.handover
    assert not revoke_invite(db, other, listed.id, NOW)
    assert revoke_invite(db, network, listed.id, NOW)
    assert not revoke_invite(db, network, listed.id, NOW)
    with pytest.raises(InviteError) as error:
        check_invite(db, invite.token, NOW)
    assert error.value.reason == "revoked"
    assert open_invites(db, network, NOW) == []


def test_removed_partner_leaves_the_overview_and_a_new_invite_brings_it_back(db: Database) -> None:
    member = _partner(db)
    pending = create_invite(db, member.network_id, "partner", member.organisation_id, NOW, 14)
    removed = remove_partner(db, member.network_id, member.organisation_id or 0, NOW)
    assert removed is not None and removed.id == member.id
    assert active_membership(db, member.user_id) is None
    assert partner_overview(db, member.network_id, NOW) == []
    with pytest.raises(InviteError):
        check_invite(db, pending.token, NOW)
    assert remove_partner(db, member.network_id, member.organisation_id or 0, NOW) is None
    create_invite(db, member.network_id, "partner", member.organisation_id, NOW, 14)
    assert [row.name for row in partner_overview(db, member.network_id, NOW)] == ["Jobcenter"]


def test_handover_invite_ends_the_old_coordinators_role(db: Database) -> None:
    network = create_network(db, "A", NOW)
    old = redeem_invite(db, create_invite(db, network, "coordinator", None, NOW, 14).token, 100, "C", "de", 2, NOW)
    handover = create_invite(db, network, "coordinator", None, NOW, 14, replaces_membership_id=old.id)
    assert open_invites(db, network, NOW)[0].handover
    new = redeem_invite(db, handover.token, 101, "D", "de", 2, NOW)
    assert new.role == "coordinator" and active_membership(db, old.user_id) is None


def test_maintenance_pass_erases_old_texts_and_backs_up_once_a_day(tmp_path: Path, monthly_script: Script) -> None:
    settings = Settings(db_path=tmp_path / "netzpuls.db", backup_keep=2)
    db = open_db(settings.db_path)
    _answer_with_text(db, monthly_script, _partner(db), NOW)
    later = NOW + timedelta(days=800)
    assert maintenance_due(settings, db, later)
    maintenance_pass(settings, later)
    assert TEXT not in _everything(db)
    assert not maintenance_due(settings, db, later)
    for day in range(1, 4):
        maintenance_pass(settings, later + timedelta(days=day))
    backups = sorted(p.name for p in settings.backups_path.iterdir())
    assert len(backups) == 2 and backups[-1].startswith(f"netzpuls-{later + timedelta(days=3):%Y%m%d}")
    copy = open_db(settings.backups_path / backups[-1])
    assert copy.execute("SELECT COUNT(*) FROM answers").fetchone() == (2,)
    copy.close()
    db.close()
