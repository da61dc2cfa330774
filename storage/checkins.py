"""Script versions, check-ins in progress and the answers they produced."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from storage.people import Membership


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


@dataclass(frozen=True)
class StoredAnswer:
    """One stored answer to one step."""

    step_id: str
    value: object
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


class ScriptVersionConflict(ValueError):
    """A script file changed without a new version number."""


_CHECKIN_COLUMNS = (
    "id, membership_id, network_id, organisation_id, script_id, script_version, state, status, prompt_message_id"
)


def register_script(db: Database, script_id: str, version: int, source: str, now: datetime) -> bool:
    """Keep this version's source; True if it was new. The same version must never change its text."""
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
    with db.atomic():
        row = db.execute(
            "SELECT sha256 FROM scripts WHERE script_id = ? AND version = ?", [script_id, version]
        ).fetchone()
        if row is not None:
            if row[0] != digest:
                raise ScriptVersionConflict(
                    f"script '{script_id}' version {version} differs from the stored version {version}:"
                    " raise 'version' in the file when you change a script"
                )
            return False
        db.execute(
            "INSERT INTO scripts (script_id, version, sha256, source, created_at) VALUES (?, ?, ?, ?, ?)",
            [script_id, version, digest, source, now.isoformat()],
        )
    return True


def script_source(db: Database, script_id: str, version: int) -> str | None:
    """The YAML text of a stored script version."""
    row = db.execute("SELECT source FROM scripts WHERE script_id = ? AND version = ?", [script_id, version]).fetchone()
    return None if row is None else str(row[0])


def _checkin(row: tuple[object, ...] | None) -> Checkin | None:
    return None if row is None else Checkin(*row)  # type: ignore[arg-type]


def get_checkin(db: Database, checkin_id: int) -> Checkin | None:
    """A check-in by id."""
    return _checkin(db.execute(f"SELECT {_CHECKIN_COLUMNS} FROM checkins WHERE id = ?", [checkin_id]).fetchone())


def open_checkin(db: Database, membership_id: int) -> Checkin | None:
    """The member's unfinished check-in, if any."""
    return _checkin(
        db.execute(
            f"SELECT {_CHECKIN_COLUMNS} FROM checkins WHERE membership_id = ? AND status = 'open'", [membership_id]
        ).fetchone()
    )


def start_checkin(
    db: Database, member: Membership, script_id: str, version: int, state: str, now: datetime
) -> Checkin:
    """Open a new check-in for a partner."""
    assert member.organisation_id is not None, "only partners run check-ins"
    stamp = now.isoformat()
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO checkins (membership_id, network_id, organisation_id, script_id, script_version, state,"
            " status, started_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?)",
            [member.id, member.network_id, member.organisation_id, script_id, version, state, stamp, stamp],
        )
    checkin = get_checkin(db, int(cursor.lastrowid or 0))
    assert checkin is not None
    return checkin


def set_prompt(db: Database, checkin_id: int, message_id: int) -> None:
    """Remember which message shows the check-in's current step."""
    with db.atomic():
        db.execute("UPDATE checkins SET prompt_message_id = ? WHERE id = ?", [message_id, checkin_id])


def record_step(db: Database, checkin: Checkin, record: StepRecord, now: datetime) -> bool:
    """Store the answer and the new state in one transaction; False if the check-in moved on meanwhile."""
    stamp = now.isoformat()
    with db.atomic():
        # Compare-and-set on the old state: a double tap or a concurrent update changes nothing twice.
        cursor = db.execute(
            "UPDATE checkins SET state = ?, updated_at = ?, status = ?, finished_at = ?"
            " WHERE id = ? AND state = ? AND status = 'open'",
            [record.new_state, stamp, "done" if record.finished else "open", stamp if record.finished else None,
             checkin.id, checkin.state],
        )
        if cursor.rowcount != 1:
            return False
        if record.is_answer:
            number = record.value if isinstance(record.value, int) and not isinstance(record.value, bool) else None
            db.execute(
                "INSERT INTO answers (checkin_id, membership_id, network_id, organisation_id, script_id,"
                " script_version, step_id, kind, factor, value_json, value_num, answered_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [checkin.id, checkin.membership_id, checkin.network_id, checkin.organisation_id, checkin.script_id,
                 checkin.script_version, record.step_id, record.kind, record.factor, json.dumps(record.value),
                 number, stamp],
            )
    return True


def answers_of(db: Database, checkin_id: int) -> list[StoredAnswer]:
    """The answers of one check-in in the order given."""
    rows = db.execute(
        "SELECT step_id, value_json, script_version FROM answers WHERE checkin_id = ? ORDER BY id", [checkin_id]
    ).fetchall()
    return [StoredAnswer(r[0], json.loads(r[1]), r[2]) for r in rows]
