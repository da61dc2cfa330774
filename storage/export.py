"""What /export reads: the newest revision of every answer given in one of the network's rounds."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from bot.core.records import AnswerRecord
from storage.checkins import NEWEST_REVISION, stored_value


def answer_records(db: Database, network_id: int, closed_only: bool = False) -> list[AnswerRecord]:
    """Every round answer of the network in its newest revision, with round period and organisation, in order given;
    `closed_only`: only answers given in closed rounds up to their close (no open round, no late answers)."""
    closed = " AND r.status = 'closed' AND a.late = 0" if closed_only else ""
    rows = db.execute(
        "SELECT r.period, a.organisation_id, o.name, a.script_id, a.script_version, a.step_id, a.kind, a.factor,"
        " a.risk, a.value_json, a.late, a.answered_at FROM answers a JOIN rounds r ON r.id = a.round_id"
        " JOIN organisations o ON o.id = a.organisation_id WHERE a.network_id = ? AND a.round_id IS NOT NULL"
        f" AND {NEWEST_REVISION}{closed} ORDER BY a.id", [network_id]).fetchall()
    return [AnswerRecord(str(r[0]), int(r[1]), str(r[2]), str(r[3]), int(r[4]), str(r[5]), str(r[6]),
                         None if r[7] is None else int(r[7]), None if r[8] is None else int(r[8]), stored_value(r[9]),
                         bool(r[10]), datetime.fromisoformat(r[11])) for r in rows]


def organisation_names(db: Database, network_id: int) -> dict[int, str]:
    """Every partner organisation of the network by id (also those without a contact person now)."""
    return {int(r[0]): str(r[1]) for r in db.execute(
        "SELECT id, name FROM organisations WHERE network_id = ? ORDER BY id", [network_id]).fetchall()}
