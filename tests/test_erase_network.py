"""A member of several networks erases what they gave in one: that network forgets them, the others stay whole."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlite_utils import Database

from bot.core import engine
from bot.core.engine import Accepted, Press, Typed
from bot.core.script.model import Script
from storage.checkins import StepRecord, get_checkin, record_step, start_checkin
from storage.people import (
    Membership,
    active_memberships,
    create_invite,
    create_network,
    organisation_for,
    redeem_invite,
)
from storage.rights import erase_person
from tests.e2e import NOW

USER = 501


def _join(db: Database, network: str, organisation: str) -> Membership:
    network_id = create_network(db, network, NOW)
    org = organisation_for(db, network_id, organisation, NOW)
    return redeem_invite(db, create_invite(db, network_id, "partner", org, NOW, 14).token, USER, "Anna", "de", 2, NOW)


def _answer(db: Database, script: Script, member: Membership, text: str) -> None:
    state = engine.start(script)
    checkin = start_checkin(db, member, script.id, script.version, state.to_json(), NOW, None)
    for step_id, given in (("goals_clear", Press("4")), ("goal_statement", Typed(text))):
        outcome = engine.answer(script, state, step_id, given)
        assert isinstance(outcome, Accepted)
        step, fresh = script.step(step_id), get_checkin(db, checkin.id)
        assert fresh is not None
        assert record_step(db, fresh, StepRecord(step.id, step.kind, step.factor, True, outcome.value,
                                                 outcome.state.to_json(), False), NOW)
        state = outcome.state


def _texts(db: Database, network_id: int) -> list[object]:
    return [json.loads(row[0]) for row in db.execute("SELECT value_json FROM answers WHERE network_id = ? AND kind ="
                                                     " 'text'", [network_id])]


def test_erasing_one_network_keeps_the_person_and_their_other_network(db: Database, monthly_script: Script) -> None:
    first, second = _join(db, "Netz Nord", "Jobcenter"), _join(db, "Netz Süd", "Kita Sonne")
    assert [m.network_id for m in active_memberships(db, USER)] == [first.network_id, second.network_id]
    _answer(db, monthly_script, first, "Nordtext über gemeinsame Ziele")
    _answer(db, monthly_script, second, "Südtext über gemeinsame Ziele")
    assert erase_person(db, USER, NOW + timedelta(days=1), first.network_id)
    assert [m.id for m in active_memberships(db, USER)] == [second.id]
    assert _texts(db, first.network_id) == [None]
    assert _texts(db, second.network_id) == ["Südtext über gemeinsame Ziele"]
    owner = db.execute("SELECT user_id FROM memberships WHERE id = ?", [first.id]).fetchone()[0]
    assert owner < 0  # the erased membership no longer leads to the person
    assert db.execute("SELECT first_name FROM users WHERE id = ?", [USER]).fetchone() == ("Anna",)
    assert db.execute("SELECT current_membership_id FROM users WHERE id = ?", [USER]).fetchone() == (second.id,)


def test_erasing_the_only_network_erases_the_person(db: Database, monthly_script: Script) -> None:
    only = _join(db, "Netz Nord", "Jobcenter")
    _answer(db, monthly_script, only, "Nordtext über gemeinsame Ziele")
    assert erase_person(db, USER, NOW + timedelta(days=1), only.network_id)
    assert db.execute("SELECT COUNT(*) FROM users WHERE id = ?", [USER]).fetchone() == (0,)
    assert _texts(db, only.network_id) == [None]
