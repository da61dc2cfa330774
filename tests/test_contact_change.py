"""A contact person who is no longer responsible: the welcome pack's pure parts (what the partners offer only counted
over three organisations, the coordination's steps without partner names), the hand-over's storage (a contact change
once the successor joined, "stepped down" until then), the coordinators' news (at once, or after a day without an
answer), the successor's invite, and the person's rights over what they typed."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from bot.core.history import History, MembershipEvent, Partner, RoundFacts
from bot.core.participation import membership_changes
from bot.core.script.loader import load_script_file
from bot.core.welcome_pack import Offers, WelcomeFacts, count_offers, step_line, welcome_pack
from bot.i18n import Catalogs
from bot.usecases import contact_change
from storage.db import open_db
from storage.handovers import get_handover, step_down
from storage.history import _events
from storage.migrations import migrations
from storage.people import Membership, create_invite, create_network, organisation_for, redeem_invite
from storage.rights import erase_person, personal_data
from tests.e2e import NOW, ROOT

ONBOARDING = load_script_file(ROOT / "dialogs" / "onboarding_checkin.yaml")
CONTRIBUTION = ONBOARDING.step("contribution")


def _label(step: object, option: str, lang: str) -> str:
    return option.upper()


def test_offers_are_counted_only_over_three_organisations_and_never_the_little_option() -> None:
    two = [("expertise", "cases"), ("expertise",)]
    assert count_offers(CONTRIBUTION, two, "de", _label) == Offers()  # two: each would tell the other's answer
    three = [*two, ("expertise", "little"), None]  # None: no answer to the step
    offers = count_offers(CONTRIBUTION, three, "de", _label)
    assert offers == Offers(3, (("EXPERTISE", 3), ("CASES", 1)))  # "little for now" is a sign of a risk, no offer


def test_the_coordination_s_step_names_no_partner() -> None:
    _ = Catalogs(ROOT / "locales").gettext("de")
    line = step_line("Mit Kita Sonnenschein und dem jobcenter musterstadt reden", "Februar 2027", "Bis Monatsende",
                     {1: "Kita Sonnenschein", 2: "Jobcenter Musterstadt"}, _)
    assert line == "Mit […] und dem […] reden – Bis Monatsende (vereinbart nach der Runde im Februar 2027)"


def test_the_welcome_pack_is_one_message_or_two_with_the_last_result() -> None:
    _ = Catalogs(ROOT / "locales").gettext("en")
    bare = welcome_pack(WelcomeFacts("Netz", "Suchtberatung", "Jonas"), _)
    assert len(bare) == 1
    assert "The network has not written down its goal" in bare[0] and "Jonas left no hand-over note" in bare[0]
    full = welcome_pack(WelcomeFacts("Netz", "Suchtberatung", "Jonas", goal="Ein\nZiel", handed_over="Akte\n offen",
                                     partners=("Kita", "Jobcenter"), offers=Offers(3, (("Expertise", 2),)),
                                     steps=("Call", "Meet", "Write", "Fourth"), result="What the network learned"), _)
    assert len(full) == 2 and full[1].endswith("What the network learned")
    assert "🎯 The network's goal: “Ein Ziel”" in full[0] and "🤝 Jonas handed over to you: “Akte offen”" in full[0]
    assert "The other partners: Kita, Jobcenter" in full[0] and "3 partners on joining): Expertise (2)" in full[0]
    assert "• Write" in full[0] and "Fourth" not in full[0]  # the newest three


def _partner(db: Database, user_id: int, organisation: str, network: int | None = None) -> Membership:
    network = network if network is not None else create_network(db, "Netz", NOW)
    org = organisation_for(db, network, organisation, NOW)
    return redeem_invite(db, create_invite(db, network, "partner", org, NOW, 14).token, user_id, "Jonas", "de", 3,
                         NOW)


def _history(db: Database, network: int) -> History:
    round_ = RoundFacts(1, 1, "2027-02", NOW - timedelta(days=1), NOW + timedelta(days=30), False)
    return History(network, (round_,), (Partner(1, "Suchtberatung"),), events=_events(db, network))


def test_stepping_down_is_a_contact_change_once_the_successor_joined(db: Database) -> None:
    jonas = _partner(db, 504, "Suchtberatung")
    handover = step_down(db, jonas, NOW + timedelta(hours=1))
    assert handover is not None and step_down(db, jonas, NOW + timedelta(hours=2)) is None  # once
    assert db.execute("SELECT left_reason FROM memberships WHERE id = ?", [jonas.id]).fetchone()[0] == "not_responsible"
    kinds = [event.kind for event in _events(db, jonas.network_id)]
    assert kinds == ["joined", "stepped_down"]
    assert membership_changes(_history(db, jonas.network_id), 1) == {1: ["new_partner", "stepped_down"]}
    org = jonas.organisation_id
    assert org is not None
    lena = redeem_invite(db, create_invite(db, jonas.network_id, "partner", org, NOW, 14).token, 505, "Lena", "de",
                         3, NOW + timedelta(days=2))
    events = _events(db, jonas.network_id)
    assert [(event.kind, event.at) for event in events][1:] == [
        ("replaced", NOW + timedelta(hours=1)), ("joined", NOW + timedelta(days=2))]
    assert membership_changes(_history(db, jonas.network_id), 1) == {1: ["new_partner", "contact_changed"]}
    assert lena.organisation_id == org


def test_a_pure_history_keeps_its_kinds() -> None:
    events = (MembershipEvent(1, "joined", NOW), MembershipEvent(1, "stepped_down", NOW + timedelta(hours=1)))
    history = History(1, (RoundFacts(1, 1, "2027-02", NOW, NOW + timedelta(days=9), True),), (Partner(1, "A"),),
                      events=events)
    assert membership_changes(history, 1) == {1: ["new_partner", "stepped_down"]}


def _news(db: Database) -> list[tuple[str, str]]:
    return [(row[0], row[1]) for row in db.execute("SELECT dedupe_key, text FROM outbox ORDER BY id").fetchall()]


@pytest.fixture
def coordinated(db: Database) -> tuple[Membership, Membership]:
    """A network's coordinator and its partner Jonas."""
    network = create_network(db, "Netz Süd", NOW)
    clara = redeem_invite(db, create_invite(db, network, "coordinator", None, NOW, 14).token, 100, "Clara", "de", 3,
                          NOW)
    return clara, _partner(db, 504, "Suchtberatung", network)


def test_the_coordinators_hear_at_once_or_after_a_day_without_an_answer(
        db: Database, catalogs: Catalogs, coordinated: tuple[Membership, Membership]) -> None:
    clara, jonas = coordinated
    handover = step_down(db, jonas, NOW)
    assert handover is not None
    assert contact_change.queue_unanswered(db, catalogs.gettext, NOW + timedelta(hours=23), str) == 0
    assert contact_change.queue_unanswered(db, catalogs.gettext, NOW + timedelta(hours=25), str) == 1
    assert contact_change.queue_unanswered(db, catalogs.gettext, NOW + timedelta(hours=26), str) == 0  # once
    [(key, text)] = _news(db)
    assert key == f"stepped-down:{handover.id}:{clara.id}" and "Jonas hat nicht gesagt, wer übernimmt" in text
    told = get_handover(db, handover.id)
    assert told is not None
    assert contact_change.waiting(db, 504, NOW + timedelta(days=2)) == told  # a late answer is still taken
    assert contact_change.name(db, catalogs.gettext, told, "Lena Vogel", NOW + timedelta(days=2), "n:successor:1")
    assert not contact_change.name(db, catalogs.gettext, told, "Lena Vogel", NOW + timedelta(days=2), "x")
    assert [key for key, _text in _news(db)][1] == f"successor:{handover.id}:{clara.id}"
    assert contact_change.waiting(db, 504, NOW + timedelta(days=2)) is None


def test_a_typed_successor_is_one_line_of_at_most_200_characters() -> None:
    assert contact_change.successor_text("  Lena Vogel,\n0171 5550123 ") == "Lena Vogel, 0171 5550123"
    assert contact_change.successor_text(" \n ") is None
    assert contact_change.successor_text("x" * 201) is None


def test_the_successor_s_invite_is_for_this_network_s_organisation_once(
        db: Database, coordinated: tuple[Membership, Membership]) -> None:
    clara, jonas = coordinated
    handover = step_down(db, jonas, NOW)
    assert handover is not None
    other = redeem_invite(db, create_invite(db, create_network(db, "Anderes Netz", NOW), "coordinator", None, NOW,
                                            14).token, 200, "Olga", "de", 3, NOW)
    assert contact_change.invite_successor(db, other, handover.id, NOW, 14) == "unknown"
    made = contact_change.invite_successor(db, clara, handover.id, NOW, 14)
    assert not isinstance(made, str) and made.organisation == "Suchtberatung"
    again = contact_change.invite_successor(db, clara, handover.id, NOW + timedelta(hours=1), 14)
    assert not isinstance(again, str) and again.invite.token == made.invite.token
    redeem_invite(db, made.invite.token, 505, "Lena", "de", 3, NOW + timedelta(hours=2))
    assert contact_change.invite_successor(db, clara, handover.id, NOW + timedelta(hours=3), 14) == "taken"


def test_what_the_person_typed_is_theirs_to_see_and_to_erase(
        db: Database, catalogs: Catalogs, coordinated: tuple[Membership, Membership]) -> None:
    _clara, jonas = coordinated
    handover = step_down(db, jonas, NOW)
    assert handover is not None
    assert contact_change.name(db, catalogs.gettext, handover, "Lena Vogel, 0171 5550123", NOW, "n:successor:1")
    mine = personal_data(db, 504, NOW)["contact_handovers"]
    assert [row["successor"] for row in mine] == ["Lena Vogel, 0171 5550123"]
    assert erase_person(db, 504, NOW + timedelta(days=1))
    assert db.execute("SELECT successor FROM handovers").fetchone()[0] is None
    news = json.dumps(_news(db), ensure_ascii=False)
    assert "0171 5550123" not in news and "[…]" in news  # redacted where the coordinators were sent it


def test_m019_adds_the_hand_overs_to_a_database_of_the_schema_before(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = Database(str(path))
    migrations.apply(old, stop_before="m019_contact_handovers")
    assert "handovers" not in old.table_names()
    old.close()
    db = open_db(path)
    jonas = _partner(db, 504, "Suchtberatung")
    handover = step_down(db, jonas, NOW)
    assert handover is not None and handover.successor is None and handover.told_at is None
    db.close()
