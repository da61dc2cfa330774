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
from storage.people import Membership, active_membership
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
    over?" after the person said they are no longer responsible (asked within the last days: their membership has
    ended, so nothing else of it waits); for a coordinator the network's goal they asked to type under /goals
    (unless they began coaching or rated an action since), their coaching dialog, else the note on how their action
    went; a partner's change under /answers, else their open check-in."""
    draft = preview.running(db, user_id)
    if draft is not None and may_preview(draft):
        return Waiting("preview", draft=draft)
    handover = contact_change.waiting(db, user_id, now)
    if handover is not None:
        return Waiting("successor", handover=handover)
    coordinator = active_membership(db, user_id)
    if coordinator is not None and coordinator.role == "coordinator":
        if goal_awaited(db, coordinator.id):
            return Waiting("goal", coordinator)
        session = open_session(db, coordinator.id)
        return Waiting("coaching", coordinator, session=session) if session else Waiting("note", coordinator)
    member = checkin_member(db, user_id)
    if member is None or member.role != "partner":
        return Waiting("none", member)
    if (changed := answers.changing(db, member)) is not None:
        return Waiting("revision", member, checkin=changed)
    checkin = open_checkin(db, member.id)
    return Waiting("checkin", member, checkin=checkin) if checkin else Waiting("none", member)
