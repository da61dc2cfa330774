"""Data protection rights: everything stored about a person (/mydata), erasing it (/delete), retention."""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from storage.checkins import stored_value
from storage.people import end_membership

ERASED = json.dumps(None)


def _rows(db: Database, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = db.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def personal_data(db: Database, user_id: int, now: datetime) -> dict[str, Any]:
    """Everything stored about one Telegram user, as plain JSON-ready data (GDPR art. 15)."""
    users = _rows(db, "SELECT id AS telegram_id, first_name, locale, created_at FROM users WHERE id = ?", [user_id])
    memberships = _rows(db, "SELECT m.id, n.name AS network, m.role, o.name AS organisation, m.joined_at, m.left_at,"
                            " m.left_reason, m.unreachable_at FROM memberships m JOIN networks n ON n.id = m.network_id"
                            " LEFT JOIN organisations o ON o.id = m.organisation_id WHERE m.user_id = ? ORDER BY m.id",
                        [user_id])
    ids = [m["id"] for m in memberships] or [-1]
    marks = ", ".join("?" for _ in ids)
    answers = _rows(db, f"SELECT a.membership_id, a.script_id, a.script_version, r.period AS round, a.step_id,"
                        f" a.revision, a.kind, a.value_json, a.late, a.answered_at, a.erased_at FROM answers a"
                        f" LEFT JOIN rounds r ON r.id = a.round_id WHERE a.membership_id IN ({marks})"
                        f" ORDER BY a.id", ids)
    for answer in answers:
        answer["value"] = stored_value(answer.pop("value_json"))
    return {
        "exported_at": now.isoformat(),
        "person": users[0] if users else None,
        "memberships": memberships,
        "consents": _rows(db, f"SELECT membership_id, version, agreed_at FROM consents WHERE membership_id IN"
                              f" ({marks}) ORDER BY id", ids),
        "answers": answers,
        "check_ins": _rows(db, f"SELECT id, membership_id, script_id, script_version, status, started_at,"
                               f" finished_at FROM checkins WHERE membership_id IN ({marks}) ORDER BY id", ids),
        "rounds": _rows(db, f"SELECT r.period AS round, p.status, p.prompted_at, p.reminders_sent, p.finished_at"
                            f" FROM participants p JOIN rounds r ON r.id = p.round_id WHERE p.membership_id IN"
                            f" ({marks}) ORDER BY p.id", ids),
        "pauses": _rows(db, f"SELECT starts_at, ends_at, created_at FROM pauses WHERE membership_id IN ({marks})"
                            f" ORDER BY id", ids),
        "coaching_steps": _rows(db, f"SELECT topic_label, what, with_whom, due, created_at, outcome, outcome_note,"
                                    f" outcome_at FROM actions WHERE membership_id IN ({marks}) ORDER BY id", ids),
        "script_uploads": _rows(db, "SELECT script_id, file_name, status, created_at FROM script_drafts"
                                    " WHERE user_id = ? ORDER BY id", [user_id]),
    }


def _scrub_states(db: Database, where: str, params: list[Any], stamp: str) -> int:
    """Erase free-text answers (kind text) matching `where`, in the answers table and in their check-in's state."""
    found = db.execute(f"SELECT id, checkin_id, step_id FROM answers a WHERE a.kind = 'text' AND a.erased_at IS NULL"
                       f" AND a.value_json != ? AND {where}", [ERASED, *params]).fetchall()
    by_checkin: dict[int, set[str]] = {}
    for answer_id, checkin_id, step_id in found:
        db.execute("UPDATE answers SET value_json = ?, erased_at = ? WHERE id = ?", [ERASED, stamp, answer_id])
        by_checkin.setdefault(int(checkin_id), set()).add(str(step_id))
    for checkin_id, steps in by_checkin.items():
        row = db.execute("SELECT state FROM checkins WHERE id = ?", [checkin_id]).fetchone()
        state = json.loads(row[0])
        state["answers"] = {k: (None if k in steps else v) for k, v in state.get("answers", {}).items()}
        db.execute("UPDATE checkins SET state = ? WHERE id = ?", [json.dumps(state), checkin_id])
    return len(found)


def _empty_coaching(db: Database, where: str, params: list[Any]) -> None:
    """Coaching reflections live only in a session's state: an ended session keeps none of them."""
    db.execute(f"UPDATE coaching_sessions SET state = ? WHERE status = 'done' AND {where}",
               [json.dumps({"current": None, "answers": {}, "path": []}), *params])


def erase_person(db: Database, user_id: int, now: datetime) -> bool:
    """Erase a person's name, Telegram id and free texts; numbers and choices stay as anonymous aggregates.

    The person's rows keep a random negative id in place of the Telegram id (Telegram's ids are positive), so
    rounds and aggregates stay whole while nothing leads back to the person. False if nothing was stored.
    """
    stamp = now.isoformat()
    with db.atomic():
        row = db.execute("SELECT locale, created_at FROM users WHERE id = ?", [user_id]).fetchone()
        if row is None:
            return False
        ids = [r[0] for r in db.execute("SELECT id FROM memberships WHERE user_id = ?", [user_id]).fetchall()]
        for membership_id in ids:
            end_membership(db, membership_id, "deleted", now)
        marks = ", ".join("?" for _ in ids) or "NULL"
        _scrub_states(db, f"a.membership_id IN ({marks})", ids, stamp)
        _empty_coaching(db, f"membership_id IN ({marks})", ids)
        db.execute(f"UPDATE actions SET what = '', with_whom = NULL, outcome_note = NULL, note_pending = 0"
                   f" WHERE membership_id IN ({marks})", ids)
        pseudonym = -secrets.randbits(62) - 1
        db.execute("INSERT INTO users (id, first_name, locale, created_at) VALUES (?, '', ?, ?)",
                   [pseudonym, row[0], row[1]])
        db.execute("UPDATE memberships SET user_id = ? WHERE user_id = ?", [pseudonym, user_id])
        db.execute("UPDATE invites SET used_by = ? WHERE used_by = ?", [pseudonym, user_id])
        db.execute("DELETE FROM script_drafts WHERE user_id = ?", [user_id])
        db.execute("DELETE FROM outbox WHERE chat_id = ?", [user_id])
        db.execute("DELETE FROM users WHERE id = ?", [user_id])
    return True


def erase_old_texts(db: Database, cutoff: datetime, now: datetime) -> int:
    """Retention: erase free-text answers and coaching notes given before `cutoff`; how many answers were erased."""
    before = cutoff.isoformat()
    with db.atomic():
        erased = _scrub_states(db, "a.answered_at < ?", [before], now.isoformat())
        _empty_coaching(db, "finished_at < ? AND state != ?",
                        [before, json.dumps({"current": None, "answers": {}, "path": []})])
        db.execute("UPDATE actions SET outcome_note = NULL WHERE outcome_note IS NOT NULL AND outcome_at < ?",
                   [before])
        db.execute("UPDATE actions SET what = '', with_whom = NULL WHERE what != '' AND created_at < ?", [before])
        # Sent messages may quote free texts (a named digest); once sent they are only a log.
        db.execute("DELETE FROM outbox WHERE status IN ('sent', 'dropped', 'failed') AND created_at < ?", [before])
    return erased
