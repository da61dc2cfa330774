"""The facts a check-in may branch on, read from the database: round number, month, kind, last round, partners."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from bot.core.context import CheckinContext


def checkin_context(db: Database, membership_id: int, round_id: int | None, now: datetime) -> CheckinContext:
    """The context of a check-in of this member, counted for `round_id` (None: before the next round)."""
    member = db.execute("SELECT m.network_id, m.organisation_id, COALESCE(o.kind, 'other') FROM memberships m"
                        " LEFT JOIN organisations o ON o.id = m.organisation_id WHERE m.id = ?",
                        [membership_id]).fetchone()
    if member is None:
        return CheckinContext(month=now.month)
    network_id, organisation_id, kind = int(member[0]), member[1], str(member[2])
    if round_id is not None:
        number, period = db.execute("SELECT (SELECT COUNT(*) FROM rounds WHERE network_id = r.network_id AND"
                                    " id <= r.id), r.period FROM rounds r WHERE r.id = ?", [round_id]).fetchone()
        month = int(str(period)[5:7])
    else:
        number = 1 + db.execute("SELECT COUNT(*) FROM rounds WHERE network_id = ?", [network_id]).fetchone()[0]
        month = now.month
    previous = db.execute(
        "SELECT p.status FROM participants p JOIN rounds r ON r.id = p.round_id WHERE p.membership_id = ?"
        " AND r.network_id = ? AND (? IS NULL OR r.id < ?) ORDER BY r.id DESC LIMIT 1",
        [membership_id, network_id, round_id, round_id]).fetchone()
    partners = db.execute("SELECT id, name FROM organisations WHERE network_id = ? AND id IS NOT ? ORDER BY name"
                          " COLLATE NOCASE", [network_id, organisation_id]).fetchall()
    return CheckinContext(round_number=int(number), month=month, role=kind,
                          answered_last_round=previous is not None and previous[0] in ("done", "late"),
                          partners=tuple((str(row[0]), str(row[1])) for row in partners))
