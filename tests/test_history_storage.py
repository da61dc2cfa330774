"""The history risk rules read, loaded from a real SQLite file: rounds, newest answers with level and concern,
participation and membership events."""

from __future__ import annotations

from datetime import timedelta

from sqlite_utils import Database

from bot.core import engine
from bot.scripts import ScriptRegistry
from storage.checkins import StepRecord, get_checkin, record_step, revise_answer, start_checkin
from storage.history import load_history
from storage.people import Membership, create_invite, create_network, mark_unreachable, organisation_for, redeem_invite
from storage.rounds import close_round, open_round
from tests.e2e import NOW, TEST_DIALOGS, clarity_two_then_four


def join(db: Database, network: int, organisation: str, user_id: int, when: timedelta) -> Membership:
    """A contact person joins for the organisation (replacing an earlier one)."""
    org = organisation_for(db, network, organisation, NOW)
    token = create_invite(db, network, "partner", org, NOW, 30).token
    return redeem_invite(db, token, user_id, "P", "de", 1, NOW + when)


def test_history_holds_newest_answers_levels_concerns_participation_and_events(db: Database) -> None:
    registry = ScriptRegistry(db)
    [script] = registry.load_directory(TEST_DIALOGS, NOW)
    network = create_network(db, "N", NOW)
    anna = join(db, network, "Jobcenter", 501, timedelta(0))
    bert = join(db, network, "Kita Sonne", 502, timedelta(0))
    round_id = open_round(db, network, "2027-01", NOW, NOW + timedelta(days=14), [anna.id, bert.id], NOW)
    assert round_id is not None
    clarity_two_then_four(db, script, anna, round_id)
    close_round(db, round_id, [], NOW + timedelta(days=14))
    join(db, network, "Kita Sonne", 503, timedelta(days=20))  # a new contact person replaces Bert
    mark_unreachable(db, anna.id, NOW + timedelta(days=21))

    history = load_history(db, network, registry.version)
    [first] = history.rounds
    assert (first.number, first.period, first.closed) == (1, "2027-01", True)
    assert [(p.name, p.kind, p.active) for p in history.partners] == [("Jobcenter", "jobcenter", True),
                                                                      ("Kita Sonne", "care", True)]
    [answer] = history.answers  # the newest revision only
    assert (answer.step_id, answer.value, answer.level, answer.factor, answer.risk) == ("goals_clear", 4, 4, 2, 1)
    statuses = {(p.organisation_id, p.status) for p in history.participations}
    assert statuses == {(anna.organisation_id, "missed"), (bert.organisation_id, "missed")}
    kinds: list[tuple[int | None, str]] = [(event.organisation_id, event.kind) for event in history.events]
    assert kinds.count((bert.organisation_id, "replaced")) == 1 and (anna.organisation_id, "unreachable") in kinds
    assert kinds.count((bert.organisation_id, "joined")) == 2


def test_a_changed_answer_counts_once_in_the_order_of_its_newest_revision(db: Database) -> None:
    registry = ScriptRegistry(db)
    [script] = registry.load_directory(TEST_DIALOGS, NOW)
    network = create_network(db, "N", NOW)
    anna = join(db, network, "Jobcenter", 501, timedelta(0))
    round_id = open_round(db, network, "2027-01", NOW, NOW + timedelta(days=14), [anna.id], NOW)
    assert round_id is not None
    checkin = start_checkin(db, anna, script.id, script.version, engine.start(script).to_json(), NOW, round_id)

    def given(step: str, value: int, minutes: int, revise: bool = False) -> None:
        """Anna answers (or changes her answer to) a scale step."""
        fresh = get_checkin(db, checkin.id)
        assert fresh is not None
        record = StepRecord(step, "scale", 2, True, value, fresh.state, False)
        store = revise_answer if revise else record_step
        assert store(db, fresh, record, NOW + timedelta(minutes=minutes))

    given("goals_clear", 2, 1)
    given("benefit", 3, 2)
    given("goals_clear", 4, 3, revise=True)
    given("goals_clear", 5, 4, revise=True)
    history = load_history(db, network, registry.version)
    assert [(one.step_id, one.value) for one in history.answers] == [("benefit", 3), ("goals_clear", 5)]
