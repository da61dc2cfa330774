"""Check-ins in progress and the answers they produced."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from bot.core.script.model import Value
from storage.db import Row, first, rows, scalar
from storage.people import Membership
from storage.rounds import mark_finished


@dataclass(frozen=True)
class Checkin:
    """A stored check-in: whose it is, which script version, and the engine state as JSON."""

    id: int
    membership_id: int
    network_id: int
    organisation_id: int
    script_id: str
    script_version: int
    state: str
    status: str
    prompt_message_id: int | None
    round_id: int | None = None
    editing_step: str | None = None
    expired_at: str | None = None


@dataclass(frozen=True)
class StoredAnswer:
    """One stored answer to one step."""

    step_id: str
    value: Value
    script_version: int


@dataclass(frozen=True)
class StepRecord:
    """What to store for one accepted step: the answer (if it was a question) and the new state."""

    step_id: str
    kind: str
    factor: int | None
    is_answer: bool
    value: object
    new_state: str
    finished: bool
    risk: int | None = None


_CHECKIN_COLUMNS = (
    "id, membership_id, network_id, organisation_id, script_id, script_version, state, status, prompt_message_id,"
    " round_id, editing_step, expired_at"
)


def _checkin(row: Row | None) -> Checkin | None:
    return None if row is None else Checkin(**row)


def get_checkin(db: Database, checkin_id: int) -> Checkin | None:
    """A check-in by id."""
    return _checkin(first(db, f"SELECT {_CHECKIN_COLUMNS} FROM checkins WHERE id = ?", [checkin_id]))


def open_checkin(db: Database, membership_id: int) -> Checkin | None:
    """The member's unfinished check-in, if any."""
    return _checkin(
        first(db, f"SELECT {_CHECKIN_COLUMNS} FROM checkins WHERE membership_id = ? AND status = 'open'",
              [membership_id])
    )


def start_checkin(
    db: Database, member: Membership, script_id: str, version: int, state: str, now: datetime,
    round_id: int | None = None,
) -> Checkin:
    """Open a new check-in for a partner, in a round or on its own."""
    assert member.organisation_id is not None, "only partners run check-ins"
    stamp = now.isoformat()
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO checkins (membership_id, network_id, organisation_id, script_id, script_version, state,"
            " status, started_at, updated_at, round_id) VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)",
            [member.id, member.network_id, member.organisation_id, script_id, version, state, stamp, stamp,
             round_id],
        )
    checkin = get_checkin(db, int(cursor.lastrowid or 0))
    assert checkin is not None
    return checkin


def attach_round(db: Database, checkin_id: int, round_id: int) -> None:
    """Count a check-in started outside any round for the round that opened meanwhile."""
    with db.atomic():
        db.execute("UPDATE checkins SET round_id = ? WHERE id = ? AND round_id IS NULL", [round_id, checkin_id])
        db.execute("UPDATE answers SET round_id = ? WHERE checkin_id = ? AND round_id IS NULL", [round_id, checkin_id])


def set_prompt(db: Database, checkin_id: int, message_id: int | None) -> None:
    """Remember which message shows the check-in's current step (None: not known)."""
    with db.atomic():
        db.execute("UPDATE checkins SET prompt_message_id = ? WHERE id = ?", [message_id, checkin_id])


def record_step(db: Database, checkin: Checkin, record: StepRecord, now: datetime) -> bool:
    """Store the answer and the new state in one transaction; False if the check-in moved on meanwhile."""
    stamp = now.isoformat()
    with db.atomic():
        # Compare-and-set on the old state: a double tap or a concurrent update changes nothing twice.
        cursor = db.execute(
            "UPDATE checkins SET state = ?, updated_at = ?, status = ?, finished_at = ?, editing_step = NULL"
            " WHERE id = ? AND state = ? AND status = 'open'",
            [record.new_state, stamp, "done" if record.finished else "open", stamp if record.finished else None,
             checkin.id, checkin.state],
        )
        if cursor.rowcount != 1:
            return False
        if record.is_answer:
            _insert_answer(db, checkin, record, now)
        if record.finished and checkin.round_id is not None:
            mark_finished(db, checkin.round_id, checkin.membership_id, now)
    return True


def _insert_answer(db: Database, checkin: Checkin, record: StepRecord, now: datetime) -> None:
    """One answer row: the next revision of that step, marked late when its round has closed."""
    number = record.value if isinstance(record.value, int) and not isinstance(record.value, bool) else None
    db.execute(
        "INSERT INTO answers (checkin_id, membership_id, network_id, organisation_id, round_id, script_id,"
        " script_version, step_id, revision, kind, factor, risk, value_json, value_num, late, answered_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?,"
        " (SELECT COALESCE(MAX(revision) + 1, 0) FROM answers WHERE checkin_id = ? AND step_id = ?),"
        " ?, ?, ?, ?, ?, EXISTS (SELECT 1 FROM rounds WHERE id = ? AND status = 'closed'), ?)",
        [checkin.id, checkin.membership_id, checkin.network_id, checkin.organisation_id, checkin.round_id,
         checkin.script_id, checkin.script_version, record.step_id, checkin.id, record.step_id, record.kind,
         record.factor, record.risk, json.dumps(record.value), number, checkin.round_id, now.isoformat()],
    )


def revise_answer(db: Database, checkin: Checkin, record: StepRecord, now: datetime) -> bool:
    """Store a changed answer as a new revision and the updated state; the earlier answer stays."""
    with db.atomic():
        cursor = db.execute(
            "UPDATE checkins SET state = ?, updated_at = ?, editing_step = NULL WHERE id = ? AND state = ?",
            [record.new_state, now.isoformat(), checkin.id, checkin.state],
        )
        if cursor.rowcount != 1:
            return False
        _insert_answer(db, checkin, record, now)
    return True


def set_editing(db: Database, checkin_id: int, step_id: str | None) -> None:
    """Remember which step's answer the partner is typing anew (None: none)."""
    with db.atomic():
        db.execute("UPDATE checkins SET editing_step = ? WHERE id = ?", [step_id, checkin_id])


def latest_checkin(db: Database, membership_id: int) -> Checkin | None:
    """The member's newest check-in, finished or not."""
    return _checkin(
        first(db, f"SELECT {_CHECKIN_COLUMNS} FROM checkins WHERE membership_id = ? ORDER BY id DESC LIMIT 1",
              [membership_id])
    )


def round_checkin(db: Database, membership_id: int, round_id: int) -> Checkin | None:
    """The member's check-in of a round, if they started one."""
    return _checkin(
        first(db, f"SELECT {_CHECKIN_COLUMNS} FROM checkins WHERE membership_id = ? AND round_id = ?"
              " ORDER BY id DESC LIMIT 1", [membership_id, round_id])
    )


# SQL condition on an answer row `a`: it is the newest revision of its step in its check-in.
NEWEST_REVISION = ("a.revision = (SELECT MAX(revision) FROM answers b WHERE b.checkin_id = a.checkin_id"
                   " AND b.step_id = a.step_id)")


def stored_value(raw: str) -> Value:
    """An answer's value from its JSON: several chosen ids come back as a tuple, as the engine keeps them."""
    loaded = json.loads(raw)
    return tuple(str(item) for item in loaded) if isinstance(loaded, list) else loaded


def answers_of(db: Database, checkin_id: int) -> list[StoredAnswer]:
    """The current answer of each step of one check-in (its newest revision), in the order first given."""
    found = rows(
        db,
        f"SELECT a.step_id, a.value_json, a.script_version FROM answers a WHERE a.checkin_id = ? AND {NEWEST_REVISION}"
        " ORDER BY (SELECT MIN(id) FROM answers c WHERE c.checkin_id = a.checkin_id AND c.step_id = a.step_id)",
        [checkin_id],
    )
    return [StoredAnswer(r["step_id"], stored_value(r["value_json"]), r["script_version"]) for r in found]


def ever_started(db: Database, membership_id: int, script_id: str) -> bool:
    """Whether the member has ever started a check-in of this script."""
    return scalar(db, "SELECT 1 FROM checkins WHERE membership_id = ? AND script_id = ? LIMIT 1",
                  [membership_id, script_id]) is not None
