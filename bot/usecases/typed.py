"""The one place that decides what a person's typed text is for: which dialog, if any, waits for it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlite_utils import Database

from bot.usecases import answers, contact_change, preview
from bot.usecases.checkin import checkin_member
from bot.usecases.contact_change import Handover
from storage.checkins import Checkin, open_checkin
from storage.coaching import Session, open_session
from storage.goals import goal_awaited
from storage.people import Membership, active_membership, active_memberships
from storage.script_drafts import Draft

Purpose = Literal["preview", "successor", "goal", "coaching", "note", "revision", "checkin", "none"]


@dataclass(frozen=True)
class Waiting:
    """What waits for the text, and for whom: a preview's draft, a hand-over's question "who takes over?", a coaching
    session, a check-in (changed or open)."""

    purpose: Purpose
    member: Membership | None = None
    draft: Draft | None = None
    session: Session | None = None
    checkin: Checkin | None = None
    handover: Handover | None = None


def waiting_for(db: Database, user_id: int, may_preview: Callable[[Draft], bool], now: datetime) -> Waiting:
    """In this order: a running script preview (its editor may still edit the draft); the question "who takes
    over?" after the person said they are no longer responsible (asked within the last days); then, in the
    membership the person chose (or acted in) last and else in each other one, what waits there (see _waiting_in);
    else an exit check-in of a membership that ended; else, for a coordinator, the note on how their action went."""
    draft = preview.running(db, user_id)
    if draft is not None and may_preview(draft):
        return Waiting("preview", draft=draft)
    handover = contact_change.waiting(db, user_id, now)
    if handover is not None:
        return Waiting("successor", handover=handover)
    current = active_membership(db, user_id)
    others = [m for m in active_memberships(db, user_id) if current is None or m.id != current.id]
    for member in ([current] if current else []) + others:
        waiting = _waiting_in(db, member)
        if waiting is not None:
            return waiting
    leaving = checkin_member(db, user_id)
    if leaving is not None and leaving.role == "partner" and (checkin := open_checkin(db, leaving.id)) is not None:
        return Waiting("checkin", leaving, checkin=checkin)
    coordinator = current if current is not None and current.role == "coordinator" else next(
        (m for m in others if m.role == "coordinator"), None)
    return Waiting("note", coordinator) if coordinator is not None else Waiting("none", current)


def _waiting_in(db: Database, member: Membership) -> Waiting | None:
    """What waits for typed text in one membership: for a coordinator the network's goal they asked to type under
    /goals (unless they began coaching or rated an action since), else their coaching dialog; for a partner their
    change under /answers, else their open check-in; None if nothing does."""
    if member.role == "coordinator":
        if goal_awaited(db, member.id):
            return Waiting("goal", member)
        session = open_session(db, member.id)
        return Waiting("coaching", member, session=session) if session else None
    if (changed := answers.changing(db, member)) is not None:
        return Waiting("revision", member, checkin=changed)
    checkin = open_checkin(db, member.id)
    return Waiting("checkin", member, checkin=checkin) if checkin else None
