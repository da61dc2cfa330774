"""A network's history read from the database as plain data (bot/core/history.py), for risk rules and digests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlite_utils import Database

from bot.core.conditions import holds
from bot.core.history import AnswerFact, History, MembershipEvent, Participation, Partner, RoundFacts, Thresholds
from bot.core.script import Script, Value
from storage.checkins import NEWEST_REVISION, stored_value

ScriptLookup = Callable[[str, int], Script]  # (script id, version) -> the script (ScriptRegistry.version)


def _when(value: object) -> datetime | None:
    return datetime.fromisoformat(str(value)) if value else None


def load_history(db: Database, network_id: int, scripts: ScriptLookup,
                 thresholds: Thresholds | None = None) -> History:
    """Rounds, partner organisations, the newest answer of every step, participation and membership events."""
    rounds = tuple(
        RoundFacts(int(r[0]), number, str(r[1]), datetime.fromisoformat(r[2]), datetime.fromisoformat(r[3]),
                   r[4] == "closed")
        for number, r in enumerate(db.execute(
            "SELECT id, period, opened_at, closes_at, status FROM rounds WHERE network_id = ? ORDER BY id",
            [network_id]).fetchall(), start=1))
    partners = tuple(
        Partner(int(r[0]), str(r[1]), str(r[2]), bool(r[3]))
        for r in db.execute(
            "SELECT o.id, o.name, o.kind, EXISTS (SELECT 1 FROM memberships m WHERE m.organisation_id = o.id"
            " AND m.left_at IS NULL) FROM organisations o WHERE o.network_id = ? ORDER BY o.name COLLATE NOCASE",
            [network_id]).fetchall())
    return History(network_id, rounds, partners, _answers(db, network_id, scripts),
                   _participations(db, network_id), _events(db, network_id), thresholds or Thresholds())


def _answers(db: Database, network_id: int, scripts: ScriptLookup) -> tuple[AnswerFact, ...]:
    rows = db.execute(
        "SELECT a.round_id, a.organisation_id, a.step_id, a.kind, a.factor, a.risk, a.value_json, a.answered_at,"
        " a.late, a.script_id, a.script_version FROM answers a WHERE a.network_id = ? AND a.round_id IS NOT NULL"
        f" AND {NEWEST_REVISION} ORDER BY a.id", [network_id]).fetchall()
    facts: list[AnswerFact] = []
    # A network has thousands of answers but few distinct (script, step, stored value): each is judged once.
    judged: dict[tuple[str, int, str, str], tuple[Value, bool]] = {}
    for r in rows:
        key = (str(r[9]), int(r[10]), str(r[2]), str(r[6]))
        if (known := judged.get(key)) is None:
            value = stored_value(r[6])
            script = scripts(key[0], key[1])
            concern = script.step(key[2]).concern if script.has_step(key[2]) else None
            known = judged[key] = (value, concern is not None and holds(concern, {key[2]: value}))
        value, concerning = known
        level = value if r[3] == "scale" and isinstance(value, int) and not isinstance(value, bool) else None
        facts.append(AnswerFact(r[0], r[1], key[2], r[3], r[4], r[5], value, level, concerning,
                                datetime.fromisoformat(r[7]), bool(r[8])))
    return tuple(facts)


def _participations(db: Database, network_id: int) -> tuple[Participation, ...]:
    rows = db.execute(
        "SELECT p.round_id, m.organisation_id, p.status, p.prompted_at, p.finished_at FROM participants p"
        " JOIN rounds r ON r.id = p.round_id JOIN memberships m ON m.id = p.membership_id"
        " WHERE r.network_id = ? AND m.organisation_id IS NOT NULL ORDER BY p.round_id, p.id", [network_id]).fetchall()
    # One row per organisation and round: after a handover mid-round the old and the new contact person share it
    # (answered if either did; excused only if both were).
    rank = {"done": 0, "late": 1, "pending": 2, "missed": 3, "excused": 4}
    merged: dict[tuple[int, int], Participation] = {}
    for r in rows:
        one = Participation(int(r[0]), int(r[1]), r[2], _when(r[3]), _when(r[4]))
        key = (one.round_id, one.organisation_id)
        if key not in merged or rank[one.status] < rank[merged[key].status]:
            merged[key] = one
    return tuple(merged.values())


def _events(db: Database, network_id: int) -> tuple[MembershipEvent, ...]:
    events: list[MembershipEvent] = []
    for organisation_id, joined_at, left_at, reason, unreachable_at in db.execute(
            "SELECT organisation_id, joined_at, left_at, left_reason, unreachable_at FROM memberships"
            " WHERE network_id = ? AND organisation_id IS NOT NULL ORDER BY id", [network_id]).fetchall():
        events.append(MembershipEvent(int(organisation_id), "joined", datetime.fromisoformat(joined_at)))
        if left_at:
            events.append(MembershipEvent(int(organisation_id), "replaced" if reason == "replaced" else "left",
                                          datetime.fromisoformat(left_at)))
        if unreachable_at and not left_at:
            events.append(MembershipEvent(int(organisation_id), "unreachable", datetime.fromisoformat(unreachable_at)))
    return tuple(sorted(events, key=lambda event: event.at))
