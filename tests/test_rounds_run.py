"""Months of rounds in a second: run_due on a real SQLite file with the real catalogs and a fake clock."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlite_utils import Database

from bot.core import engine
from bot.core.calendar import Schedule, next_working_morning
from bot.core.engine import Accepted, Press, Typed
from bot.core.script.loader import load_script_file
from bot.core.script.model import Script, Step
from bot.i18n import Catalogs
from bot.jobs.rounds import run_due
from bot.services import CONSENT_VERSION
from storage.checkins import StepRecord, get_checkin, record_step, start_checkin
from storage.db import open_db
from storage.people import Membership, create_invite, create_network, organisation_for, redeem_invite
from storage.rounds import set_pause, snooze
from tests.e2e import TEST_DIALOGS, FakeClock

BERLIN = ZoneInfo("Europe/Berlin")
HOLIDAYS_2027 = {date(2027, 1, 1), date(2027, 3, 26), date(2027, 3, 29)}  # nationwide, in the simulated months
CREATED = datetime(2026, 12, 1, tzinfo=UTC)
LOCALES = ("de", "de", "de", "de", "en")


def utc(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=UTC)


def join(db: Database, network: int, number: int, locale: str, when: datetime) -> Membership:
    organisation = organisation_for(db, network, f"Organisation {number}", when)
    invite = create_invite(db, network, "partner", organisation, when, 14)
    return redeem_invite(db, invite.token, 600 + number, f"Person{number}", locale, CONSENT_VERSION, when)


def make_network(db: Database, created: datetime = CREATED) -> tuple[int, list[Membership]]:
    network = create_network(db, "Netzwerk Test", created)
    return network, [join(db, network, number, locale, created) for number, locale in enumerate(LOCALES)]


def round_id(db: Database, period: str) -> int:
    return int(db.execute("SELECT id FROM rounds WHERE period = ?", [period]).fetchone()[0])


def _input(step: Step) -> Press | Typed:
    if step.kind == "text":
        return Typed("Alles gut")
    if step.kind == "choice":
        return Press(step.options[0].id)
    return Press({"scale": "4", "yes_no": engine.YES, "info": engine.CONTINUE}[step.kind])


def answer_round(db: Database, script: Script, member: Membership, period: str, now: datetime,
                 steps: int = 1000) -> None:
    """Start the member's check-in of the round and answer up to `steps` steps, the way the handler stores them."""
    state = engine.start(script)
    checkin = start_checkin(db, member, script.id, script.version, state.to_json(), now, round_id(db, period))
    while state.current is not None and steps > 0:
        step = script.step(state.current)
        outcome = engine.answer(script, state, step.id, _input(step))
        assert isinstance(outcome, Accepted)
        state, steps = outcome.state, steps - 1
        record = StepRecord(step.id, step.kind, step.factor, outcome.is_answer, outcome.value, state.to_json(),
                            state.finished)
        assert record_step(db, checkin, record, now)
        fresh = get_checkin(db, checkin.id)
        assert fresh is not None
        checkin = fresh


Event = Callable[[datetime], None]


@dataclass
class Run:
    """What a simulation saw: moments at which a second run_due still did something."""

    repeats: list[tuple[datetime, dict[str, int]]] = field(default_factory=list)


def simulate(db: Database, catalogs: Catalogs, clock: FakeClock, end: datetime,
             events: dict[datetime, Event] | None = None, minutes: int = 30) -> Run:
    """Step the clock to `end`, applying events when their moment has come and running what is due at each step."""
    run, pending = Run(), sorted((events or {}).items())
    while clock() < end:
        while pending and pending[0][0] <= clock():
            pending.pop(0)[1](clock())
        if run_due(db, catalogs, clock()).counts:
            again = run_due(db, catalogs, clock()).counts
            if again:
                run.repeats.append((clock(), again))
        clock.advance(minutes=minutes)
    return run


@dataclass
class Season:
    db: Database
    catalogs: Catalogs
    members: list[Membership]
    run: Run

    def rows(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.db.execute(sql, list(params)).fetchall()]


@pytest.fixture(scope="module")
def season(tmp_path_factory: pytest.TempPathFactory, catalogs: Catalogs) -> Iterator[Season]:
    """Four monthly rounds, January to April 2027, of a network with five partners and a newcomer in February."""
    db = open_db(Path(tmp_path_factory.mktemp("season")) / "netzpuls.db")
    script = load_script_file(TEST_DIALOGS / "monthly_checkin.yaml")
    network, m = make_network(db)
    set_pause(db, m[3].id, utc(1, 1) - timedelta(days=10), utc(1, 31, 23), CREATED)

    def snooze_m0(now: datetime) -> None:
        assert snooze(db, round_id(db, "2027-03"), m[0].id, next_working_morning(Schedule(), now))

    events: dict[datetime, Event] = {
        utc(1, 6, 10): lambda now: answer_round(db, script, m[0], "2027-01", now),
        utc(1, 11, 10): lambda now: answer_round(db, script, m[1], "2027-01", now),
        utc(1, 20, 10): lambda now: answer_round(db, script, m[4], "2027-01", now),  # after the close: late
        utc(2, 3, 10): lambda now: answer_round(db, script, m[2], "2027-02", now),
        utc(2, 4, 10): lambda now: m.append(join(db, network, 5, "de", now)),
        utc(3, 2, 10): snooze_m0,
        utc(3, 4, 10): lambda now: answer_round(db, script, m[1], "2027-03", now, steps=1),  # started only
    }
    run = simulate(db, catalogs, FakeClock(utc(1, 1)), utc(4, 20), events)
    yield Season(db, catalogs, m, run)
    db.close()


def test_each_month_exactly_one_round_opens_on_the_first_tuesday_and_closes_after_ten_days(season: Season) -> None:
    assert season.rows("SELECT period, due_at, opened_at, closes_at, closed_at, status FROM rounds ORDER BY id") == [
        (f"2027-{month:02d}", due.isoformat(), due.isoformat(), close.isoformat(), close.isoformat(), "closed")
        for month, due, close in [(1, utc(1, 5, 8), utc(1, 15, 8)), (2, utc(2, 2, 8), utc(2, 12, 8)),
                                  (3, utc(3, 2, 8), utc(3, 12, 8)), (4, utc(4, 6, 7), utc(4, 16, 7))]]


def test_calling_run_due_again_at_the_same_moment_does_nothing(season: Season) -> None:
    assert season.run.repeats == []
    assert season.rows("SELECT COUNT(*) - COUNT(DISTINCT dedupe_key) FROM outbox") == [(0,)]


def test_each_partner_gets_one_prompt_per_round_when_it_opens(season: Season) -> None:
    ids = [m.id for m in season.members]
    rows = season.rows("SELECT r.period, o.membership_id, o.created_at = r.opened_at FROM outbox o JOIN rounds r"
                       " ON r.id = o.round_id WHERE o.kind = 'prompt' AND o.dedupe_key NOT LIKE '%again%'")
    assert all(on_time for _, _, on_time in rows)
    prompted = Counter((period, member) for period, member, _ in rows)
    assert set(prompted.values()) == {1}
    assert {p: sorted(mid for (q, mid) in prompted if q == p) for p, _ in prompted} == {
        "2027-01": [ids[0], ids[1], ids[2], ids[4]],  # the paused partner is not asked
        "2027-02": ids[:5],  # the newcomer's welcome was their prompt
        "2027-03": ids, "2027-04": ids}
    again = season.rows("SELECT membership_id, created_at FROM outbox WHERE dedupe_key LIKE '%again%'")
    assert again == [(ids[0], utc(3, 3, 8).isoformat())]  # asked again the next working morning, 09:00 local


def test_reminders_go_only_to_those_who_have_not_finished(season: Season) -> None:
    number = {m.id: n for n, m in enumerate(season.members)}
    sent: dict[tuple[str, int], list[int]] = {}
    for period, member, key in season.rows("SELECT r.period, o.membership_id, o.dedupe_key FROM outbox o JOIN rounds r"
                                           " ON r.id = o.round_id WHERE o.kind = 'reminder' ORDER BY o.id"):
        sent.setdefault((period, number[member]), []).append(int(key.rsplit(":", 1)[1]))
    both = [1, 2]
    assert sent == {("2027-01", 1): [1], ("2027-01", 2): both, ("2027-01", 4): both,
                    **{("2027-02", n): both for n in (0, 1, 3, 4, 5)},
                    **{(p, n): both for p in ("2027-03", "2027-04") for n in range(6)}}


@pytest.mark.parametrize(("period", "moments"), [
    ("2027-01", [utc(1, 8, 8), utc(1, 12, 8)]),
    ("2027-02", [utc(2, 5, 8), utc(2, 8, 7), utc(2, 9, 8), utc(2, 11, 10)]),  # the newcomer: from 4 Feb 11:00 local
    ("2027-03", [utc(3, 5, 8), utc(3, 9, 8)]),  # winter time: 09:00 local is 08:00 UTC
    ("2027-04", [utc(4, 9, 7), utc(4, 13, 7)]),  # summer time: 09:00 local is 07:00 UTC
])
def test_reminders_go_out_on_day_three_and_seven_at_local_time(season: Season, period: str,
                                                               moments: list[datetime]) -> None:
    rows = season.rows("SELECT DISTINCT o.created_at FROM outbox o JOIN rounds r ON r.id = o.round_id"
                       " WHERE o.kind = 'reminder' AND r.period = ? ORDER BY 1", period)
    assert rows == [(moment.isoformat(),) for moment in moments]


def test_nothing_is_queued_in_quiet_hours(season: Season) -> None:
    stamps = [datetime.fromisoformat(s).astimezone(BERLIN) for (s,) in season.rows("SELECT created_at FROM outbox")]
    assert len(stamps) == 21 + 1 + 39  # prompts, one prompt after a snooze, reminders
    assert [s for s in stamps if not 8 <= s.hour < 19 or s.weekday() >= 5 or s.date() in HOLIDAYS_2027] == []


def test_rounds_close_with_done_late_missed_and_excused(season: Season) -> None:
    number = {m.id: n for n, m in enumerate(season.members)}
    statuses: dict[str, dict[int, str]] = {}
    for period, member, status in season.rows("SELECT r.period, p.membership_id, p.status FROM participants p"
                                              " JOIN rounds r ON r.id = p.round_id"):
        statuses.setdefault(period, {})[number[member]] = status
    assert statuses == {
        "2027-01": {0: "done", 1: "done", 2: "missed", 3: "excused", 4: "late"},  # 3 paused at the close
        "2027-02": {0: "missed", 1: "missed", 2: "done", 3: "missed", 4: "missed", 5: "missed"},
        "2027-03": dict.fromkeys(range(6), "missed"),  # 1 started but never finished
        "2027-04": dict.fromkeys(range(6), "missed")}
    assert season.rows("SELECT COUNT(*) FROM outbox WHERE status != 'dropped'") == [(0,)]  # closing drops unsent


def test_answers_after_the_close_are_marked_late(season: Season) -> None:
    january, m = round_id(season.db, "2027-01"), season.members
    flags = season.rows("SELECT membership_id, MIN(late), MAX(late), COUNT(*) > 3 FROM answers WHERE round_id = ?"
                        " GROUP BY membership_id ORDER BY membership_id", january)
    assert flags == [(m[0].id, 0, 0, 1), (m[1].id, 0, 0, 1), (m[4].id, 1, 1, 1)]
    assert season.rows("SELECT status, finished_at FROM participants WHERE membership_id = ? AND round_id = ?",
                       m[4].id, january) == [("late", utc(1, 20, 10).isoformat())]


@pytest.mark.parametrize(("key", "expected"), [
    ("remind:{jan}:{m2}:1", "1 von 4 Partnern hat schon geantwortet."),
    ("remind:{jan}:{m4}:1", "1 of 4 partners has already answered."),
    ("remind:{jan}:{m2}:2", "2 von 4 Partnern haben schon geantwortet."),
    ("remind:{jan}:{m4}:2", "2 of 4 partners have already answered."),
    ("remind:{feb}:{m0}:1", "1 von 6 Partnern hat schon geantwortet."),  # the newcomer counts
])
def test_reminders_say_how_many_partners_have_answered(season: Season, key: str, expected: str) -> None:
    m = season.members
    filled = key.format(jan=round_id(season.db, "2027-01"), feb=round_id(season.db, "2027-02"), m0=m[0].id,
                        m2=m[2].id, m4=m[4].id)
    [(text,)] = season.rows("SELECT text FROM outbox WHERE dedupe_key = ?", filled)
    assert text.splitlines()[-1] == expected


def test_a_started_checkin_is_continued_from_the_reminder(season: Season) -> None:
    march, m = round_id(season.db, "2027-03"), season.members
    rows = season.rows("SELECT membership_id, reply_markup FROM outbox WHERE dedupe_key LIKE ?", f"remind:{march}:%:1")
    labels = {member: json.loads(markup)["inline_keyboard"][0][0]["text"] for member, markup in rows}
    assert labels[m[1].id] == "Weiter" and labels[m[0].id] == "Jetzt starten" and labels[m[4].id] == "Start now"
    [(text,)] = season.rows("SELECT text FROM outbox WHERE dedupe_key = ?", f"remind:{march}:{m[4].id}:1")
    assert text == ("A short reminder: your check-in for March 2027 in \"Netzwerk Test\" is still open until Friday,"
                    " 12 March, 9 am.")


def test_downtime_before_the_due_time_opens_late_without_a_burst(db: Database, catalogs: Catalogs) -> None:
    make_network(db)
    clock = FakeClock(utc(1, 4, 12))
    assert run_due(db, catalogs, clock()).counts == {}
    clock.advance(days=8, hours=20)  # back on Wednesday 13 January, 09:00 local: due + 8 days
    assert run_due(db, catalogs, clock()).counts == {"OpenRound": 1, "Prompt": 5}
    assert simulate(db, catalogs, clock, utc(1, 25)).repeats == []
    assert db.execute("SELECT opened_at, closes_at, closed_at FROM rounds").fetchall() == [
        (utc(1, 13, 8).isoformat(), utc(1, 23, 8).isoformat(), utc(1, 23, 8).isoformat())]
    reminders = db.execute("SELECT created_at, COUNT(*) FROM outbox WHERE kind = 'reminder' GROUP BY 1").fetchall()
    assert reminders == [(utc(1, 18, 7).isoformat(), 5), (utc(1, 20, 8).isoformat(), 5)]  # Sat 16th waits for Mon


def test_downtime_after_the_prompts_sends_one_catch_up_reminder(db: Database, catalogs: Catalogs) -> None:
    make_network(db)
    clock = FakeClock(utc(1, 5, 8))
    assert run_due(db, catalogs, clock()).counts == {"OpenRound": 1, "Prompt": 5}
    clock.advance(days=8)  # down from the prompts until day 8: both reminders fell due meanwhile
    assert run_due(db, catalogs, clock()).counts == {"Remind": 5}
    simulate(db, catalogs, clock, utc(1, 20))
    keys = [str(k).rsplit(":", 1)[1] for (k,) in db.execute("SELECT dedupe_key FROM outbox WHERE kind = 'reminder'")]
    assert keys == ["2"] * 5
    assert db.execute("SELECT DISTINCT reminders_sent, status FROM participants").fetchall() == [(2, "missed")]


def test_a_network_created_after_the_due_time_waits_for_next_month(db: Database, catalogs: Catalogs) -> None:
    make_network(db, created=utc(1, 5, 9))
    simulate(db, catalogs, FakeClock(utc(1, 5, 9)), utc(2, 3), minutes=60)
    assert db.execute("SELECT period, opened_at FROM rounds").fetchall() == [("2027-02", utc(2, 2, 8).isoformat())]


def test_run_due_twice_at_the_same_moment_queues_nothing_twice(db: Database, catalogs: Catalogs) -> None:
    make_network(db)
    for moment, first in [(utc(1, 5, 8), {"OpenRound": 1, "Prompt": 5}), (utc(1, 8, 8), {"Remind": 5}),
                          (utc(1, 12, 8), {"Remind": 5}), (utc(1, 15, 8), {"CloseRound": 1})]:
        assert run_due(db, catalogs, moment).counts == first
        queued = db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
        assert run_due(db, catalogs, moment).counts == {}
        assert db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == queued
