"""The network's own goal (one sentence its coordinator sets), and whether a coordinator's next typed line is to be
that goal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from storage.db import first, scalar


@dataclass(frozen=True)
class NetworkGoal:
    """The network's goal and when it was set (None: not set yet)."""

    text: str | None
    set_at: datetime | None


def network_goal(db: Database, network_id: int) -> NetworkGoal:
    """The network's goal as set last (text None when there is none)."""
    row = first(db, "SELECT goal, goal_set_at FROM networks WHERE id = ?", [network_id])
    if row is None or not row["goal"]:
        return NetworkGoal(None, None)
    return NetworkGoal(str(row["goal"]), datetime.fromisoformat(row["goal_set_at"]) if row["goal_set_at"] else None)


def set_network_goal(db: Database, network_id: int, text: str, now: datetime,
                     membership_id: int | None = None) -> bool:
    """Store the network's goal (and, when a coordinator typed it, that they no longer wait to type it); False if
    there is no such network."""
    with db.atomic():
        changed = db.execute("UPDATE networks SET goal = ?, goal_set_at = ? WHERE id = ?",
                             [text, now.isoformat(), network_id]).rowcount
        if membership_id is not None:
            db.execute("UPDATE memberships SET goal_asked_at = NULL WHERE id = ?", [membership_id])
    return changed == 1


def ask_goal(db: Database, membership_id: int, now: datetime) -> None:
    """The coordinator's next typed line is the network's goal (until they type it or stop)."""
    with db.atomic():
        db.execute("UPDATE memberships SET goal_asked_at = ? WHERE id = ?", [now.isoformat(), membership_id])


def stop_asking_goal(db: Database, membership_id: int) -> bool:
    """The coordinator no longer types the goal; False if they were not about to."""
    with db.atomic():
        return db.execute("UPDATE memberships SET goal_asked_at = NULL WHERE id = ? AND goal_asked_at IS NOT NULL",
                          [membership_id]).rowcount == 1


def goal_awaited(db: Database, membership_id: int) -> bool:
    """Whether the coordinator's next typed line is the goal: they asked to type it, and began no coaching dialog
    and rated no action (whose note they type next) since."""
    return bool(scalar(
        db, "SELECT 1 FROM memberships m WHERE m.id = ? AND m.goal_asked_at IS NOT NULL"
        " AND NOT EXISTS (SELECT 1 FROM coaching_sessions s WHERE s.membership_id = m.id AND s.status = 'open'"
        " AND s.started_at > m.goal_asked_at)"
        " AND NOT EXISTS (SELECT 1 FROM actions a WHERE a.membership_id = m.id AND a.note_pending = 1"
        " AND a.outcome_at > m.goal_asked_at)", [membership_id]))
