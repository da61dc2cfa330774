"""Who may be in a network: open invites and their revocation, leaving, removing a partner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from storage.db import rows, scalar
from storage.people import Membership, end_membership, former_membership, membership_by_id


@dataclass(frozen=True)
class OpenInvite:
    """An invite link that can still be redeemed, as /invites lists it."""

    id: int  # the invites table's rowid: the token itself never goes into a button
    role: str
    organisation: str | None
    expires_at: str
    handover: bool


def open_invites(db: Database, network_id: int, now: datetime) -> list[OpenInvite]:
    """The network's invites that are neither used, revoked nor expired, soonest expiry first."""
    found = rows(
        db, "SELECT i.rowid AS id, i.role, o.name AS organisation, i.expires_at,"
        " i.replaces_membership_id IS NOT NULL AS handover FROM invites i"
        " LEFT JOIN organisations o ON o.id = i.organisation_id WHERE i.network_id = ? AND i.used_at IS NULL"
        " AND i.revoked_at IS NULL AND i.expires_at > ? ORDER BY i.expires_at, i.rowid",
        [network_id, now.isoformat()])
    return [OpenInvite(int(r["id"]), str(r["role"]), r["organisation"], str(r["expires_at"]), bool(r["handover"]))
            for r in found]


def revoke_invite(db: Database, network_id: int, invite_id: int, now: datetime) -> bool:
    """Revoke one of the network's open invites; False if it is not open (used, revoked, expired, elsewhere)."""
    with db.atomic():
        cursor = db.execute("UPDATE invites SET revoked_at = ? WHERE rowid = ? AND network_id = ? AND used_at IS NULL"
                            " AND revoked_at IS NULL AND expires_at > ?",
                            [now.isoformat(), invite_id, network_id, now.isoformat()])
    return cursor.rowcount == 1


def remove_partner(db: Database, network_id: int, organisation_id: int, now: datetime) -> Membership | None:
    """Take a partner organisation out of the network: its contact leaves, its open invites are revoked.

    Returns the contact person's membership as it was (to tell them); None if it had none or is no active partner.
    """
    stamp = now.isoformat()
    with db.atomic():
        if scalar(db, "SELECT 1 FROM organisations WHERE id = ? AND network_id = ? AND removed_at IS NULL",
                  [organisation_id, network_id]) is None:
            return None
        contact_id = scalar(db, "SELECT id FROM memberships WHERE organisation_id = ? AND left_at IS NULL",
                            [organisation_id])
        contact = None if contact_id is None else membership_by_id(db, int(contact_id))
        if contact is not None:
            end_membership(db, contact.id, "removed", now)
        db.execute("UPDATE invites SET revoked_at = ? WHERE organisation_id = ? AND used_at IS NULL"
                   " AND revoked_at IS NULL", [stamp, organisation_id])
        db.execute("UPDATE organisations SET removed_at = ? WHERE id = ?", [stamp, organisation_id])
    return contact


def exit_checkin_member(db: Database, user_id: int, script_id: str) -> Membership | None:
    """The ended membership of a person still answering the exit check-in (`script_id`) after /leave."""
    membership_id = scalar(
        db, "SELECT c.membership_id FROM checkins c JOIN memberships m ON m.id = c.membership_id"
        " WHERE m.user_id = ? AND m.left_at IS NOT NULL AND c.status = 'open' AND c.script_id = ?"
        " ORDER BY c.id DESC LIMIT 1", [user_id, script_id])
    return None if membership_id is None else former_membership(db, int(membership_id))


def replaced_contact(db: Database, member: Membership) -> Membership | None:
    """The contact person whom this new member of an organisation replaced just now, if any."""
    replaced = scalar(db, "SELECT m.id FROM memberships m JOIN memberships new ON new.id = ? WHERE m.organisation_id ="
                          " new.organisation_id AND m.id != new.id AND m.left_reason = 'replaced' AND m.left_at ="
                          " new.joined_at ORDER BY m.id DESC LIMIT 1", [member.id])
    return None if replaced is None else former_membership(db, int(replaced))


def exit_offer_member(db: Database, user_id: int, script_id: str) -> Membership | None:
    """The replaced contact membership whose exit check-in (`script_id`) this person may still start."""
    offered = scalar(
        db, "SELECT m.id FROM memberships m WHERE m.user_id = ? AND m.left_reason = 'replaced'"
        " AND NOT EXISTS (SELECT 1 FROM memberships a WHERE a.user_id = m.user_id AND a.left_at IS NULL)"
        " AND NOT EXISTS (SELECT 1 FROM checkins c WHERE c.membership_id = m.id AND c.script_id = ?)"
        " ORDER BY m.id DESC LIMIT 1", [user_id, script_id])
    return None if offered is None else former_membership(db, int(offered))


def organisation_kinds(db: Database, network_id: int) -> dict[int, str]:
    """The kind of each organisation still in the network, by its id."""
    return {int(r["id"]): str(r["kind"]) for r in rows(
        db, "SELECT id, kind FROM organisations WHERE network_id = ? AND removed_at IS NULL", [network_id])}


def set_organisation_kind(db: Database, network_id: int, organisation_id: int, kind: str) -> bool:
    """Record what an organisation still in this network is; False if it is another network's or was removed."""
    with db.atomic():
        cursor = db.execute("UPDATE organisations SET kind = ? WHERE id = ? AND network_id = ? AND removed_at IS NULL",
                            [kind, organisation_id, network_id])
    return cursor.rowcount == 1
