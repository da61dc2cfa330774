"""Switching a network between anonymous and named: the setting, and asking its members to agree again, in one
transaction. A switch to named applies from the next round on (each round keeps the setting it opened with); a switch
to anonymous applies at once, to the earlier rounds too. Either way the consent text named the other setting, so every
member but the coordinator who switched is asked again and takes no part until they agree (bot.usecases.consent)."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from bot.config import Settings
from bot.core.consent import CONSENT_VERSION, current_terms
from bot.core.history import Privacy as Privacy
from bot.i18n import Catalogs
from bot.usecases.consent import Buttons, pending_members, renewal_messages
from storage.consents import agreed_terms, drop_questions, record_consent
from storage.outbox import enqueue
from storage.people import Membership
from storage.reports import network_privacy, set_privacy


def switch_privacy(db: Database, catalogs: Catalogs, settings: Settings, coordinator: Membership, privacy: Privacy,
                   buttons: Buttons, now: datetime) -> bool:
    """Set the coordinator's network's privacy and, when it changed, ask every other member to agree again (queued,
    in their language); the coordinator agreed by choosing it. True if it changed (a second tap on the same choice
    changes nothing and asks nobody again)."""
    network_id = coordinator.network_id
    with db.atomic():
        if network_privacy(db, network_id) == privacy:
            return False
        set_privacy(db, network_id, privacy, now)
        agreed = agreed_terms(db, coordinator.id)
        if agreed is not None and agreed.version >= CONSENT_VERSION:
            record_consent(db, coordinator.id, current_terms(privacy), now)
        drop_questions(db, network_id)
        enqueue(db, renewal_messages(db, catalogs, settings, pending_members(db, network_id), buttons), now)
    return True


def privacy_of(db: Database, network_id: int) -> Privacy:
    """The network's privacy setting now (anonymous or named)."""
    return network_privacy(db, network_id)
