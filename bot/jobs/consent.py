"""The consent text, and asking every member again once it changed (CONSENT_VERSION), without waiting for them to
write first: until they agree they get no prompts or reminders (the planner's `consent_pending`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlite_utils import Database

from bot.core.history import Privacy
from bot.i18n import Catalogs, Gettext
from bot.services import CONSENT_VERSION
from bot.telegram import callbacks
from storage.outbox import Outgoing, enqueue


def privacy_paragraph(_: Gettext, privacy: Privacy) -> str:
    """Who sees the answers in this network, as its setting says (bot.core.disclosure)."""
    if privacy == "named":
        return _("Who sees it: only this network's coordination. This network is set to \"named\": the coordination "
                 "sees which organisation answered what. The other partners see only results summarised over at "
                 "least 3 organisations, without names. Nobody outside the network sees anything.")
    return _("Who sees it: only this network's coordination. This network is set to \"anonymous\": the coordination "
             "sees your answers only summarised over at least 3 organisations and without names, free texts without "
             "names. Should the network switch to \"named\", that applies only from the next round on, and you are "
             "told before. Nobody outside the network sees anything.")


def consent_body(_: Gettext, retention_months: int, privacy: Privacy) -> list[str]:
    """The consent text's paragraphs on what is stored, who sees it (as this network is set), for how long, and the
    person's rights."""
    return [
        _("What I store: your first name, your Telegram ID, your language and your answers to the check-ins."),
        privacy_paragraph(_, privacy),
        _("How long: free-text answers are erased after {months} months; the rest as long as you take part.").format(
            months=retention_months),
        _("Your rights: /mydata sends you everything stored about you, /delete erases your personal data, /leave "
          "takes you out of the network. You can do this at any time."),
    ]


def renewal_text(_: Gettext, network: str, retention_months: int, privacy: Privacy) -> str:
    """The question to agree to the changed consent text again."""
    return "\n\n".join([_("The consent text of Netzpuls has changed. Please read it and agree again to keep taking "
                          "part in \"{network}\".").format(network=network),
                        *consent_body(_, retention_months, privacy), _("Do you agree?")])


def renewal_buttons(_: Gettext) -> list[tuple[str, str]]:
    """The question's two buttons: (label, callback data)."""
    return [(_("I agree"), callbacks.RightsAction("agree").pack()),
            (_("Decline"), callbacks.RightsAction("decline").pack())]


def queue_consent_renewals(db: Database, catalogs: Catalogs, retention_months: int, now: datetime) -> int:
    """Queue the renewal question for every active member who has not agreed to the consent text in use, once per
    member and version (a restart asks nobody twice); how many were queued. The consent text only changes with a
    new release, so this runs at start."""
    rows = db.execute(
        "SELECT m.id, m.user_id, m.network_id, m.role, n.name, COALESCE(u.locale, 'de'), n.privacy FROM memberships m"
        " JOIN networks n ON n.id = m.network_id LEFT JOIN users u ON u.id = m.user_id WHERE m.left_at IS NULL"
        " AND NOT EXISTS (SELECT 1 FROM consents c WHERE c.membership_id = m.id AND c.version >= ?)",
        [CONSENT_VERSION]).fetchall()
    messages = []
    for membership_id, user_id, network_id, _role, network, locale, privacy in rows:
        _ = catalogs.gettext(str(locale))
        markup: dict[str, Any] = {"inline_keyboard": [[{"text": label, "callback_data": data}
                                                        for label, data in renewal_buttons(_)]]}
        messages.append(Outgoing(f"consent:{CONSENT_VERSION}:{membership_id}", "consent", int(user_id),
                                 renewal_text(_, str(network), retention_months,
                                              "named" if privacy == "named" else "anonymous"), markup, int(network_id),
                                 int(membership_id)))
    with db.atomic():
        return enqueue(db, messages, now)
