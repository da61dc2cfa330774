"""Joining a network and leaving a contact role: invites, consent, language, and the exit check-in's offer."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from bot.core.consent import CONSENT_VERSION, ConsentTerms, current_terms
from bot.core.history import Privacy
from bot.core.user_text import one_line
from bot.i18n import Gettext
from bot.services import EXIT_SCRIPT
from bot.usecases.checkin import script_in_use
from bot.usecases.scripts import ScriptRegistry
from storage.access import exit_offer_member, replaced_contact
from storage.outbox import Outgoing, enqueue
from storage.people import Invite, InviteError, Membership, check_invite, network_name, redeem_invite, set_locale
from storage.reports import network_privacy

# The handlers name these types; they come from here, not from storage.
__all__ = [
    "ConsentOffer",
    "Invite",
    "InviteError",
    "Membership",
    "TermsChanged",
    "checked_invite",
    "choose_language",
    "consent_offer",
    "exit_offer_member_of",
    "join",
    "queue_exit_offer",
]


def checked_invite(db: Database, token: str, now: datetime, networks: Collection[int]) -> Invite:
    """The invite behind a /start token, if it may be redeemed (InviteError says why not; `networks`: those the
    person is a member of already, where an invite cannot make them one again)."""
    invite = check_invite(db, token, now)
    if invite.network_id in networks:
        raise InviteError("member")
    return invite


class TermsChanged(Exception):
    """The consent text agreed to no longer applies: a new release, or the network's privacy switched since it was
    shown. It is shown again."""


@dataclass(frozen=True)
class ConsentOffer:
    """What the consent question names: the network, the organisation offered (None: coordinator), its privacy."""

    network: str
    organisation: str | None
    privacy: Privacy

    @property
    def terms(self) -> ConsentTerms:
        """What "I agree" agrees to."""
        return current_terms(self.privacy)


def consent_offer(db: Database, invite: Invite) -> ConsentOffer:
    """What the consent text of an invite needs to say."""
    organisation = None
    if invite.organisation_id is not None:
        row = db.execute("SELECT name FROM organisations WHERE id = ?", [invite.organisation_id]).fetchone()
        organisation = row[0] if row else None
    return ConsentOffer(network_name(db, invite.network_id) or "?", organisation,
                        network_privacy(db, invite.network_id))


def join(db: Database, token: str, user_id: int, first_name: str, locale: str, shown: ConsentTerms | None,
         now: datetime) -> Membership:
    """Redeem the invite, agreeing to the consent text that named the terms `shown` (InviteError if the invite no
    longer works, TermsChanged if those are not the terms in use)."""
    invite = check_invite(db, token, now)
    if shown != current_terms(network_privacy(db, invite.network_id)):
        raise TermsChanged
    return redeem_invite(db, token, user_id, one_line(first_name), locale, CONSENT_VERSION, now)


def choose_language(db: Database, user_id: int, locale: str) -> None:
    """Keep the person's language."""
    set_locale(db, user_id, locale)


def exit_offer_member_of(db: Database, user_id: int) -> Membership | None:
    """The replaced contact membership whose exit check-in this person may still start."""
    return exit_offer_member(db, user_id, EXIT_SCRIPT)


def queue_exit_offer(db: Database, scripts: ScriptRegistry, tr: Callable[[str], Gettext], member: Membership,
                     now: datetime, callback_data: str) -> bool:
    """A new contact person replaced someone: queue the exit check-in's offer to the one replaced (quiet hours
    apply), its button carrying `callback_data`; False if nobody was replaced or there is no exit check-in."""
    old = replaced_contact(db, member)
    if old is None or script_in_use(scripts, EXIT_SCRIPT, old.network_id) is None:
        return False
    _ = tr(old.locale)
    text = _("{organisation} has a new contact person in \"{network}\", so your part in the check-ins ends. Thank "
             "you! Would you answer a few short questions about the handover (about one minute)?").format(
        organisation=old.organisation_name, network=old.network_name)
    button = {"text": _("Start now"), "callback_data": callback_data}
    with db.atomic():
        enqueue(db, [Outgoing(f"exit-offer:{old.id}", "exit_offer", old.user_id, text,
                              {"inline_keyboard": [[button]]}, old.network_id, old.id)], now)
    return True
