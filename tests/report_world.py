"""A network with closed monthly rounds written straight to the database, for the period report's tests (and its
benchmark): partners answer every measuring question of the shipped monthly script, some write a free text, and the
coordinator agrees a coaching step after the first round."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlite_utils import Database

from bot.core import engine
from bot.core.history import Privacy
from bot.core.period_report import shift
from bot.core.script.model import Script, Step, Value
from bot.usecases.scripts import ScriptRegistry
from storage.checkins import StepRecord, get_checkin, record_step, start_checkin
from storage.coaching import actions_of, record_action, set_outcome, start_session
from storage.people import Membership, create_invite, create_network, organisation_for, redeem_invite
from storage.reports import set_privacy
from storage.rounds import close_round, mark_finished, open_round
from tests.e2e import ROOT

DIALOGS = ROOT / "dialogs"
BEGIN = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
FIRST = "2027-01"
ORGANISATIONS = ("Jobcenter Musterstadt", "Jugendamt Musterstadt", "Schuldnerberatung Caritas", "Suchtberatung Süd",
                 "Kita Sonnenschein gGmbH", "Bildungsträger Lernwerk", "AWO Kreisverband Musterstadt",
                 "Familienzentrum Nord", "Volkshochschule Musterstadt", "Frauenberatung Musterstadt",
                 "Stadtteilbüro West", "Gesundheitsamt Musterstadt")


@dataclass(frozen=True)
class World:
    """The network, its partners (in the order of ORGANISATIONS) and its coordinator."""

    network_id: int
    partners: tuple[Membership, ...]
    coordinator: Membership
    scripts: ScriptRegistry


def quote_of(organisation: int, round_number: int) -> str:
    """The free text a partner writes in a round (umlauts, typographic quotes and a dash included)."""
    return (f"Runde {round_number}: Die Übergänge zwischen Jobcenter und Jugendamt klappen „spürbar besser“ – "
            f"dank der Fallkonferenz (Partner {organisation}).")


def _value(step: Step, level: int) -> Value | None:
    """An answer at about this level: a scale value, or the option whose level is nearest."""
    if step.kind == "scale":
        return level
    options = [option for option in step.options if option.level is not None]
    if not options:
        return None
    return min(options, key=lambda option: abs((option.level or 0) - level)).id


def build_world(db: Database, *, partners: int = 4, rounds: int = 3, privacy: Privacy = "anonymous",
                answering: Sequence[int] = (), name: str = "Netzwerk Alleinerziehende Musterstadt") -> World:
    """A network of `partners` organisations and `rounds` closed rounds from January 2027; in round n the first
    `answering[n - 1]` partners answer (all where not given), each writing a free text."""
    scripts = ScriptRegistry(db)
    scripts.load_directory(DIALOGS, BEGIN)
    script = scripts.current("monthly_checkin")
    network = create_network(db, name, BEGIN)
    if privacy == "named":
        set_privacy(db, network, "named", BEGIN)
    coordinator = redeem_invite(db, create_invite(db, network, "coordinator", None, BEGIN, 14).token, 900, "Clara",
                                "de", 1, BEGIN)
    members = []
    for index in range(partners):
        organisation = organisation_for(db, network, ORGANISATIONS[index % len(ORGANISATIONS)] +
                                        ("" if index < len(ORGANISATIONS) else f" {index + 1}"), BEGIN)
        token = create_invite(db, network, "partner", organisation, BEGIN, 14).token
        members.append(redeem_invite(db, token, 1000 + index, f"P{index}", "de", 1, BEGIN + timedelta(minutes=index)))
    for number in range(1, rounds + 1):
        opened = BEGIN + timedelta(days=31 * number)
        closes = opened + timedelta(days=10)
        round_id = open_round(db, network, shift(FIRST, number - 1), opened, closes, [m.id for m in members], opened)
        assert round_id is not None
        count = answering[number - 1] if number <= len(answering) else len(members)
        for index, member in enumerate(members[:count]):
            _answer(db, script, member, round_id, number, index, [m.organisation_id for m in members],
                    opened + timedelta(hours=index + 1))
        close_round(db, round_id, [], closes)
        if number == 1:
            _coaching(db, coordinator, network, round_id, closes + timedelta(hours=1))
    return World(network, tuple(members), coordinator, scripts)


def _answer(db: Database, script: Script, member: Membership, round_id: int, number: int, index: int,
            organisations: list[int | None], at: datetime) -> None:
    """One partner's whole check-in of a round, finished while the round is open."""
    checkin = start_checkin(db, member, script.id, script.version, engine.start(script).to_json(), at, round_id)
    level = 2 + (index + number) % 4
    for step in script.steps:
        if not step.is_question or not script.shown(step, number):
            continue
        value: Value | None = None
        if step.measures:
            value = _value(step, level)
        elif step.kind == "partners":
            value = tuple(str(org) for org in organisations[index + 1:index + 3] if org is not None)
        elif step.id == "anything_else":
            value = quote_of(index + 1, number)
        if value is None:
            continue
        fresh = get_checkin(db, checkin.id)
        assert fresh is not None
        assert record_step(db, fresh, StepRecord(step.id, step.kind, step.factor, True, value, fresh.state, False,
                                                 risk=step.risk), at)
    with db.atomic():
        mark_finished(db, round_id, member.id, at + timedelta(minutes=5))


def _coaching(db: Database, coordinator: Membership, network: int, round_id: int, at: datetime) -> None:
    """The coordinator commits to one step after the round and later says it was partly done."""
    session = start_session(db, coordinator.id, network, round_id, "coaching", 1, (("factor_3", "Nutzen"),), "{}", at)
    record_action(db, session, "factor_3", "Erkennbarer Nutzen", 3, "Jeden Partner um ein Beispiel bitten, wo das "
                  "Netzwerk geholfen hat", "mit allen Partnern", "Bis zum nächsten Treffen", at)
    [action] = actions_of(db, network)
    set_outcome(db, action.id, "partly", at + timedelta(days=20))
