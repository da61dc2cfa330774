"""Networks, partner organisations, people, memberships and invite links."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlite_utils import Database

from bot.core.context import guess_kind
from storage.db import first, rows, scalar

Role = Literal["coordinator", "partner"]


@dataclass(frozen=True)
class Invite:
    """A one-time invite link's token and what it grants."""

    token: str
    network_id: int
    role: Role
    organisation_id: int | None
    expires_at: str
    used_at: str | None
    revoked_at: str | None = None
    replaces_membership_id: int | None = None  # a coordinator handover: who leaves when it is redeemed


@dataclass(frozen=True)
class Membership:
    """An active member of a network, with what handlers need to answer them."""

    id: int
    network_id: int
    network_name: str
    user_id: int
    first_name: str
    role: Role
    organisation_id: int | None
    organisation_name: str | None
    locale: str


@dataclass(frozen=True)
class PartnerRow:
    """One partner organisation as /partners lists it."""

    organisation_id: int
    name: str
    contact_name: str | None
    joined_at: str | None
    invite_open: bool
    round_status: str | None = None  # in the newest round: pending, done, late, missed, excused (None: not in it)
    paused: bool = False
    unreachable: bool = False


_MEMBER_SELECT = """SELECT m.id, m.network_id, n.name AS network_name, m.user_id, u.first_name, m.role,
    m.organisation_id, o.name AS organisation_name, u.locale FROM memberships m
    JOIN networks n ON n.id = m.network_id
    JOIN users u ON u.id = m.user_id
    LEFT JOIN organisations o ON o.id = m.organisation_id"""


class InviteError(Exception):
    """An invite cannot be redeemed; `reason` is unknown, used, expired, revoked or member."""

    def __init__(self, reason: Literal["unknown", "used", "expired", "member", "revoked"]) -> None:
        super().__init__(reason)
        self.reason = reason


def new_token() -> str:
    """An unguessable invite token (128 bits) that fits Telegram's start parameter ([A-Za-z0-9_-], ≤ 64)."""
    return secrets.token_urlsafe(16)


def create_network(db: Database, name: str, now: datetime) -> int:
    """Create a network and return its id."""
    with db.atomic():
        cursor = db.execute("INSERT INTO networks (name, created_at) VALUES (?, ?)", [name, now.isoformat()])
    return int(cursor.lastrowid or 0)


def network_name(db: Database, network_id: int) -> str | None:
    """The name of a network, or None if it does not exist."""
    name = scalar(db, "SELECT name FROM networks WHERE id = ?", [network_id])
    return None if name is None else str(name)


def find_network(db: Database, text: str) -> int | None:
    """A network by its id (digits) or its exact name; None if there is none (or the name is not unique)."""
    text = text.strip()
    if text.isdigit() and network_name(db, int(text)) is not None:
        return int(text)
    found = [int(row["id"]) for row in rows(db, "SELECT id FROM networks WHERE name = ? LIMIT 2", [text])]
    only = found.pop() if len(found) == 1 else None
    return only


def network_created_at(db: Database, network_id: int) -> datetime:
    """When a network was created."""
    return datetime.fromisoformat(str(scalar(db, "SELECT created_at FROM networks WHERE id = ?", [network_id])))


def organisation_for(db: Database, network_id: int, name: str, now: datetime, kind: str | None = None) -> int:
    """The id of the network's organisation with this name (case-insensitive), created if new (of `kind`, or the
    kind its name suggests)."""
    with db.atomic():
        found = scalar(db, "SELECT id FROM organisations WHERE network_id = ? AND name = ? COLLATE NOCASE",
                       [network_id, name])
        if found is not None:
            return int(found)
        cursor = db.execute(
            "INSERT INTO organisations (network_id, name, created_at, kind) VALUES (?, ?, ?, ?)",
            [network_id, name, now.isoformat(), kind or guess_kind(name)],
        )
        return int(cursor.lastrowid or 0)


def create_invite(
    db: Database, network_id: int, role: Role, organisation_id: int | None, now: datetime, ttl_days: int,
    replaces_membership_id: int | None = None,
) -> Invite:
    """Create a one-time invite that expires after ttl_days (`replaces_membership_id`: a coordinator handover)."""
    token = new_token()
    expires = (now + timedelta(days=ttl_days)).isoformat()
    with db.atomic():
        if organisation_id is not None:  # inviting a removed partner organisation takes it back into the network
            db.execute("UPDATE organisations SET removed_at = NULL WHERE id = ?", [organisation_id])
        db.execute(
            "INSERT INTO invites (token, network_id, role, organisation_id, created_at, expires_at,"
            " replaces_membership_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [token, network_id, role, organisation_id, now.isoformat(), expires, replaces_membership_id],
        )
    return Invite(token, network_id, role, organisation_id, expires, None, None, replaces_membership_id)


def find_invite(db: Database, token: str) -> Invite | None:
    """The invite with this token, used or not."""
    row = first(
        db, "SELECT token, network_id, role, organisation_id, expires_at, used_at, revoked_at, replaces_membership_id"
        " FROM invites WHERE token = ?", [token]
    )
    return None if row is None else Invite(**row)


def check_invite(db: Database, token: str, now: datetime) -> Invite:
    """The invite if it can still be redeemed; raise InviteError otherwise."""
    invite = find_invite(db, token)
    if invite is None:
        raise InviteError("unknown")
    if invite.used_at is not None:
        raise InviteError("used")
    if invite.revoked_at is not None:
        raise InviteError("revoked")
    if datetime.fromisoformat(invite.expires_at) <= now:
        raise InviteError("expired")
    return invite


def redeem_invite(
    db: Database, token: str, user_id: int, first_name: str, locale: str, consent_version: int, now: datetime
) -> Membership:
    """Register the user through the invite, in one transaction; a previous contact of the organisation leaves."""
    stamp = now.isoformat()
    with db.atomic():
        invite = check_invite(db, token, now)
        if membership_in(db, user_id, invite.network_id) is not None:  # other networks' memberships stay as they are
            raise InviteError("member")
        db.execute(
            "INSERT INTO users (id, first_name, locale, created_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(id) DO UPDATE SET first_name = excluded.first_name, locale = excluded.locale",
            [user_id, first_name, locale, stamp],
        )
        previous = scalar(db, "SELECT id FROM memberships WHERE organisation_id = ? AND left_at IS NULL",
                          [invite.organisation_id]) if invite.organisation_id is not None else None
        if previous is not None:
            end_membership(db, int(previous), "replaced", now)
        if invite.replaces_membership_id is not None:
            end_membership(db, invite.replaces_membership_id, "handed_over", now)
        cursor = db.execute(
            "INSERT INTO memberships (network_id, user_id, role, organisation_id, consent_version, joined_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [invite.network_id, user_id, invite.role, invite.organisation_id, consent_version, stamp],
        )
        # agreed to the text naming the network's privacy of now (bot.usecases.people.join checked it was shown)
        db.execute("INSERT INTO consents (membership_id, version, privacy, agreed_at) SELECT ?, ?, privacy, ?"
                   " FROM networks WHERE id = ?", [cursor.lastrowid, consent_version, stamp, invite.network_id])
        db.execute("UPDATE invites SET used_at = ?, used_by = ? WHERE token = ?", [stamp, user_id, token])
        db.execute("UPDATE users SET current_membership_id = ?, current_chosen_at = ? WHERE id = ?",
                   [cursor.lastrowid, stamp, user_id])
        membership = membership_by_id(db, int(cursor.lastrowid or 0))
    assert membership is not None
    return membership


def end_membership(db: Database, membership_id: int, reason: str, now: datetime) -> bool:
    """End an active membership: it gets no more prompts, its unfinished check-in ends, this round excuses it."""
    stamp = now.isoformat()
    with db.atomic():
        cursor = db.execute("UPDATE memberships SET left_at = ?, left_reason = ? WHERE id = ? AND left_at IS NULL",
                            [stamp, reason, membership_id])
        if cursor.rowcount != 1:
            return False
        db.execute("UPDATE checkins SET status = 'done', expired_at = ?, editing_step = NULL"
                   " WHERE membership_id = ? AND status = 'open'", [stamp, membership_id])
        db.execute("UPDATE coaching_sessions SET status = 'done', finished_at = ? WHERE membership_id = ?"
                   " AND status = 'open'", [stamp, membership_id])
        db.execute("UPDATE participants SET status = 'excused' WHERE membership_id = ? AND status = 'pending'"
                   " AND round_id IN (SELECT id FROM rounds WHERE status = 'open')", [membership_id])
        # Nothing queued for this network reaches them any more (prompts, reminders, digests, feedback).
        db.execute("UPDATE outbox SET status = 'dropped', last_error = 'member left' WHERE status = 'queued'"
                   " AND (membership_id = ? OR (chat_id, network_id) IN"
                   " (SELECT user_id, network_id FROM memberships WHERE id = ?))", [membership_id, membership_id])
    return True


def active_memberships(db: Database, user_id: int) -> list[Membership]:
    """The user's active memberships, one per network, in the order they joined (none for strangers)."""
    found = rows(db, f"{_MEMBER_SELECT} WHERE m.user_id = ? AND m.left_at IS NULL ORDER BY m.id", [user_id])
    return [Membership(**row) for row in found]


def membership_in(db: Database, user_id: int, network_id: int) -> Membership | None:
    """The user's active membership in this network, if any."""
    row = first(db, f"{_MEMBER_SELECT} WHERE m.user_id = ? AND m.network_id = ? AND m.left_at IS NULL",
                [user_id, network_id])
    return None if row is None else Membership(**row)


def current_membership_id(db: Database, user_id: int) -> int | None:
    """The membership the user last chose or acted in (it may have ended since)."""
    found = scalar(db, "SELECT current_membership_id FROM users WHERE id = ?", [user_id])
    return None if found is None else int(found)


def choose_membership(db: Database, user_id: int, membership_id: int, now: datetime) -> None:
    """Remember the membership (network) the user's next commands and typed text are for, and since when."""
    with db.atomic():
        db.execute("UPDATE users SET current_membership_id = ?, current_chosen_at = ? WHERE id = ? AND EXISTS"
                   " (SELECT 1 FROM memberships WHERE id = ? AND user_id = ?)",
                   [membership_id, now.isoformat(), user_id, membership_id, user_id])


def active_membership(db: Database, user_id: int) -> Membership | None:
    """The membership the user's commands are for: the chosen one if still active, else their only one; None for
    strangers, people who left, and people with several memberships and none chosen."""
    found = active_memberships(db, user_id)
    chosen = current_membership_id(db, user_id)
    only = found.pop() if len(found) == 1 else None
    return next((m for m in found if m.id == chosen), only)


def user_locale(db: Database, user_id: int) -> str | None:
    """The language a registered user chose, or None for strangers."""
    locale = scalar(db, "SELECT locale FROM users WHERE id = ?", [user_id])
    return None if locale is None else str(locale)


def set_locale(db: Database, user_id: int, locale: str) -> None:
    """Store the user's chosen language."""
    with db.atomic():
        db.execute("UPDATE users SET locale = ? WHERE id = ?", [locale, user_id])


def partner_overview(db: Database, network_id: int, now: datetime) -> list[PartnerRow]:
    """Every partner organisation of the network with its contact person and open invites."""
    stamp = now.isoformat()
    newest = scalar(db, "SELECT MAX(id) FROM rounds WHERE network_id = ?", [network_id])
    found = rows(
        db,
        """SELECT o.id AS organisation_id, o.name, u.first_name AS contact_name, m.joined_at,
                  EXISTS (SELECT 1 FROM invites i WHERE i.organisation_id = o.id
                          AND i.used_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > ?) AS invite_open,
                  (SELECT p.status FROM participants p WHERE p.round_id = ? AND p.membership_id = m.id) AS round_status,
                  EXISTS (SELECT 1 FROM pauses x WHERE x.membership_id = m.id AND x.starts_at <= ? AND x.ends_at > ?)
                    AS paused,
                  m.unreachable_at IS NOT NULL AS unreachable
           FROM organisations o
           LEFT JOIN memberships m ON m.organisation_id = o.id AND m.left_at IS NULL
           LEFT JOIN users u ON u.id = m.user_id
           WHERE o.network_id = ? AND o.removed_at IS NULL
           ORDER BY o.name COLLATE NOCASE""",
        [stamp, newest, stamp, stamp, network_id],
    )
    return [PartnerRow(**(r | {"invite_open": bool(r["invite_open"]), "paused": bool(r["paused"]),
                               "unreachable": bool(r["unreachable"]) and r["contact_name"] is not None}))
            for r in found]


def membership_by_id(db: Database, membership_id: int) -> Membership | None:
    """An active membership by its id."""
    row = first(db, f"{_MEMBER_SELECT} WHERE m.id = ? AND m.left_at IS NULL", [membership_id])
    return None if row is None else Membership(**row)


def former_membership(db: Database, membership_id: int) -> Membership | None:
    """A membership by its id, also after it ended."""
    row = first(db, f"{_MEMBER_SELECT} WHERE m.id = ?", [membership_id])
    return None if row is None else Membership(**row)


def coordinators_of(db: Database, network_id: int) -> list[Membership]:
    """The network's active coordinators."""
    found = rows(db, "SELECT id FROM memberships WHERE network_id = ? AND role = 'coordinator' AND left_at IS NULL"
                     " ORDER BY id", [network_id])
    return [m for r in found if (m := membership_by_id(db, r["id"])) is not None]


def mark_unreachable(db: Database, membership_id: int, now: datetime) -> bool:
    """Telegram refuses messages to this member (blocked, deactivated); True if that is news."""
    cursor = db.execute("UPDATE memberships SET unreachable_at = ? WHERE id = ? AND unreachable_at IS NULL",
                        [now.isoformat(), membership_id])
    return cursor.rowcount == 1


def mark_reachable(db: Database, user_id: int) -> bool:
    """The member wrote to the bot again, so messages reach them; True if they were unreachable."""
    # Every update comes through here: only take the write lock when there is something to change.
    if scalar(db, "SELECT 1 FROM memberships WHERE user_id = ? AND left_at IS NULL AND unreachable_at IS NOT NULL",
              [user_id]) is None:
        return False
    with db.atomic():
        cursor = db.execute("UPDATE memberships SET unreachable_at = NULL WHERE user_id = ? AND left_at IS NULL"
                            " AND unreachable_at IS NOT NULL", [user_id])
    return cursor.rowcount == 1
