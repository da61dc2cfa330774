"""The facts a check-in may branch on, read from the database: round number, month, kind, last round, partners."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from bot.core.context import CheckinContext
from storage.db import first, rows, scalar


def checkin_context(db: Database, membership_id: int, round_id: int | None, now: datetime) -> CheckinContext:
    """The context of a check-in of this member, counted for `round_id` (None: before the next round)."""
    member = first(db, "SELECT m.network_id, m.organisation_id, COALESCE(o.kind, 'other') AS kind FROM memberships m"
                       " LEFT JOIN organisations o ON o.id = m.organisation_id WHERE m.id = ?", [membership_id])
    if member is None:
        return CheckinContext(month=now.month)
    network_id, organisation_id, kind = int(member["network_id"]), member["organisation_id"], str(member["kind"])
    if round_id is not None:
        counted = first(db, "SELECT (SELECT COUNT(*) FROM rounds WHERE network_id = r.network_id AND id <= r.id)"
                            " AS number, r.period FROM rounds r WHERE r.id = ?", [round_id])
        assert counted is not None, f"no round {round_id}"
        number, month = counted["number"], int(str(counted["period"])[5:7])
    else:
        number = 1 + scalar(db, "SELECT COUNT(*) FROM rounds WHERE network_id = ?", [network_id])
        month = now.month
    previous = scalar(
        db, "SELECT p.status FROM participants p JOIN rounds r ON r.id = p.round_id WHERE p.membership_id = ?"
        " AND r.network_id = ? AND (? IS NULL OR r.id < ?) ORDER BY r.id DESC LIMIT 1",
        [membership_id, network_id, round_id, round_id])
    partners = rows(db, "SELECT id, name FROM organisations WHERE network_id = ? AND id IS NOT ? ORDER BY name"
                        " COLLATE NOCASE", [network_id, organisation_id])
    # after "I'm no longer responsible" the contact person was asked who takes over (storage/handovers.py)
    successor_asked = scalar(db, "SELECT 1 FROM handovers WHERE membership_id = ?", [membership_id]) is not None
    return CheckinContext(round_number=int(number), month=month, role=kind,
                          answered_last_round=previous in ("done", "late"), successor_asked=successor_asked,
                          partners=tuple((str(row["id"]), str(row["name"])) for row in partners))
