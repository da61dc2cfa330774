"""What /export reads: the newest revision of every answer given in one of the network's rounds."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from bot.core.records import AnswerRecord
from storage.checkins import NEWEST_REVISION, stored_value
from storage.db import picked, rows


def answer_records(db: Database, network_id: int, closed_only: bool = False) -> list[AnswerRecord]:
    """Every round answer of the network in its newest revision, with round period and organisation, in order given;
    `closed_only`: only answers given in closed rounds up to their close (no open round, no late answers)."""
    closed = " AND r.status = 'closed' AND a.late = 0" if closed_only else ""
    found = picked(  # every answer of the network
        db, "SELECT r.period, a.organisation_id, o.name AS organisation, a.script_id, a.script_version, a.step_id,"
        " a.kind, a.factor, a.risk, a.value_json, a.late, a.answered_at, a.quote_named FROM answers a"
        " JOIN rounds r ON r.id = a.round_id JOIN organisations o ON o.id = a.organisation_id"
        " WHERE a.network_id = ? AND a.round_id IS NOT NULL"
        f" AND {NEWEST_REVISION}{closed} ORDER BY a.id", [network_id],
        ("period", "organisation_id", "organisation", "script_id", "script_version", "step_id", "kind", "factor",
         "risk", "value_json", "late", "answered_at", "quote_named"))
    return [AnswerRecord(period=str(period), organisation_id=int(organisation_id), organisation=str(organisation),
                         script_id=str(script_id), script_version=int(version), step_id=str(step_id), kind=str(kind),
                         factor=None if factor is None else int(factor), risk=None if risk is None else int(risk),
                         value=stored_value(raw), late=bool(late), answered_at=datetime.fromisoformat(at),
                         quote_named=bool(quote_named))
            for period, organisation_id, organisation, script_id, version, step_id, kind, factor, risk, raw, late, at,
            quote_named in found]


def organisation_names(db: Database, network_id: int) -> dict[int, str]:
    """Every partner organisation of the network by id (also those without a contact person now)."""
    return {int(r["id"]): str(r["name"])
            for r in rows(db, "SELECT id, name FROM organisations WHERE network_id = ? ORDER BY id", [network_id])}
