"""A network's history read from the database as plain data (bot/core/history.py), for risk rules and digests."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from bot.core.conditions import holds
from bot.core.history import (
    BASELINE_ROUND,
    BASELINE_SCRIPT,
    AnswerFact,
    EventKind,
    History,
    MembershipEvent,
    Participation,
    Partner,
    RoundFacts,
    Thresholds,
)
from bot.core.script.model import Script, Value
from storage.checkins import stored_value
from storage.db import Row, picked, rows
from storage.handovers import NOT_RESPONSIBLE
from storage.reports import privacy_changes

ScriptLookup = Callable[[str, int], Script]  # (script id, version) -> the script (ScriptRegistry.version)


def _when(value: object) -> datetime | None:
    return datetime.fromisoformat(str(value)) if value else None


def load_history(db: Database, network_id: int, scripts: ScriptLookup,
                 thresholds: Thresholds | None = None) -> History:
    """Rounds (each with its privacy), partner organisations, the newest answer of every step of the check-ins finished
    while their round was open (a check-in left half-way or finished late counts in no result: bot.core.disclosure),
    each organisation's baseline, participation and membership events."""
    found = _round_rows(db, network_id)
    asked = _asked(db, network_id, scripts, {int(r["id"]): number for number, r in enumerate(found, start=1)})
    rounds = _rounds(found, asked)
    partners = tuple(
        Partner(int(r["id"]), str(r["name"]), str(r["kind"]), bool(r["active"]))
        for r in rows(
            db, "SELECT o.id, o.name, o.kind, EXISTS (SELECT 1 FROM memberships m WHERE m.organisation_id = o.id"
            " AND m.left_at IS NULL) AS active FROM organisations o WHERE o.network_id = ?"
            " ORDER BY o.name COLLATE NOCASE", [network_id]))
    return History(network_id, rounds, partners, _answers(db, network_id, scripts),
                   _participations(db, network_id), _events(db, network_id), thresholds or Thresholds(),
                   privacy_changes(db, network_id))


def participation_history(db: Database, network_id: int, organisation_id: int) -> History:
    """Only the network's rounds and one organisation's participation in them: enough for bot.core.participation's
    missed check-ins in a row, read cheaply where every prompt and reminder asks."""
    return History(network_id, _rounds(_round_rows(db, network_id), {}), (),
                   participations=_organisation_participations(db, network_id, organisation_id))


def _round_rows(db: Database, network_id: int) -> list[Row]:
    return rows(db, "SELECT id, period, opened_at, closes_at, status, privacy FROM rounds WHERE network_id = ?"
                    " ORDER BY id", [network_id])


def _rounds(found: list[Row], asked: dict[int, frozenset[int]]) -> tuple[RoundFacts, ...]:
    # A round is named if it opened named and was never switched to anonymous since (storage.reports.set_privacy).
    return tuple(
        RoundFacts(int(r["id"]), number, str(r["period"]), datetime.fromisoformat(r["opened_at"]),
                   datetime.fromisoformat(r["closes_at"]), r["status"] == "closed",
                   "named" if r["privacy"] == "named" else "anonymous", asked.get(int(r["id"]), frozenset()))
        for number, r in enumerate(found, start=1))


def _asked(db: Database, network_id: int, scripts: ScriptLookup, numbers: dict[int, int]) -> dict[int, frozenset[int]]:
    """For each round (id: number), the success factors the scripts its check-ins ran ask in that round."""
    found: dict[int, frozenset[int]] = {}
    for ran in rows(db, "SELECT DISTINCT c.round_id, c.script_id, c.script_version FROM rounds r JOIN checkins c"
                        " ON c.round_id = r.id WHERE r.network_id = ?", [network_id]):
        round_id = int(ran["round_id"])
        script, number = scripts(ran["script_id"], ran["script_version"]), numbers[round_id]
        found[round_id] = found.get(round_id, frozenset()) | frozenset(
            step.factor for step in script.steps
            if step.is_question and step.factor is not None and script.shown(step, number))
    return found


def _answers(db: Database, network_id: int, scripts: ScriptLookup) -> tuple[AnswerFact, ...]:
    """Every current answer of the network's rounds, in the order they were given, and each organisation's newest
    onboarding answers as its baseline (round BASELINE_ROUND)."""
    # The newest revision is picked here rather than by a correlated subquery per row (a fifth of the query's
    # time): rows come in id order and a revision is always stored after the answer it revises.
    # A network has thousands of answers: each row's values picked by column name, no dict or object per row.
    answers = picked(
        db, "SELECT a.round_id, a.organisation_id, a.step_id, a.kind, a.factor, a.risk, a.value_json, a.answered_at,"
        " a.late, a.script_id, a.script_version, a.checkin_id, a.revision, a.quote_named FROM answers a"
        # An organisation answered a round when its check-in was finished while the round was open ("done"): only
        # those answers count in results; a check-in left half-way or finished after the close counts in none.
        " WHERE a.network_id = ? AND (a.round_id IS NOT NULL AND a.late = 0 AND EXISTS (SELECT 1 FROM participants p"
        " WHERE p.round_id = a.round_id AND p.membership_id = a.membership_id AND p.status = 'done')"
        " OR a.round_id IS NULL AND a.script_id = ?) ORDER BY a.id",
        [network_id, BASELINE_SCRIPT],
        ("round_id", "organisation_id", "step_id", "kind", "factor", "risk", "value_json", "answered_at", "late",
         "script_id", "script_version", "checkin_id", "revision", "quote_named"))
    facts: dict[tuple[int, str], tuple[int, AnswerFact]] = {}
    # A network has thousands of answers but few distinct (script, step, stored value): each is judged once.
    judged: dict[tuple[str, int, str, str], tuple[Value, bool, int | None, bool]] = {}
    parse = datetime.fromisoformat
    for (round_id, organisation_id, step_id, kind, factor, risk, raw, at, late, script_id, version, checkin_id,
         revision, quote_named) in answers:
        key = (script_id, version, step_id, raw)
        if (known := judged.get(key)) is None:
            value = stored_value(raw)
            script = scripts(script_id, version)
            step = script.step(step_id) if script.has_step(step_id) else None
            concern = step.concern if step is not None else None
            level = step.level_of(value) if step is not None else (
                value if kind == "scale" and type(value) is int else None)
            words = kind == "text" or (step is not None and step.kind == "choice" and not step.measures
                                       and step.concern is None)
            known = judged[key] = (value, concern is not None and holds(concern, {step_id: value}), level, words)
        value, concerning, level, words = known
        fact = AnswerFact(BASELINE_ROUND if round_id is None else round_id, organisation_id, step_id, kind, factor,
                          risk, value, level, concerning, parse(at), bool(late), bool(quote_named), words)
        slot = (checkin_id, step_id)
        if (held := facts.get(slot)) is not None:
            held_revision, _ = held
            if held_revision > revision:
                continue
            del facts[slot]  # the revision takes the place of the answer it revises: the order it was given in
        facts[slot] = (revision, fact)
    # A new contact person answers the onboarding again: the organisation's baseline is its newest answer per step.
    baseline: dict[tuple[int, str], AnswerFact] = {}
    for _, fact in facts.values():
        if fact.round_id == BASELINE_ROUND:
            baseline[(fact.organisation_id, fact.step_id)] = fact
    newest = set(map(id, baseline.values()))
    return tuple(fact for _, fact in facts.values() if fact.round_id != BASELINE_ROUND or id(fact) in newest)


def _participations(db: Database, network_id: int) -> tuple[Participation, ...]:
    return _merged(picked(  # every partner of every round
        db, "SELECT p.round_id, m.organisation_id, p.status, p.prompted_at, p.finished_at FROM participants p"
        " JOIN rounds r ON r.id = p.round_id JOIN memberships m ON m.id = p.membership_id"
        " WHERE r.network_id = ? AND m.organisation_id IS NOT NULL ORDER BY p.round_id, p.id", [network_id],
        _PARTICIPATION))


def _organisation_participations(db: Database, network_id: int, organisation_id: int) -> tuple[Participation, ...]:
    # From the organisation's few contact persons to each of their rounds (CROSS JOIN keeps that order), never
    # through every participant of every round.
    return _merged(picked(
        db, "SELECT p.round_id, m.organisation_id, p.status, p.prompted_at, p.finished_at FROM memberships m"
        " CROSS JOIN rounds r CROSS JOIN participants p WHERE m.organisation_id = ? AND r.network_id = ?"
        " AND p.round_id = r.id AND p.membership_id = m.id ORDER BY p.round_id, p.id", [organisation_id, network_id],
        _PARTICIPATION))


_PARTICIPATION = ("round_id", "organisation_id", "status", "prompted_at", "finished_at")


def _merged(found: Iterable[tuple[Any, ...]]) -> tuple[Participation, ...]:
    """One row per organisation and round: after a handover mid-round the old and the new contact person share it
    (answered if either did; excused only if both were)."""
    rank = {"done": 0, "late": 1, "pending": 2, "missed": 3, "excused": 4}
    merged: dict[tuple[int, int], Participation] = {}
    for round_id, organisation_id, status, prompted_at, finished_at in found:
        one = Participation(int(round_id), int(organisation_id), status, _when(prompted_at), _when(finished_at))
        key = (one.round_id, one.organisation_id)
        if key not in merged or rank[one.status] < rank[merged[key].status]:
            merged[key] = one
    return tuple(merged.values())


def _events(db: Database, network_id: int) -> tuple[MembershipEvent, ...]:
    events: list[MembershipEvent] = []
    members = rows(db, "SELECT organisation_id, joined_at, left_at, left_reason, unreachable_at FROM memberships"
                       " WHERE network_id = ? AND organisation_id IS NOT NULL ORDER BY id", [network_id])
    joins = [(int(member["organisation_id"]), str(member["joined_at"])) for member in members]
    for member in members:
        organisation_id, left_at, unreachable_at = (int(member["organisation_id"]), member["left_at"],
                                                    member["unreachable_at"])
        events.append(MembershipEvent(organisation_id, "joined", datetime.fromisoformat(member["joined_at"])))
        if left_at:
            events.append(MembershipEvent(organisation_id, _ended(member["left_reason"], organisation_id, left_at,
                                                                  joins), datetime.fromisoformat(left_at)))
        if unreachable_at and not left_at:
            events.append(MembershipEvent(organisation_id, "unreachable", datetime.fromisoformat(unreachable_at)))
    return tuple(sorted(events, key=lambda event: event.at))


def _ended(reason: str | None, organisation_id: int, left_at: str, joins: list[tuple[int, str]]) -> EventKind:
    """The event of a contact person's end, the one place that tells a contact change from leaving: replaced by a new
    contact person (an invite for the organisation), or no longer responsible ("stepped_down" until a successor of
    the organisation joined, then a contact change like a replacement); everything else is leaving."""
    if reason == "replaced":
        return "replaced"
    if reason == NOT_RESPONSIBLE:
        followed = any(org == organisation_id and datetime.fromisoformat(joined) >= datetime.fromisoformat(left_at)
                       for org, joined in joins)
        return "replaced" if followed else "stepped_down"
    return "left"
