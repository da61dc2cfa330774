"""The digest benchmark's world: networks, partners and months of check-ins, stored exactly as the bot stores them.

People go through the real storage functions (create_network, create_invite, redeem_invite with CONSENT_VERSION,
set_privacy, set_thresholds, mark_unreachable, set_pause). Check-ins are bulk rows: which steps one shows and what
each partner answers come from bench._digest_answers (the real engine, memoised on what the script's branching can
see; per-partner behaviours), and the rows are those start_checkin, record_step and revise_answer write, inserted in
time order with executemany in one transaction.
"""

from __future__ import annotations

import json
import multiprocessing
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from typing import Any

from sqlite_utils import Database

from bench._digest_answers import BEHAVIOURS, Partner, Walker, random_walk, value
from bot.config import PROJECT_ROOT
from bot.core import engine
from bot.core.calendar import Schedule, add_local_days, next_allowed, next_period, round_due
from bot.core.context import CheckinContext, guess_kind
from bot.core.history import Thresholds
from bot.core.script.model import Script, Value
from bot.services import CONSENT_VERSION
from bot.usecases.scripts import ScriptRegistry
from storage.people import create_invite, create_network, mark_unreachable, organisation_for, redeem_invite
from storage.reports import set_privacy, set_thresholds
from storage.rounds import set_pause

DIALOGS = PROJECT_ROOT / "dialogs"
FIRST_PERIOD, JOINED, SCHEDULE = "2026-01", datetime(2025, 12, 1, 9, 0, tzinfo=UTC), Schedule()  # default schedule
ORGANISATIONS = ("Jobcenter", "Jugendamt", "Schuldnerberatung der Diakonie", "Suchtberatung", "Kita Sonnenschein",
                 "Caritas Familienberatung", "AWO Kreisverband", "Bildungsträger Perspektive gGmbH",
                 "Arbeitgeberservice der Agentur für Arbeit", "Frauenberatung", "Familienzentrum", "Volkshochschule",
                 "Gesundheitsamt", "Erziehungsberatung", "Migrationsberatung", "Tagespflegebörse", "Berufsschule",
                 "Klinik für Psychiatrie", "Wohnungsnotfallhilfe", "Stadtteilbüro")
GOALS = ("Bis Ende {y} sollen {n} Alleinerziehende mit Kinderbetreuung in Arbeit oder Ausbildung vermittelt werden.",
         "Jede Woche eine Fallkonferenz, damit {n} Familien im Jahr schneller Beratung und einen Kitaplatz bekommen.",
         "Alleinerziehende schneller in Arbeit vermitteln, mit Kinderbetreuung aus einer Hand, {n} Familien pro Jahr.",
         "Bis {y} begleiten wir {n} verschuldete Eltern in eine Schuldenregulierung und danach in eine Ausbildung.")
def round_times(rounds: int) -> list[tuple[str, datetime, datetime]]:
    """(period, opened, closes) of each round; every network keeps the default schedule."""
    period, result = FIRST_PERIOD, []
    for _ in range(rounds):
        opened = next_allowed(SCHEDULE, round_due(SCHEDULE, period)).astimezone(UTC)
        result.append((period, opened, add_local_days(SCHEDULE, opened, SCHEDULE.close_days).astimezone(UTC)))
        period = next_period(period)
    return result


def people(db: Database, networks: int, partners: int, rounds: int,
           rng: random.Random) -> list[tuple[int, list[Partner]]]:
    """Networks, coordinators and partners through the real invite flow; some contact persons change or vanish."""
    result, user, times = [], 300_000, round_times(rounds)
    for n in range(1, networks + 1):
        city = f"Stadt {n}"
        network = create_network(db, f"Netzwerk Alleinerziehende {city}", JOINED)
        invite = create_invite(db, network, "coordinator", None, JOINED, 14)
        redeem_invite(db, invite.token, 100_000 + n, f"Koordination {n}", "de", CONSENT_VERSION, JOINED)
        if rng.random() < 0.2:
            set_privacy(db, network, "named", JOINED)
        if rng.random() < 0.05:
            set_thresholds(db, network, Thresholds(low_level=1, drop=3))
        theme, members, struggling = rng.randrange(len(GOALS)), [], rng.random() < 0.1
        for i in range(partners):
            name = ORGANISATIONS[i % len(ORGANISATIONS)] + ("" if i < len(ORGANISATIONS) else f" {i + 1}") + f" {city}"
            organisation = organisation_for(db, network, name, JOINED + timedelta(minutes=i))
            invite, user = create_invite(db, network, "partner", organisation, JOINED, 14), user + 1
            joined = redeem_invite(db, invite.token, user, f"Partner {user}", "en" if i % 4 == 3 else "de",
                                   CONSENT_VERSION, JOINED + timedelta(minutes=i))
            goal = GOALS[theme if rng.random() < 0.8 else rng.randrange(len(GOALS))]
            members.append(Partner(organisation, rng.choices(list(BEHAVIOURS), list(BEHAVIOURS.values()))[0],
                                   goal.format(y=2027 + rng.randrange(2), n=rng.randrange(10, 60)),
                                   [(1, joined.id)], guess_kind(name), rounds,
                                   rng.choices(range(4), (60, 25, 10, 5))[0]))
        order = sorted(db.execute("SELECT id, name FROM organisations WHERE network_id = ?", [network]).fetchall(),
                       key=lambda row: str(row[1]).lower())  # the partners step's buttons: by name, NOCASE
        for partner in members:
            partner.others = tuple((str(i), str(name)) for i, name in order if i != partner.organisation_id)
            down = rng.randrange(4, rounds + 8) if struggling or partner.behaviour == "fading" else 10_000
            partner.levels["benefit"] = random_walk(rng, rng.choice((3, 4, 4, 4, 5)), rounds, down)
            if partner.behaviour == "vague":
                partner.levels["goals_clear"] = random_walk(rng, 3, rounds)
            if partner.behaviour == "silent":
                partner.silent_from = rng.randrange(2, rounds + 2)
            if rounds > 1 and rng.random() < 0.06 * rounds / 12:  # a new contact person before round `change`
                change = rng.randrange(2, rounds + 1)
                at = times[change - 1][1] - timedelta(days=rng.randrange(3, 9))
                invite, user = create_invite(db, network, "partner", partner.organisation_id, at, 14), user + 1
                successor = redeem_invite(db, invite.token, user, f"Partner {user}", "de", CONSENT_VERSION, at)
                partner.contacts.append((change, successor.id))
            elif rng.random() < 0.01:  # blocked the bot: prompted but missed from then on
                partner.unreachable_from = rng.randrange(1, rounds + 1)
                mark_unreachable(db, partner.member(partner.unreachable_from),
                                 times[partner.unreachable_from - 1][1] + timedelta(hours=1))
        result.append((network, members))
    return result


class Rows:
    """Check-ins and answers of one month, inserted in time order, with the ids the bot's inserts would give them."""

    def __init__(self, walkers: dict[str, Walker]) -> None:
        self.walkers, self.next_id = walkers, 1
        self.checkins: list[tuple[str, list[Any], list[list[Any]]]] = []
        self.json: dict[tuple[type, Value], str] = {}
        self.hours: dict[int, str] = {}

    def checkin(self, script: Script, partner: Partner, number: int, context: CheckinContext, network: int,
                round_id: int | None, start: datetime, rng: random.Random, stop: int = 1000, late: bool = False,
                expired: datetime | None = None, revise: bool = False) -> datetime:
        """One check-in (the first `stop` steps) as start_checkin, record_step and revise_answer leave it; its end."""
        walker, member = self.walkers[script.id], partner.member(max(number, 1))
        drawn = {name: value(walker, walker.by_id[name], partner, number, rng) for name in walker.steps}
        path = walker.path(context, drawn)
        given = [(walker.by_id[name], drawn[name] if name in drawn else value(walker, walker.by_id[name], partner,
                                                                               number, rng)) for name in path[:stop]]
        state = engine.DialogState(path[len(given)] if len(given) < len(path) else None,
                                   {step.id: got for step, got in given if step.is_question}, path[:len(given) + 1])
        rows: list[list[Any]] = []
        at = began = int(start.timestamp())
        for step, got in given:
            at += 8 + int(32 * rng.random())
            if step.is_question:
                key = (type(got), got)  # True == 1 as a dict key
                if key not in self.json:
                    self.json[key] = json.dumps(got)  # as record_step stores it
                rows.append([member, network, partner.organisation_id, round_id, script.id, script.version, step.id,
                             0, step.kind, step.factor, step.risk, self.json[key],
                             got if isinstance(got, int) and not isinstance(got, bool) else None, int(late),
                             self.stamp(at)])
        finished = updated = at
        scales = [row for row in rows if row[8] == "scale" and row[12] is not None]
        if revise and scales:  # changed through /answers a day later: a new revision; the state follows
            row, updated = list(rng.choice(scales)), at + 86_400
            row[7], row[12] = 1, row[12] + (1 if row[12] < 5 else -1)
            row[11], row[14] = json.dumps(row[12]), self.stamp(updated)
            rows.append(row)
            state = engine.DialogState(state.current, {**state.answers, str(row[6]): int(row[12])}, state.path)
        self.checkins.append((self.stamp(began), [
            member, network, partner.organisation_id, script.id, script.version, state.to_json(),
            "done" if state.finished or expired else "open", int(10 + 90_000 * rng.random()), self.stamp(began),
            self.stamp(updated), self.stamp(finished) if state.finished else None, round_id, None,
            expired.isoformat() if expired else None], rows))
        return datetime.fromtimestamp(finished, UTC)

    def stamp(self, seconds: int) -> str:
        """datetime.fromtimestamp(seconds, UTC).isoformat() for whole seconds, quicker (memoised by the hour)."""
        hour, rest = divmod(seconds, 3600)
        if hour not in self.hours:
            self.hours[hour] = datetime.fromtimestamp(hour * 3600, UTC).isoformat()[:13]
        return f"{self.hours[hour]}:{rest // 60:02d}:{rest % 60:02d}+00:00"

    def month(self, rounds: list[tuple[Any, ...]], participants: list[tuple[Any, ...]],
              pauses: list[tuple[int, datetime]]) -> Month:
        """What was collected, in insertion order: check-ins by start (ids given), answers by time."""
        answers: list[list[Any]] = []
        self.checkins.sort(key=itemgetter(0))
        for _start, checkin, rows in self.checkins:
            for row in [checkin, *rows]:
                row.insert(0, self.next_id)
            answers += rows
            self.next_id += 1
        answers.sort(key=itemgetter(15, 0))  # answered_at, check-in
        month = Month(rounds, participants, pauses, [checkin for _s, checkin, _r in self.checkins], answers,
                      sum(len(walker.memo) for walker in self.walkers.values()))
        self.checkins = []
        return month


@dataclass(frozen=True)
class Month:
    """One month's rows: rounds, participants, pauses (member, round opened), check-ins, answers."""

    rounds: list[tuple[Any, ...]]
    participants: list[tuple[Any, ...]]
    pauses: list[tuple[int, datetime]]
    checkins: list[list[Any]]
    answers: list[list[Any]]
    paths: int  # distinct paths walked with the engine so far

    def write(self, db: Database) -> None:
        """Insert the month (pauses through storage.rounds.set_pause)."""
        for member, start in self.pauses:
            set_pause(db, member, start - timedelta(days=2), start + timedelta(days=26), start - timedelta(days=2))
        for sql, rows in (("rounds (id, network_id, period, due_at, opened_at, closes_at, closed_at, status)",
                           self.rounds),
                          ("participants (round_id, membership_id, status, prompted_at, reminders_sent, finished_at)",
                           self.participants),
                          ("checkins (id, membership_id, network_id, organisation_id, script_id, script_version, state,"
                           " status, prompt_message_id, started_at, updated_at, finished_at, round_id, editing_step,"
                           " expired_at)", self.checkins),
                          ("answers (checkin_id, membership_id, network_id, organisation_id, round_id, script_id,"
                           " script_version, step_id, revision, kind, factor, risk, value_json, value_num, late,"
                           " answered_at)", self.answers)):
            db.conn.executemany(f"INSERT INTO {sql} VALUES ({', '.join('?' * sql.count(',')) + ', ?'})", rows)


@dataclass(frozen=True)
class Generated:
    """What was written."""

    memberships: int
    checkins: int
    answers: int
    paths: int


def _delay(partner: Partner, number: int, rng: random.Random) -> float:
    """Days after the prompt the partner starts: by habit, sometimes not; slow partners later each round."""
    if partner.behaviour == "slow":
        return (number % 4) * 2.6 + rng.random() * 0.3
    habit = partner.habit if rng.random() < 0.9 else rng.randrange(4)
    return (rng.random() * 0.3, 0.5 + rng.random() * 2, 3 + rng.random(), 7 + rng.random() * 1.5)[habit]


def months(world: list[tuple[int, list[Partner]]], rows: Rows, scripts: tuple[Script, Script],
           joined: dict[int, datetime], rounds: int, rng: random.Random) -> Iterator[Month]:
    """Month by month: the onboarding of who joined before, the round, its participants, check-ins and answers."""
    (monthly, onboarding), times, round_id = scripts, round_times(rounds), 0
    last: dict[int, str] = {}
    for number, (period, start, close) in enumerate(times, start=1):
        for network, members in world:
            for partner in members:
                for member in (m for first, m in partner.contacts if first == number):
                    context = CheckinContext(number, joined[member].month, partner.kind, False, partner.others)
                    rows.checkin(onboarding, partner, number, context, network, None,
                                 joined[member] + timedelta(minutes=1), rng)
        rounds_rows: list[tuple[Any, ...]] = []
        participants: list[tuple[Any, ...]] = []
        pauses: list[tuple[int, datetime]] = []
        for network, members in world:
            round_id += 1
            rounds_rows.append((round_id, network, period, round_due(SCHEDULE, period).astimezone(UTC).isoformat(),
                                start.isoformat(), close.isoformat(), close.isoformat(), "closed"))
            for partner in members:
                member, draw = partner.member(number), rng.random()
                context = CheckinContext(number, int(period[5:]), partner.kind, last.get(member) in ("done", "late"),
                                         partner.others)
                status, reminders, finished = "missed", 2, None
                prompted: str | None = start.isoformat()
                if number >= min(partner.unreachable_from, partner.silent_from):
                    reminders = 0 if number >= partner.unreachable_from else 2
                elif draw < 0.015:  # paused (/pause): never prompted, excused
                    status, prompted, reminders = "excused", None, 0
                    pauses.append((member, start))
                elif draw < 0.075:  # missed; some began and stopped (ended when the next round opened)
                    if rng.random() < 0.2 and number < rounds and partner.member(number + 1) == member:
                        rows.checkin(monthly, partner, number, context, network, round_id,
                                     start + timedelta(seconds=rng.randrange(8 * 86_400)), rng,
                                     stop=rng.randrange(1, 4), expired=times[number][1])
                else:
                    late = rng.random() < 0.015  # started after the close: every answer late
                    days = 10.5 + rng.random() * 4 if late else _delay(partner, number, rng)
                    begin = start + timedelta(seconds=int(days * 86_400))
                    end = rows.checkin(monthly, partner, number, context, network, round_id, begin, rng, late=late,
                                       revise=begin + timedelta(days=1.1) < close and rng.random() < 0.015)
                    status, finished = ("late" if late else "done"), end.isoformat()
                    reminders = 2 if late else 0 if days < 3 else 1 if days < 7 else 2
                last[member] = status
                participants.append((round_id, member, status, prompted, reminders, finished))
        yield rows.month(rounds_rows, participants, pauses)


def _produce(months: Iterator[Month], ready: Any) -> None:
    """Put each month on the queue, then None (or the error)."""
    try:
        for month in months:
            ready.put(month)
        ready.put(None)
    except Exception as error:  # the writer raises it
        ready.put(error)


def generate(db: Database, networks: int, partners: int, rounds: int, seed: int = 1) -> Generated:
    """Write the world in one transaction: scripts and people, then month by month, each month's rows built in a
    forked process while the previous month is inserted. Foreign keys are checked by the caller afterwards (PRAGMA
    foreign_key_check), not row by row."""
    rng, scripts = random.Random(seed), ScriptRegistry(db)
    db.execute("PRAGMA foreign_keys = OFF")  # this connection only; so is the larger cache for the index inserts
    db.execute("PRAGMA cache_size = -1048576")
    checkins = answers = paths = 0
    with db.atomic():
        scripts.load_directory(DIALOGS, JOINED - timedelta(days=1))
        world = people(db, networks, partners, rounds, rng)
        pair = scripts.current("monthly_checkin"), scripts.current("onboarding_checkin")
        walkers = {script.id: Walker(script) for script in pair}
        joined = {int(r[0]): datetime.fromisoformat(r[1]) for r in db.execute("SELECT id, joined_at FROM memberships")}
        context = multiprocessing.get_context("fork")  # the child only builds rows; it never touches the database
        ready = context.Queue(maxsize=2)
        child = context.Process(target=_produce, args=(months(world, Rows(walkers), pair, joined, rounds, rng), ready),
                                daemon=True)
        child.start()
        try:
            while (month := ready.get(timeout=600)) is not None:
                if isinstance(month, Exception):
                    raise month
                month.write(db)
                checkins, answers, paths = checkins + len(month.checkins), answers + len(month.answers), month.paths
        finally:
            child.join(5)
            if child.is_alive():  # the writer failed while the child waits to hand over a month
                child.terminate()
    db.execute("PRAGMA foreign_keys = ON")
    count = db.execute("SELECT COUNT(*) FROM memberships").fetchone()[0]
    return Generated(int(count), checkins, answers, paths)
