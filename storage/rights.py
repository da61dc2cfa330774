"""Data protection rights: everything stored about a person (/mydata), erasing it (/delete), retention."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from storage.checkins import stored_value
from storage.db import first, rows, scalar
from storage.erasures import Erasure, erasing, log_key, record, subject_of
from storage.people import end_membership

ERASED = json.dumps(None)
EMPTY_SESSION = json.dumps({"current": None, "answers": {}, "path": []})
REDACTED = "[…]"  # in place of an erased name or text inside a message stored for someone else
_SHORTEST_NAME, _SHORTEST_TEXT = 2, 4  # shorter needles would redact words that were never the person's
_QUOTED = 40  # reports cut long texts ("…"): their first characters are looked for as well


def personal_data(db: Database, user_id: int, now: datetime) -> dict[str, Any]:
    """Everything stored about one Telegram user, as plain JSON-ready data (GDPR art. 15)."""
    memberships = rows(db, "SELECT m.id, n.name AS network, m.role, o.name AS organisation, m.joined_at, m.left_at,"
                           " m.left_reason, m.unreachable_at FROM memberships m JOIN networks n ON n.id = m.network_id"
                           " LEFT JOIN organisations o ON o.id = m.organisation_id WHERE m.user_id = ? ORDER BY m.id",
                       [user_id])
    ids = [m["id"] for m in memberships] or [-1]
    marks = ", ".join("?" for _ in ids)
    answers = rows(db, f"SELECT a.membership_id, a.script_id, a.script_version, r.period AS round, a.step_id,"
                       f" a.revision, a.kind, a.value_json, a.late, a.answered_at, a.erased_at, a.quote_named"
                       f" FROM answers a"
                       f" LEFT JOIN rounds r ON r.id = a.round_id WHERE a.membership_id IN ({marks})"
                       f" ORDER BY a.id", ids)
    for answer in answers:
        answer["value"] = stored_value(answer.pop("value_json"))
        answer["quote_named"] = bool(answer["quote_named"])  # may be quoted with the organisation's name
    return {
        "exported_at": now.isoformat(),
        "person": first(db, "SELECT id AS telegram_id, first_name, locale, created_at FROM users WHERE id = ?",
                        [user_id]),
        "memberships": memberships,
        "consents": rows(db, f"SELECT membership_id, version, privacy, agreed_at FROM consents WHERE membership_id IN"
                             f" ({marks}) ORDER BY id", ids),
        "answers": answers,
        "check_ins": rows(db, f"SELECT id, membership_id, script_id, script_version, status, started_at,"
                              f" finished_at FROM checkins WHERE membership_id IN ({marks}) ORDER BY id", ids),
        "rounds": rows(db, f"SELECT r.period AS round, p.status, p.prompted_at, p.reminders_sent, p.finished_at"
                           f" FROM participants p JOIN rounds r ON r.id = p.round_id WHERE p.membership_id IN"
                           f" ({marks}) ORDER BY p.id", ids),
        "pauses": rows(db, f"SELECT starts_at, ends_at, created_at FROM pauses WHERE membership_id IN ({marks})"
                           f" ORDER BY id", ids),
        "coaching_steps": rows(db, f"SELECT topic_label, what, with_whom, due, created_at, outcome, outcome_note,"
                                   f" outcome_at FROM actions WHERE membership_id IN ({marks}) ORDER BY id", ids),
        "coaching_dialogs": _sessions(db, ids, marks),
        "script_uploads": rows(db, "SELECT script_id, file_name, status, created_at FROM script_drafts"
                                   " WHERE user_id = ? ORDER BY id", [user_id]),
        "script_publications": rows(db, "SELECT script_id, version, action, published_at FROM script_publications"
                                        " WHERE published_by = ? ORDER BY id", [str(user_id)]),
        # "I'm no longer responsible": whom the person named to take over (their own words), and when
        "contact_handovers": rows(db, f"SELECT h.created_at, o.name AS organisation, h.successor, h.answered_at"
                                      f" FROM handovers h JOIN organisations o ON o.id = h.organisation_id"
                                      f" WHERE h.membership_id IN ({marks}) ORDER BY h.id", ids),
        "invites_used": rows(db, "SELECT n.name AS network, i.role, i.created_at, i.used_at FROM invites i"
                                 " JOIN networks n ON n.id = i.network_id WHERE i.used_by = ? ORDER BY i.used_at",
                             [user_id]),
        "messages_to_you": rows(db, "SELECT kind, status, created_at, sent_at, text FROM outbox WHERE chat_id = ?"
                                    " ORDER BY id", [user_id]),
    }


def _sessions(db: Database, ids: list[int], marks: str) -> list[dict[str, Any]]:
    """The person's coaching dialogs with their answers (the reflections live only in the session's state)."""
    sessions = rows(db, f"SELECT id, membership_id, script_id, status, started_at, finished_at, state"
                        f" FROM coaching_sessions WHERE membership_id IN ({marks}) ORDER BY id", ids)
    for session in sessions:
        session["answers"] = json.loads(session.pop("state")).get("answers", {})
    return sessions


def _scrub_states(db: Database, where: str, params: list[Any], stamp: str) -> int:
    """Erase free-text answers (kind text) matching `where`, in the answers table and in their check-in's state."""
    found = rows(db, f"SELECT id, checkin_id, step_id FROM answers a WHERE a.kind = 'text' AND a.erased_at IS NULL"
                     f" AND a.value_json != ? AND {where}", [ERASED, *params])
    by_checkin: dict[int, set[str]] = {}
    for answer in found:
        db.execute("UPDATE answers SET value_json = ?, erased_at = ? WHERE id = ?", [ERASED, stamp, answer["id"]])
        by_checkin.setdefault(int(answer["checkin_id"]), set()).add(str(answer["step_id"]))
    for checkin_id, steps in by_checkin.items():
        state = json.loads(scalar(db, "SELECT state FROM checkins WHERE id = ?", [checkin_id]))
        state["answers"] = {k: (None if k in steps else v) for k, v in state.get("answers", {}).items()}
        db.execute("UPDATE checkins SET state = ? WHERE id = ?", [json.dumps(state), checkin_id])
    return len(found)


def _empty_coaching(db: Database, where: str, params: list[Any], now: datetime) -> None:
    """Coaching reflections live only in a session's state: these sessions end and keep none of them."""
    db.execute(f"UPDATE coaching_sessions SET state = ?, status = 'done', finished_at = COALESCE(finished_at, ?)"
               f" WHERE state != ? AND {where}", [EMPTY_SESSION, now.isoformat(), EMPTY_SESSION, *params])


def _texts_of(db: Database, marks: str, ids: list[int]) -> set[str]:
    """Every free text the person gave: text answers, coaching reflections and steps."""
    texts: set[str] = set()
    for answer in rows(db, f"SELECT value_json FROM answers WHERE kind = 'text' AND value_json != ?"
                           f" AND membership_id IN ({marks})", [ERASED, *ids]):
        texts.add(str(stored_value(answer["value_json"])))
    for session in rows(db, f"SELECT state FROM coaching_sessions WHERE membership_id IN ({marks})", ids):
        texts.update(v for v in json.loads(session["state"]).get("answers", {}).values() if isinstance(v, str))
    for action in rows(db, f"SELECT what, with_whom, outcome_note FROM actions WHERE membership_id IN ({marks})", ids):
        texts.update(str(v) for v in action.values() if v)
    for handover in rows(db, f"SELECT successor FROM handovers WHERE successor IS NOT NULL AND membership_id IN"
                             f" ({marks})", ids):
        texts.add(str(handover["successor"]))
    return {text.strip() for text in texts if len(text.strip()) >= _SHORTEST_TEXT}


def _redact_quotes(db: Database, name: str, texts: Iterable[str], networks: list[int], user_id: int) -> int:
    """Messages stored for other people (digests, notices, reviews) that name the person or quote their free texts
    get "[…]" in their place; how many rows changed."""
    needles = [re.escape(text) for text in texts]
    needles += [re.escape(text[:_QUOTED]) for text in texts if len(text) > _QUOTED]
    if len(name.strip()) >= _SHORTEST_NAME:
        needles.append(r"(?<!\w)" + re.escape(name.strip()) + r"(?!\w)")
    if not needles or not networks:
        return 0
    pattern = re.compile("|".join(sorted(needles, key=len, reverse=True)))
    marks = ", ".join("?" for _ in networks)
    changed = 0
    for message in rows(db, f"SELECT id, text FROM outbox WHERE chat_id != ? AND text != ''"
                            f" AND (network_id IN ({marks}) OR network_id IS NULL)", [user_id, *networks]):
        text = message["text"]
        redacted = pattern.sub(REDACTED, text)
        if redacted != text:
            db.execute("UPDATE outbox SET text = ? WHERE id = ?", [redacted, message["id"]])
            changed += 1
    return changed


def erase_person(db: Database, user_id: int, now: datetime, network_id: int | None = None) -> bool:
    """Erase a person's name, Telegram id and free texts; numbers and choices stay as anonymous aggregates. With
    `network_id`, only what they gave in that network, where they are (or were) in others too; False if nothing was
    stored.

    The person's rows keep a random negative id in place of the Telegram id (Telegram's ids are positive), so
    rounds and aggregates stay whole while nothing leads back to the person.
    """
    stamp = now.isoformat()
    with erasing(db):
        user = first(db, "SELECT locale, created_at, first_name FROM users WHERE id = ?", [user_id])
        if user is None:
            return False
        record(db, Erasure(subject_of(log_key(db), user_id), network_id, stamp))  # for the backups, kept or restored
        elsewhere = None if network_id is None else scalar(
            db, "SELECT 1 FROM memberships WHERE user_id = ? AND network_id != ? LIMIT 1", [user_id, network_id])
        everywhere = elsewhere is None
        scope, params = ("user_id = ?", [user_id]) if everywhere else ("user_id = ? AND network_id = ?",
                                                                       [user_id, network_id])
        ids = [r["id"] for r in rows(db, f"SELECT id FROM memberships WHERE {scope}", params)]
        networks = sorted({r["network_id"] for r in rows(db, f"SELECT network_id FROM memberships WHERE {scope}",
                                                           params)})
        for membership_id in ids:
            end_membership(db, membership_id, "deleted", now)
        marks = ", ".join("?" for _ in ids) or "NULL"
        _redact_quotes(db, str(user["first_name"] or ""), _texts_of(db, marks, ids), networks, user_id)
        # an exit check-in still running after /leave ends too (end_membership only sees active memberships)
        db.execute(f"UPDATE checkins SET status = 'done', expired_at = ?, editing_step = NULL"
                   f" WHERE status = 'open' AND membership_id IN ({marks})", [stamp, *ids])
        _scrub_states(db, f"a.membership_id IN ({marks})", ids, stamp)
        _empty_coaching(db, f"membership_id IN ({marks})", ids, now)
        db.execute(f"UPDATE actions SET what = '', with_whom = NULL, outcome_note = NULL, note_pending = 0"
                   f" WHERE membership_id IN ({marks})", ids)
        db.execute(f"UPDATE handovers SET successor = NULL WHERE membership_id IN ({marks})", ids)
        pseudonym = -secrets.randbits(62) - 1
        db.execute("INSERT INTO users (id, first_name, locale, created_at) VALUES (?, '', ?, ?)",
                   [pseudonym, user["locale"], user["created_at"]])
        db.execute(f"UPDATE memberships SET user_id = ? WHERE id IN ({marks})", [pseudonym, *ids])
        net_marks = ", ".join("?" for _ in networks) or "NULL"
        db.execute(f"UPDATE invites SET used_by = ? WHERE used_by = ? AND network_id IN ({net_marks})",
                   [pseudonym, user_id, *networks])
        db.execute(f"DELETE FROM outbox WHERE chat_id = ? AND network_id IN ({net_marks})", [user_id, *networks])
        if everywhere:
            db.execute("UPDATE invites SET used_by = ? WHERE used_by = ?", [pseudonym, user_id])
            db.execute("DELETE FROM script_drafts WHERE user_id = ?", [user_id])
            db.execute("UPDATE script_publications SET published_by = 'erased' WHERE published_by = ?",
                       [str(user_id)])
            db.execute("DELETE FROM outbox WHERE chat_id = ?", [user_id])
            db.execute("DELETE FROM chat_message_ids WHERE chat_id = ?", [user_id])
            db.execute("DELETE FROM users WHERE id = ?", [user_id])
        else:
            db.execute("UPDATE users SET current_membership_id = NULL, current_chosen_at = NULL WHERE id = ?"
                       f" AND current_membership_id IN ({marks})", [user_id, *ids])
    return True


def erase_old_texts(db: Database, cutoff: datetime, now: datetime) -> int:
    """Retention: erase free-text answers and coaching notes given before `cutoff`; how many answers were erased."""
    before = cutoff.isoformat()
    with erasing(db):
        erased = _scrub_states(db, "a.answered_at < ?", [before], now.isoformat())
        # also a dialog left open: its reflections are as old as its start
        _empty_coaching(db, "COALESCE(finished_at, started_at) < ?", [before], now)
        db.execute("UPDATE script_drafts SET preview_state = NULL WHERE preview_state IS NOT NULL AND created_at < ?",
                   [before])
        db.execute("UPDATE actions SET outcome_note = NULL WHERE outcome_note IS NOT NULL AND outcome_at < ?",
                   [before])
        db.execute("UPDATE actions SET what = '', with_whom = NULL WHERE what != '' AND created_at < ?", [before])
        db.execute("UPDATE handovers SET successor = NULL WHERE successor IS NOT NULL AND created_at < ?", [before])
        # Sent messages may quote free texts (a named digest); once sent they are only a log.
        db.execute("DELETE FROM outbox WHERE status IN ('sent', 'dropped', 'failed') AND created_at < ?", [before])
    return erased


def reapply_erasures(db: Database, key: str, erasures: list[Erasure]) -> int:
    """Apply recorded erasures (hashed with `key`) again, to a backup or a restored database: to each person the log
    names, and only to what they had given by then (someone who came back later keeps what they gave since); how many
    were applied."""
    by_subject: dict[str, list[Erasure]] = {}
    for erasure in erasures:
        by_subject.setdefault(erasure.subject, []).append(erasure)
    applied = 0
    for user in rows(db, "SELECT id, created_at FROM users WHERE id > 0 ORDER BY id"):
        for erasure in by_subject.get(subject_of(key, user["id"]), []):
            when = datetime.fromisoformat(erasure.erased_at)
            if erasure.network_id is None:
                due = datetime.fromisoformat(user["created_at"]) <= when
            else:
                due = any(datetime.fromisoformat(m["joined_at"]) <= when for m in rows(
                    db, "SELECT joined_at FROM memberships WHERE user_id = ? AND network_id = ?",
                    [user["id"], erasure.network_id]))
            if due and erase_person(db, user["id"], when, erasure.network_id):
                applied += 1
    return applied
