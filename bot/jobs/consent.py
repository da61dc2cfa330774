"""Asking every member again once the consent text changed (CONSENT_VERSION), without waiting for them to write
first: until they agree they get no prompts or reminders (the planner's `consent_pending`). The texts and the rule are
in bot.usecases.consent; here the buttons."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from bot.config import Settings
from bot.core.consent import ConsentTerms
from bot.i18n import Catalogs, Gettext
from bot.telegram import callbacks
from bot.usecases.consent import pending_members, renewal_messages
from storage.outbox import enqueue


def renewal_buttons(_: Gettext, terms: ConsentTerms) -> list[tuple[str, str]]:
    """The question's two buttons, "I agree" naming the terms the text showed: (label, callback data)."""
    return [(_("I agree"), callbacks.RightsAction("agree", terms.word).pack()),
            (_("Decline"), callbacks.RightsAction("decline").pack())]


def queue_consent_renewals(db: Database, catalogs: Catalogs, settings: Settings, now: datetime) -> int:
    """Queue the renewal question for every active member whose consent does not cover taking part now, once per
    member, version and privacy switch (a restart asks nobody twice); how many were queued. The consent text only
    changes with a new release (a switch of the setting asks at once), so this runs at start."""
    with db.atomic():
        return enqueue(db, renewal_messages(db, catalogs, settings, pending_members(db), renewal_buttons), now)
