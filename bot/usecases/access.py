"""Who is in a network, the coordinator's side: invite links for partners, the handover, removing a partner."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from bot.core.context import ORGANISATION_KINDS
from bot.core.user_text import one_line
from storage.access import OpenInvite as OpenInvite
from storage.access import open_invites, organisation_kinds, remove_partner, revoke_invite, set_organisation_kind
from storage.people import Invite as Invite
from storage.people import Membership, create_invite, organisation_for, partner_overview
from storage.people import PartnerRow as PartnerRow

MAX_ORGANISATION_NAME = 100


def invite_partner(db: Database, network_id: int, organisation: str, now: datetime, ttl_days: int) -> Invite:
    """A one-time invite for the contact person of this organisation (made if new)."""
    organisation_id = organisation_for(db, network_id, one_line(organisation), now)
    return create_invite(db, network_id, "partner", organisation_id, now, ttl_days)


def handover_invite(db: Database, member: Membership, now: datetime, ttl_days: int) -> Invite:
    """A one-time coordinator invite whose redemption ends this coordinator's membership."""
    return create_invite(db, member.network_id, "coordinator", None, now, ttl_days, replaces_membership_id=member.id)


def invites_of(db: Database, network_id: int, now: datetime) -> list[OpenInvite]:
    """The network's invite links that are still open."""
    return open_invites(db, network_id, now)


def withdraw_invite(db: Database, network_id: int, invite_id: int, now: datetime) -> bool:
    """Revoke an open invite of this network; False if used, expired, withdrawn or another network's."""
    return revoke_invite(db, network_id, invite_id, now)


def partners_of(db: Database, network_id: int, now: datetime) -> list[PartnerRow]:
    """Every partner organisation of the network with its contact person and open invites."""
    return partner_overview(db, network_id, now)


def organisation_in(db: Database, network_id: int, organisation_id: int) -> str | None:
    """The name of an organisation still in this network, else None."""
    row = db.execute("SELECT name FROM organisations WHERE id = ? AND network_id = ? AND removed_at IS NULL",
                     [organisation_id, network_id]).fetchone()
    return None if row is None else str(row[0])


def take_out(db: Database, network_id: int, organisation_id: int, now: datetime) -> Membership | None:
    """Remove a partner organisation; its contact person's ended membership, if it had one, to tell them."""
    return remove_partner(db, network_id, organisation_id, now)


def kinds_of(db: Database, network_id: int) -> dict[int, str]:
    """What each organisation still in the network is (jobcenter, youth_office, ...), by its id."""
    return organisation_kinds(db, network_id)


def correct_kind(db: Database, network_id: int, organisation_id: int, kind: str) -> bool:
    """Record the organisation's kind (one of ORGANISATION_KINDS); False if it is not in this network (any more)."""
    if kind not in ORGANISATION_KINDS:
        raise ValueError(f"unknown organisation kind {kind!r}")
    return set_organisation_kind(db, network_id, organisation_id, kind)
