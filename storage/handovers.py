"""Contact changes a partner's contact person starts ("I'm no longer responsible"): the hand-over row, whom they name
to take over, the invite the coordinator makes for that successor, and the successor's welcome once they joined."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from storage.db import Row, first, rows, scalar
from storage.people import Membership, end_membership, membership_by_id

NOT_RESPONSIBLE = "not_responsible"  # memberships.left_reason of a contact person who stepped down


@dataclass(frozen=True)
class Handover:
    """A contact person stepped down (`membership_id`, ended): whom they named (None: not known, or not answered yet
    while `answered_at` is None), the invite made for the successor, and who took over."""

    id: int
    membership_id: int
    network_id: int
    organisation_id: int
    created_at: str
    successor: str | None
    answered_at: str | None
    told_at: str | None  # the coordinators were told without an answer (the question was left for a day)
    invite_token: str | None
    successor_membership_id: int | None
    welcomed_at: str | None


_HANDOVER = ("SELECT h.id, h.membership_id, h.network_id, h.organisation_id, h.created_at, h.successor,"
             " h.answered_at, h.told_at, h.invite_token, h.successor_membership_id, h.welcomed_at FROM handovers h")


def _handover(row: Row | None) -> Handover | None:
    return None if row is None else Handover(**row)


def round_member(db: Database, round_id: int, user_id: int) -> Membership | None:
    """The person's active partner membership that takes part in this round (from a prompt's or reminder's button),
    or None."""
    found = scalar(db, "SELECT m.id FROM participants p JOIN memberships m ON m.id = p.membership_id"
                       " WHERE p.round_id = ? AND m.user_id = ? AND m.left_at IS NULL AND m.role = 'partner'",
                   [round_id, user_id])
    return None if found is None else membership_by_id(db, int(found))


def step_down(db: Database, member: Membership, now: datetime) -> Handover | None:
    """End the contact person's membership (NOT_RESPONSIBLE) and open its hand-over, in one transaction; None if the
    membership had ended already (a second tap)."""
    assert member.organisation_id is not None, "only a partner's contact person steps down"
    with db.atomic():
        if not end_membership(db, member.id, NOT_RESPONSIBLE, now):
            return None
        cursor = db.execute("INSERT INTO handovers (membership_id, network_id, organisation_id, created_at)"
                            " VALUES (?, ?, ?, ?)", [member.id, member.network_id, member.organisation_id,
                                                     now.isoformat()])
    return get_handover(db, int(cursor.lastrowid or 0))


def get_handover(db: Database, handover_id: int) -> Handover | None:
    """A hand-over by its id."""
    return _handover(first(db, f"{_HANDOVER} WHERE h.id = ?", [handover_id]))


def awaiting_successor(db: Database, user_id: int, since: datetime) -> Handover | None:
    """The hand-over of this person whose question "who takes over?", asked after `since`, waits for an answer
    (their next typed line)."""
    return _handover(first(db, f"{_HANDOVER} JOIN memberships m ON m.id = h.membership_id WHERE m.user_id = ?"
                               " AND h.answered_at IS NULL AND h.successor_membership_id IS NULL AND h.created_at > ?"
                               " ORDER BY h.id DESC LIMIT 1",
                           [user_id, since.isoformat()]))


def name_successor(db: Database, handover_id: int, successor: str | None, now: datetime) -> bool:
    """Keep whom the contact person named (None: they do not know); False if the question was answered already.
    Call inside the transaction that queues the news."""
    cursor = db.execute("UPDATE handovers SET successor = ?, answered_at = ? WHERE id = ? AND answered_at IS NULL",
                        [successor, now.isoformat(), handover_id])
    return cursor.rowcount == 1


def unanswered_before(db: Database, before: datetime) -> list[Handover]:
    """Hand-overs whose question "who takes over?" was left unanswered since before `before`, the coordinators not
    told yet."""
    found = rows(db, f"{_HANDOVER} WHERE h.answered_at IS NULL AND h.told_at IS NULL AND h.created_at < ?"
                     " ORDER BY h.id", [before.isoformat()])
    return [Handover(**row) for row in found]


def mark_told(db: Database, handover_id: int, now: datetime) -> bool:
    """The coordinators are told without an answer (call inside the transaction that queues it); False if they were
    told already, or the question was answered meanwhile."""
    cursor = db.execute("UPDATE handovers SET told_at = ? WHERE id = ? AND told_at IS NULL AND answered_at IS NULL",
                        [now.isoformat(), handover_id])
    return cursor.rowcount == 1


def set_invite(db: Database, handover_id: int, token: str) -> None:
    """The invite the coordinator made for the successor (the newest one counts)."""
    with db.atomic():
        db.execute("UPDATE handovers SET invite_token = ? WHERE id = ?", [token, handover_id])


def open_handover(db: Database, organisation_id: int) -> Handover | None:
    """The organisation's newest hand-over that no successor has taken over yet."""
    return _handover(first(db, f"{_HANDOVER} WHERE h.organisation_id = ? AND h.successor_membership_id IS NULL"
                               " ORDER BY h.id DESC LIMIT 1", [organisation_id]))


def take_over(db: Database, handover_id: int, membership_id: int, now: datetime) -> bool:
    """The successor joined and got the welcome pack; False if someone took over already (once only)."""
    with db.atomic():
        cursor = db.execute("UPDATE handovers SET successor_membership_id = ?, welcomed_at = ? WHERE id = ?"
                            " AND successor_membership_id IS NULL", [membership_id, now.isoformat(), handover_id])
    return cursor.rowcount == 1


def handover_note(db: Database, membership_id: int, script_id: str, step_id: str) -> str | None:
    """What the contact person handed over in their exit check-in (the newest revision of that text step), if any."""
    value = scalar(db, "SELECT value_json FROM answers WHERE membership_id = ? AND script_id = ? AND step_id = ?"
                       " AND erased_at IS NULL ORDER BY revision DESC, id DESC LIMIT 1",
                   [membership_id, script_id, step_id])
    if value is None:
        return None
    text = json.loads(str(value))
    return text if isinstance(text, str) and text.strip() else None
