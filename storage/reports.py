"""What the digest needs besides the history: a network's privacy and thresholds, which rounds still await their
report, and which urgent alerts were sent."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, fields, replace
from datetime import datetime
from typing import Literal

from sqlite_utils import Database

from bot.core.history import Thresholds
from storage.db import rows, scalar

Privacy = Literal["anonymous", "named"]


def network_privacy(db: Database, network_id: int) -> Privacy:
    """'anonymous' (the default: only aggregates over at least 3 answers) or 'named'."""
    privacy = scalar(db, "SELECT privacy FROM networks WHERE id = ?", [network_id])
    return "named" if privacy == "named" else "anonymous"


def set_privacy(db: Database, network_id: int, privacy: Privacy, now: datetime) -> None:
    """Choose whether the coordinator sees who answered what. Named applies to the rounds that open from now on;
    anonymous at once and for good to every round so far (a later switch back to named names none of them). Each
    change is kept with its time: answers outside rounds take the setting of the moment they were given."""
    with db.atomic():
        db.execute("UPDATE networks SET privacy = ? WHERE id = ?", [privacy, network_id])
        db.execute("INSERT INTO privacy_changes (network_id, privacy, changed_at) VALUES (?, ?, ?)",
                   [network_id, privacy, now.isoformat()])
        if privacy == "anonymous":
            db.execute("UPDATE rounds SET privacy = 'anonymous' WHERE network_id = ?", [network_id])


def privacy_changes(db: Database, network_id: int) -> tuple[tuple[datetime, Privacy], ...]:
    """The network's privacy settings with the time each was made, oldest first."""
    return tuple((datetime.fromisoformat(r["changed_at"]), "named" if r["privacy"] == "named" else "anonymous")
                 for r in rows(db, "SELECT privacy, changed_at FROM privacy_changes WHERE network_id = ?"
                                   " ORDER BY changed_at, id", [network_id]))


def network_thresholds(db: Database, network_id: int) -> Thresholds:
    """The network's thresholds: the defaults, with what the network set (unknown or broken entries ignored)."""
    stored = scalar(db, "SELECT thresholds FROM networks WHERE id = ?", [network_id])
    try:
        chosen = json.loads(stored) if stored else {}
    except ValueError:
        chosen = {}
    if not isinstance(chosen, dict):
        chosen = {}
    defaults = Thresholds()
    known = {field.name: type(getattr(defaults, field.name)) for field in fields(Thresholds)}
    valid = {name: known[name](value) for name, value in chosen.items()
             if name in known and valid_threshold(name, value)}
    return replace(defaults, **valid)


def valid_threshold(name: str, value: object) -> bool:
    """A finite, non-negative number; shares and overlaps at most 1, counts of rounds and partners at least 1."""
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value) or value < 0:
        return False
    if name.endswith(("share", "overlap")):
        return value <= 1
    if name in ("network_min_partners", "trend_rounds", "quarter_rounds", "missed_in_row", "dont_know_rounds",
                "new_contacts_per_quarter"):
        return value >= 1 and value <= 100
    return value <= 1000


def set_thresholds(db: Database, network_id: int, thresholds: Thresholds) -> None:
    """Store the thresholds that differ from the defaults."""
    defaults = asdict(Thresholds())
    changed = {name: value for name, value in asdict(thresholds).items() if defaults[name] != value}
    with db.atomic():
        db.execute("UPDATE networks SET thresholds = ? WHERE id = ?", [json.dumps(changed) if changed else None,
                                                                      network_id])


def rounds_to_report(db: Database) -> list[tuple[int, int]]:
    """(network id, round id) of closed rounds whose digest and feedback were not queued yet, oldest first."""
    found = rows(db, "SELECT network_id, id FROM rounds WHERE status = 'closed' AND id NOT IN"
                     " (SELECT round_id FROM round_reports) ORDER BY closed_at, id")
    return [(int(r["network_id"]), int(r["id"])) for r in found]


def mark_reported(db: Database, round_id: int, signals: int, now: datetime) -> bool:
    """Record that a round's report was queued (inside the queueing transaction); False if it already was."""
    cursor = db.execute("INSERT OR IGNORE INTO round_reports (round_id, signals, created_at) VALUES (?, ?, ?)",
                        [round_id, signals, now.isoformat()])
    return cursor.rowcount == 1


def first_alert(db: Database, network_id: int, rule: str, organisation_id: int, round_number: int,
                now: datetime) -> bool:
    """Note an urgent alert (inside the queueing transaction); True only the first time for this key."""
    cursor = db.execute("INSERT OR IGNORE INTO signal_alerts (network_id, rule, organisation_id, round_number,"
                        " created_at) VALUES (?, ?, ?, ?, ?)", [network_id, rule, organisation_id, round_number,
                                                                  now.isoformat()])
    return cursor.rowcount == 1
