"""The history risk rules read, loaded from a real SQLite file: rounds, newest answers with level and concern,
participation and membership events."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlite_utils import Database

from bot.core import engine
from bot.core.disclosure import round_disclosure
from bot.core.history import BASELINE_ROUND
from bot.core.participation import missed_streak
from bot.usecases.scripts import ScriptRegistry
from storage.checkins import StepRecord, get_checkin, record_step, revise_answer, start_checkin
from storage.history import load_history, participation_history
from storage.people import Membership, create_invite, create_network, mark_unreachable, organisation_for, redeem_invite
from storage.reports import set_privacy
from storage.rounds import close_round, mark_finished, open_round, participation, sit_out
from tests.e2e import NOW, ROOT, TEST_DIALOGS, clarity_two_then_four

DIALOGS = ROOT / "dialogs"


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
    with db.atomic():
        mark_finished(db, round_id, anna.id, NOW + timedelta(hours=2))  # Anna finished; Bert never began
    close_round(db, round_id, [], NOW + timedelta(days=14))
    join(db, network, "Kita Sonne", 503, timedelta(days=20))  # a new contact person replaces Bert
    mark_unreachable(db, anna.id, NOW + timedelta(days=21))

    history = load_history(db, network, registry.version)
    [first] = history.rounds
    assert (first.number, first.period, first.closed) == (1, "2027-01", True)
    assert first.asks == {2, 3, 4}  # every factor the round's check-in asks, answered or not (the closing text none)
    assert [(p.name, p.kind, p.active) for p in history.partners] == [("Jobcenter", "jobcenter", True),
                                                                      ("Kita Sonne", "care", True)]
    [answer] = history.answers  # the newest revision only
    assert (answer.step_id, answer.value, answer.level, answer.factor, answer.risk) == ("goals_clear", 4, 4, 2, 1)
    statuses = {(p.organisation_id, p.status) for p in history.participations}
    assert statuses == {(anna.organisation_id, "done"), (bert.organisation_id, "missed")}
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
    with db.atomic():
        mark_finished(db, round_id, anna.id, NOW + timedelta(minutes=5))
    history = load_history(db, network, registry.version)
    assert [(one.step_id, one.value) for one in history.answers] == [("benefit", 3), ("goals_clear", 5)]


def _answer(db: Database, member: Membership, script_id: str, version: int, state: str, steps: list[StepRecord],
            at: timedelta, round_id: int | None = None, *, finish: bool = True) -> None:
    """A check-in of the member with these answers, each stored as the bot stores it (the last one finishing it)."""
    checkin = start_checkin(db, member, script_id, version, state, NOW + at, round_id)
    if finish:
        steps = [*steps[:-1], replace(steps[-1], finished=True)]
    for record in steps:
        fresh = get_checkin(db, checkin.id)
        assert fresh is not None
        assert record_step(db, fresh, record, NOW + at)


def test_a_choice_answer_takes_the_level_of_its_option(db: Database) -> None:
    registry = ScriptRegistry(db)
    registry.load_directory(DIALOGS, NOW)
    monthly = registry.current("monthly_checkin")
    network = create_network(db, "N", NOW)
    anna = join(db, network, "Jobcenter", 501, timedelta(0))
    round_id = open_round(db, network, "2027-01", NOW, NOW + timedelta(days=14), [anna.id], NOW)
    state = engine.start(monthly).to_json()
    _answer(db, anna, monthly.id, monthly.version, state, [
        StepRecord("agreements_kept", "choice", 4, True, "partly", state, False, risk=2),
        StepRecord("network_rules", "choice", 6, True, "unknown", state, False, risk=2),
        StepRecord("resources", "choice", 8, True, "tight", state, False, risk=7)], timedelta(hours=1), round_id)
    levels = {one.step_id: (one.level, one.concern) for one in load_history(db, network, registry.version).answers}
    assert levels == {"agreements_kept": (2, True), "network_rules": (None, False), "resources": (None, True)}


def test_the_newest_onboarding_answers_are_each_organisations_baseline(db: Database) -> None:
    registry = ScriptRegistry(db)
    registry.load_directory(DIALOGS, NOW)
    onboarding = registry.current("onboarding_checkin")
    exit_script = registry.current("exit_checkin")
    network = create_network(db, "N", NOW)
    jonas = join(db, network, "Suchtberatung", 501, timedelta(0))
    state = engine.start(onboarding).to_json()
    _answer(db, jonas, onboarding.id, onboarding.version, state, [
        StepRecord("time_for_network", "choice", 1, True, "more", state, False, risk=6),
        StepRecord("goal_source", "choice", 2, True, "not_yet", state, False, risk=1)], timedelta(hours=1))
    lena = join(db, network, "Suchtberatung", 502, timedelta(days=20))  # the successor answers the onboarding again
    _answer(db, lena, onboarding.id, onboarding.version, state, [
        StepRecord("time_for_network", "choice", 1, True, "up_to_2h", state, False, risk=6)], timedelta(days=21))
    _answer(db, jonas, exit_script.id, exit_script.version, engine.start(exit_script).to_json(), [
        StepRecord("exit_reason", "choice", 1, True, "job_change", state, False, risk=9)], timedelta(days=30))

    history = load_history(db, network, registry.version)
    baseline = {(one.round_id, one.step_id): (one.value, one.level, one.concern) for one in history.answers}
    assert baseline == {(BASELINE_ROUND, "time_for_network"): ("up_to_2h", 3, False),  # Lena's, the newest
                        (BASELINE_ROUND, "goal_source"): ("not_yet", None, True)}  # Jonas's: Lena did not answer it
    assert history.rounds == ()  # no round: the baseline is no round of its own


def test_answers_given_after_the_round_closed_count_in_no_result(db: Database) -> None:
    registry = ScriptRegistry(db)
    [script] = registry.load_directory(TEST_DIALOGS, NOW)
    network = create_network(db, "N", NOW)
    members = [join(db, network, name, 501 + n, timedelta(0)) for n, name in enumerate(("A", "B", "C"))]
    round_id = open_round(db, network, "2027-01", NOW, NOW + timedelta(days=14), [m.id for m in members], NOW)
    assert round_id is not None
    state = engine.start(script).to_json()
    for member in members[:2]:
        _answer(db, member, script.id, script.version, state,
                [StepRecord("benefit", "scale", 3, True, 4, state, False, risk=5)], timedelta(days=1), round_id)
    close_round(db, round_id, [], NOW + timedelta(days=14))
    before = load_history(db, network, registry.version)
    _answer(db, members[2], script.id, script.version, state,  # a day after the close: stored, marked late
            [StepRecord("benefit", "scale", 3, True, 1, state, False, risk=5)], timedelta(days=15), round_id)
    assert db.execute("SELECT late FROM answers ORDER BY id").fetchall() == [(0,), (0,), (1,)]
    assert {one.status for one in load_history(db, network, registry.version).participations} == {"done", "late"}
    after = load_history(db, network, registry.version)
    assert after.answers == before.answers  # the closed round's results stay as they were
    assert round_disclosure(after, round_id, "digest") == "nothing"  # two answered in time, whatever came later


def test_a_check_in_left_half_way_counts_in_no_result(db: Database) -> None:
    registry = ScriptRegistry(db)
    [script] = registry.load_directory(TEST_DIALOGS, NOW)
    network = create_network(db, "N", NOW)
    done, halfway = (join(db, network, name, 501 + n, timedelta(0)) for n, name in enumerate(("A", "B")))
    round_id = open_round(db, network, "2027-01", NOW, NOW + timedelta(days=14), [done.id, halfway.id], NOW)
    assert round_id is not None
    state = engine.start(script).to_json()
    for member, finish in ((done, True), (halfway, False)):
        _answer(db, member, script.id, script.version, state,
                [StepRecord("benefit", "scale", 3, True, 2, state, False, risk=5)], timedelta(days=1), round_id,
                finish=finish)
    close_round(db, round_id, [], NOW + timedelta(days=14))
    history = load_history(db, network, registry.version)
    assert [answer.organisation_id for answer in history.answers] == [done.organisation_id]  # one way to count
    assert {(p.organisation_id, p.status) for p in history.participations} == {
        (done.organisation_id, "done"), (halfway.organisation_id, "missed")}


def test_a_switch_to_anonymous_holds_for_every_round_so_far_and_named_only_for_later_ones(db: Database) -> None:
    registry = ScriptRegistry(db)
    registry.load_directory(TEST_DIALOGS, NOW)
    network = create_network(db, "N", NOW)
    anna = join(db, network, "Jobcenter", 501, timedelta(0))
    set_privacy(db, network, "named", NOW)
    first = open_round(db, network, "2027-01", NOW, NOW + timedelta(days=14), [anna.id], NOW)
    assert first is not None
    set_privacy(db, network, "anonymous", NOW + timedelta(hours=1))  # partners answer trusting the new setting
    set_privacy(db, network, "named", NOW + timedelta(days=2))  # back: the round so far stays anonymous
    close_round(db, first, [], NOW + timedelta(days=14))
    second = open_round(db, network, "2027-02", NOW + timedelta(days=30), NOW + timedelta(days=44), [anna.id],
                        NOW + timedelta(days=30))
    history = load_history(db, network, registry.version)
    assert [(facts.id, facts.privacy) for facts in history.rounds] == [(first, "anonymous"), (second, "named")]
    assert [privacy for _at, privacy in history.privacy_changes] == ["named", "anonymous", "named"]
    assert history.privacy_at(NOW - timedelta(hours=1)) == "anonymous"  # before any setting: the default
    assert history.privacy_at(NOW + timedelta(hours=2)) == "anonymous"
    assert history.privacy_at(NOW + timedelta(days=3)) == "named"


def test_participation_history_counts_missed_rounds_as_the_full_history_does(db: Database) -> None:
    """Prompts read only the rounds and one organisation's participation: the same missed streak as the digest's, also
    across a contact change; a round sat out ("Skip this time") is excused and ends the streak."""
    registry = ScriptRegistry(db)
    registry.load_directory(TEST_DIALOGS, NOW)
    network = create_network(db, "N", NOW)
    anna = join(db, network, "Jobcenter", 501, timedelta(0))
    bert = join(db, network, "Kita Sonne", 502, timedelta(0))
    members = [anna.id, bert.id]
    for month in range(1, 4):
        opened = NOW + timedelta(days=31 * (month - 1))
        round_id = open_round(db, network, f"2027-0{month}", opened, opened + timedelta(days=10), members, opened)
        assert round_id is not None
        if month == 2:
            assert sit_out(db, round_id, bert.id) and not sit_out(db, round_id, bert.id)  # once; then nothing changes
            assert participation(db, round_id, bert.id).status == "excused"  # type: ignore[union-attr]
        close_round(db, round_id, [], opened + timedelta(days=10))
        assert not sit_out(db, round_id, anna.id)  # a closed round cannot be sat out: Anna stays missed
        if month == 2:
            handover = NOW + timedelta(days=45)  # Anna hands over to a successor
            token = create_invite(db, network, "partner", anna.organisation_id, handover, 30).token
            anna = redeem_invite(db, token, 503, "Q", "de", 1, handover)
            members = [anna.id, bert.id]
    full = load_history(db, network, registry.version)
    newest = full.rounds[-1].id
    for member, expected in ((anna, 3), (bert, 1)):
        assert member.organisation_id is not None
        light = participation_history(db, network, member.organisation_id)
        assert missed_streak(light, member.organisation_id, newest).rounds == expected
        assert missed_streak(full, member.organisation_id, newest) == missed_streak(light, member.organisation_id,
                                                                                    newest)


def test_a_partner_who_sat_out_and_answers_while_the_round_is_open_counts_as_answered(db: Database) -> None:
    network = create_network(db, "N", NOW)
    anna = join(db, network, "Jobcenter", 501, timedelta(0))
    bert = join(db, network, "Kita Sonne", 502, timedelta(0))
    round_id = open_round(db, network, "2027-01", NOW, NOW + timedelta(days=10), [anna.id, bert.id], NOW)
    assert round_id is not None and sit_out(db, round_id, anna.id) and sit_out(db, round_id, bert.id)
    with db.atomic():
        mark_finished(db, round_id, anna.id, NOW + timedelta(days=1))
    close_round(db, round_id, [], NOW + timedelta(days=10))
    with db.atomic():
        mark_finished(db, round_id, bert.id, NOW + timedelta(days=11))
    statuses = [participation(db, round_id, member.id) for member in (anna, bert)]
    assert [place.status for place in statuses if place is not None] == ["done", "late"]
