"""The consent text, and asking again: what a person agrees to (this network's privacy setting, who is responsible for
the data, that messages travel through Telegram), and whether a member's consent still covers taking part
(bot.core.consent). Until a member agrees again they get no prompts or reminders and are excused (the planner's
`consent_pending`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from bot.config import Settings
from bot.core.consent import CONSENT_VERSION, ConsentTerms, covers, current_terms
from bot.core.history import Privacy
from bot.i18n import Catalogs, Gettext
from storage.consents import agreed_terms, latest_privacy_change, pending_sql, record_consent
from storage.outbox import Outgoing, drop_queued
from storage.people import Membership
from storage.reports import network_privacy

TELEGRAM_PRIVACY = "https://telegram.org/privacy"
# The buttons of a renewal question for these terms, in a language: (label, callback data) each. The handlers' layer
# makes the callback data (bot.jobs.consent.renewal_buttons).
Buttons = Callable[[Gettext, ConsentTerms], list[tuple[str, str]]]


def privacy_paragraph(_: Gettext, privacy: Privacy) -> str:
    """Who sees the answers in this network, as its setting says (bot.core.disclosure)."""
    if privacy == "named":
        return _("Who sees it: only this network's coordination. This network is set to \"named\": the coordination "
                 "sees which organisation answered what. The other partners see only results summarised over at "
                 "least 3 organisations, without names. Nobody outside the network sees anything.")
    return _("Who sees it: only this network's coordination. This network is set to \"anonymous\": the coordination "
             "sees your answers only summarised over at least 3 organisations and without names, free texts without "
             "names. Should the network switch to \"named\", you are asked again before it applies to you. Nobody "
             "outside the network sees anything.")


def operator_paragraph(_: Gettext, settings: Settings) -> str:
    """Who is responsible for the data (the controller) and whom to ask about data protection, as the operator set
    them (NETZPULS_CONTROLLER, NETZPULS_PRIVACY_CONTACT), or plainly that they have not named them yet."""
    if settings.controller:
        controller = _("Responsible for your data (the controller under the GDPR): {controller}.").format(
            controller=settings.controller)
    else:
        controller = _("Responsible for your data (the controller under the GDPR): not named by the operator of "
                       "this bot yet.")
    if settings.privacy_contact:
        contact = _("Data protection contact: {contact}.").format(contact=settings.privacy_contact)
    else:
        contact = _("Data protection contact: not named by the operator of this bot yet.")
    return f"{controller}\n{contact}"


def consent_body(_: Gettext, settings: Settings, privacy: Privacy) -> list[str]:
    """The consent text's paragraphs: what is stored, who sees it (as this network is set), for how long, who is
    responsible, that Telegram carries the messages, and the person's rights."""
    return [
        _("What I store: your first name, your Telegram ID, your language and your answers to the check-ins."),
        privacy_paragraph(_, privacy),
        _("How long: free-text answers are erased after {months} months; the rest as long as you take part.").format(
            months=settings.retention_months),
        operator_paragraph(_, settings),
        _("Telegram: our messages travel through Telegram, which processes them under its own privacy policy: "
          "{link}").format(link=TELEGRAM_PRIVACY),
        _("Your rights: /mydata sends you everything stored about you, /delete erases your personal data, /leave "
          "takes you out of the network. You can do this at any time."),
    ]


def privacy_notice(_: Gettext, network: str, privacy: Privacy) -> str:
    """What the members are told when their network's privacy changes."""
    if privacy == "named":
        return _("A note on privacy in \"{network}\": from the next check-in round on, the coordination sees which "
                 "organisation answered what. Your answers so far stay anonymous. /mydata shows what is stored about "
                 "you; /leave takes you out of the network.").format(network=network)
    return _("A note on privacy in \"{network}\": from now on the coordination sees your answers only summarised over "
             "at least 3 organisations and without names, your earlier answers included.").format(network=network)


def renewal_text(_: Gettext, network: str, settings: Settings, privacy: Privacy,
                 agreed: ConsentTerms | None) -> str:
    """The question to agree again: after a switch of the network's privacy (the text itself unchanged since
    `agreed`), or to a changed consent text."""
    if agreed is not None and agreed.version >= CONSENT_VERSION:
        intro = "\n\n".join([privacy_notice(_, network, privacy),
                             _("Please read the consent text as it applies now and agree again to keep taking part. "
                               "Until then you get no check-ins.")])
    else:
        intro = _("The consent text of Netzpuls has changed. Please read it and agree again to keep taking part in "
                  "\"{network}\".").format(network=network)
    return "\n\n".join([intro, *consent_body(_, settings, privacy), _("Do you agree?")])


def keyboard(labelled: list[tuple[str, str]]) -> dict[str, Any]:
    """An inline keyboard of one row, as the outbox stores it."""
    return {"inline_keyboard": [[{"text": label, "callback_data": data} for label, data in labelled]]}


def terms_now(db: Database, member: Membership) -> ConsentTerms:
    """What the member must have agreed to now."""
    return current_terms(network_privacy(db, member.network_id))


def agreed_of(db: Database, member: Membership) -> ConsentTerms | None:
    """What the member agreed to last."""
    return agreed_terms(db, member.id)


def consent_outdated(db: Database, member: Membership) -> bool:
    """Whether the member's latest consent is to an older text, or to another privacy than their network's now."""
    return not covers(agreed_terms(db, member.id), network_privacy(db, member.network_id))


def agree(db: Database, member: Membership, shown: ConsentTerms | None, now: datetime) -> bool:
    """The member tapped "I agree" on a text naming the terms `shown`: stored if those are the terms in use; False
    if the text or the setting changed since it was shown (then it is asked again)."""
    if shown != terms_now(db, member):
        return False
    record_consent(db, member.id, shown, now)
    return True


def pending_members(db: Database, network_id: int | None = None) -> list[tuple[Any, ...]]:
    """(membership id, user id, network id, network name, locale, privacy) of every active member (of one network,
    or all) whose consent does not cover taking part now."""
    return db.execute(
        "SELECT m.id, m.user_id, m.network_id, n.name, COALESCE(u.locale, 'de'), n.privacy FROM memberships m"
        " JOIN networks n ON n.id = m.network_id LEFT JOIN users u ON u.id = m.user_id WHERE m.left_at IS NULL"
        f" AND (? IS NULL OR m.network_id = ?) AND {pending_sql()} ORDER BY m.id",
        [network_id, network_id, CONSENT_VERSION]).fetchall()


def renewal_messages(db: Database, catalogs: Catalogs, settings: Settings, members: Iterable[tuple[Any, ...]],
                     buttons: Buttons) -> list[Outgoing]:
    """The renewal question for each of these members (rows of `pending_members`), once per member, text version
    and privacy switch (a restart asks nobody twice); their unsent prompts and reminders are dropped (moot until they
    agree). Call inside the transaction that made the consent pending."""
    messages = []
    for membership_id, user_id, network_id, network, locale, privacy in members:
        _ = catalogs.gettext(str(locale))
        setting: Privacy = "named" if privacy == "named" else "anonymous"
        switch = latest_privacy_change(db, int(network_id))
        text = renewal_text(_, str(network), settings, setting, agreed_terms(db, int(membership_id)))
        messages.append(Outgoing(f"consent:{CONSENT_VERSION}:{switch}:{membership_id}", "consent", int(user_id),
                                 text, keyboard(buttons(_, current_terms(setting))), int(network_id),
                                 int(membership_id)))
        drop_queued(db, None, int(membership_id), "consent pending")
    return messages
