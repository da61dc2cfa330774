"""A person's data protection rights: a copy of their data, erasing it, leaving the network (renewed consent:
bot.usecases.consent)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from bot.i18n import Catalogs
from bot.services import EXIT_SCRIPT
from bot.usecases.checkin import script_in_use
from bot.usecases.identity import locale_of_user
from bot.usecases.partner_news import Translator, left_news
from bot.usecases.scripts import ScriptRegistry
from storage.access import exit_offer_member
from storage.outbox import Outgoing, enqueue
from storage.people import Membership, coordinators_of, end_membership
from storage.rights import erase_person, personal_data


def my_data(db: Database, user_id: int, now: datetime) -> dict[str, Any] | None:
    """Every row stored about the person, or None when nothing is stored about them."""
    data = personal_data(db, user_id, now)
    return None if data["person"] is None else data


def sole_coordinator(db: Database, member: Membership) -> bool:
    """Whether the member is their network's only coordinator (who hands over before leaving)."""
    return member.role == "coordinator" and len(coordinators_of(db, member.network_id)) < 2


def exit_offered(db: Database, user_id: int) -> Membership | None:
    """The ended membership whose exit check-in was offered to this person and not started, or None."""
    return exit_offer_member(db, user_id, EXIT_SCRIPT)


def erase(db: Database, user_id: int, now: datetime, network_id: int | None = None) -> None:
    """Erase the person's personal data and end their memberships (storage.rights.erase_person); with `network_id`
    only what they gave in that network."""
    erase_person(db, user_id, now, network_id)


def leave(db: Database, scripts: ScriptRegistry, tr: Translator, member: Membership, reason: str,
          now: datetime) -> bool:
    """End the membership ("left", "consent_declined"); False if it had ended already. A partner's coordinators hear
    of it with its exit check-in's answers (bot.usecases.partner_news), or now, where there is no exit check-in."""
    with db.atomic():
        if not end_membership(db, member.id, reason, now):
            return False
        if member.role == "partner" and script_in_use(scripts, EXIT_SCRIPT, member.network_id) is None:
            enqueue(db, left_news(db, tr, None, None, member, "none"), now)
    return True


def tell_admins_if_leaderless(db: Database, catalogs: Catalogs, admins: Collection[int], former: Membership | None,
                              now: datetime) -> bool:
    """A network's last coordinator declined the new consent text or erased their data (rights that no handover may
    hold up): queue the admins how to invite a new one; True if anything was queued."""
    if former is None or former.role != "coordinator" or coordinators_of(db, former.network_id):
        return False
    messages = []
    for admin in sorted(admins):
        _ = catalogs.gettext(locale_of_user(db, admin))
        text = _("The network \"{network}\" (id {id}) has no coordinator any more: the last one left. A link for a "
                 "new coordinator: python -m bot network invite {id}").format(network=former.network_name,
                                                                            id=former.network_id)
        messages.append(Outgoing(f"leaderless:{former.id}:{admin}", "notice", admin, text))
    with db.atomic():
        enqueue(db, messages, now)
    return True
