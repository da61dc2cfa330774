"""What the news about a partner joining or leaving reads, and a partner's permission to quote one answer by name."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from bot.core.history import Privacy
from storage.checkins import NEWEST_REVISION, Checkin, get_checkin
from storage.db import first, rows, scalar


@dataclass(frozen=True)
class TextAnswer:
    """A free-text answer (its newest revision) and whether it may be quoted with the organisation's name."""

    answer_id: int
    text: str
    quote_named: bool = False


def round_privacy(db: Database, round_id: int) -> Privacy:
    """The privacy a round opened with (anonymous if it is unknown)."""
    return "named" if scalar(db, "SELECT privacy FROM rounds WHERE id = ?", [round_id]) == "named" else "anonymous"


def left_reason(db: Database, membership_id: int) -> str | None:
    """Why a membership ended (left, replaced, removed, ...), None while it lasts."""
    reason = scalar(db, "SELECT left_reason FROM memberships WHERE id = ?", [membership_id])
    return None if reason is None else str(reason)


def text_answers(db: Database, checkin_id: int) -> list[TextAnswer]:
    """The check-in's free texts that say something (newest revision each, not erased), in the order given."""
    found = rows(db, f"SELECT a.id, a.value_json, a.quote_named FROM answers a WHERE a.checkin_id = ? AND a.kind ="
                     f" 'text' AND a.erased_at IS NULL AND {NEWEST_REVISION} ORDER BY a.id", [checkin_id])
    texts = [(int(r["id"]), json.loads(r["value_json"]), bool(r["quote_named"])) for r in found]
    return [TextAnswer(answer_id, text, named) for answer_id, text, named in texts
            if isinstance(text, str) and text.split()]


def allow_quote_named(db: Database, answer_id: int, user_id: int) -> TextAnswer | None:
    """Let this free-text answer be quoted with the organisation's name, if it is this person's (a contact person's
    answer, any of their memberships), a text not erased, and still the newest revision of its step; the answer as
    it is then, or None (someone else's, revised since, erased, or unknown)."""
    with db.atomic():
        found = first(db, f"SELECT a.id, a.value_json FROM answers a JOIN memberships m ON m.id = a.membership_id"
                          f" WHERE a.id = ? AND m.user_id = ? AND a.kind = 'text' AND a.erased_at IS NULL"
                          f" AND {NEWEST_REVISION}", [answer_id, user_id])
        text = None if found is None else json.loads(found["value_json"])
        if not isinstance(text, str) or not text.split():
            return None
        db.execute("UPDATE answers SET quote_named = 1 WHERE id = ?", [answer_id])
    return TextAnswer(answer_id, text, True)


def shareable_checkin(db: Database, checkin_id: int, user_id: int, script_ids: tuple[str, ...]) -> Checkin | None:
    """A finished check-in of one of `script_ids` (onboarding, exit) of this person, whose answers they may give by
    name; None if it is not theirs, not finished (left half-way, expired) or of another script."""
    marks = ", ".join("?" for _ in script_ids)
    found = scalar(db, "SELECT c.id FROM checkins c JOIN memberships m ON m.id = c.membership_id WHERE c.id = ?"
                       " AND m.user_id = ? AND c.status = 'done' AND c.expired_at IS NULL"
                       f" AND c.script_id IN ({marks})", [checkin_id, user_id, *script_ids])
    return None if found is None else get_checkin(db, int(found))


def abandoned_exits(db: Database, script_id: str, before: datetime) -> list[Checkin]:
    """Exit check-ins (`script_id`) of memberships that ended, still open and last answered before `before`."""
    found = rows(db, "SELECT c.id FROM checkins c JOIN memberships m ON m.id = c.membership_id WHERE c.status = 'open'"
                     " AND c.script_id = ? AND m.left_at IS NOT NULL AND c.updated_at < ? ORDER BY c.id",
                 [script_id, before.isoformat()])
    return [checkin for r in found if (checkin := get_checkin(db, int(r["id"]))) is not None]


def expire_checkin(db: Database, checkin_id: int, now: datetime) -> bool:
    """End an open check-in that was left unfinished (call inside the transaction that tells of it); False if it
    was no longer open."""
    cursor = db.execute("UPDATE checkins SET status = 'done', expired_at = ?, editing_step = NULL WHERE id = ?"
                        " AND status = 'open'", [now.isoformat(), checkin_id])
    return cursor.rowcount == 1
