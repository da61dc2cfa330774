"""Correcting what a partner organisation is (its kind, first guessed from its name): scripts branch on it, so a wrong
kind asks the wrong questions. Under /partners: "Change kind", then the organisation, then its kind (coordinators of
that network only; the buttons come through bot/telegram/handlers/access.py)."""

from __future__ import annotations

import logging
import textwrap

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.core.context import ORGANISATION_KINDS
from bot.i18n import Gettext
from bot.services import Services
from bot.telegram import callbacks
from bot.telegram.handlers.common import edit_tapped, log_refusal, refuse_callback
from bot.usecases.access import correct_kind, kinds_of, organisation_in, partners_of
from bot.usecases.identity import Membership

log = logging.getLogger(__name__)
MAX_LABEL = 40
PER_ROW = 3


def kind_label(kind: str, _: Gettext) -> str:
    """An organisation kind in words, in the reader's language."""
    labels = {"jobcenter": _("Jobcenter"), "youth_office": _("Youth welfare office"),
              "counselling": _("Counselling service"), "care": _("Day care"), "employer": _("Employer"),
              "welfare": _("Welfare association"), "health": _("Health care"), "education": _("Education"),
              "other": _("Other")}
    return labels.get(kind, kind)


def kinds_button(_: Gettext) -> InlineKeyboardMarkup:
    """The button under /partners that starts correcting a kind."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(_("Change kind"),
                                                       callback_data=callbacks.AccessKinds().pack())]])


async def offer_organisations(update: Update, svc: Services, member: Membership, _: Gettext) -> None:
    """A button per organisation of the network, each with its kind now."""
    rows = partners_of(svc.db, member.network_id, svc.clock())
    kinds = kinds_of(svc.db, member.network_id)
    chat = update.effective_chat
    if not rows or chat is None:
        await refuse_callback(update, _("No partner organisations yet."))
        return
    keyboard = [[InlineKeyboardButton(
        textwrap.shorten(f"{row.name} · {kind_label(kinds.get(row.organisation_id, 'other'), _)}", MAX_LABEL,
                         placeholder="…"),
        callback_data=callbacks.AccessAction("kind", row.organisation_id).pack())] for row in rows]
    if update.callback_query is not None:
        await update.callback_query.answer()
    await chat.send_message(_("Which organisation's kind should change? Check-in scripts can ask some questions only "
                              "of some kinds, e.g. only of the Jobcenter."),
                            reply_markup=InlineKeyboardMarkup(keyboard))


async def offer_kinds(update: Update, svc: Services, member: Membership, organisation_id: int, _: Gettext) -> None:
    """The kinds to choose for one organisation, the recorded one ticked."""
    name = organisation_in(svc.db, member.network_id, organisation_id)
    if name is None:  # removed meanwhile, or another network's
        log_refusal(update, member)
        await edit_tapped(update, _("This organisation is no longer in the network."))
        return
    current = kinds_of(svc.db, member.network_id).get(organisation_id, "other")
    buttons = [InlineKeyboardButton(("✓ " if kind == current else "") + kind_label(kind, _),
                                    callback_data=callbacks.AccessSetKind(organisation_id, kind).pack())
               for kind in ORGANISATION_KINDS]
    rows = [buttons[i:i + PER_ROW] for i in range(0, len(buttons), PER_ROW)]
    rows.append([InlineKeyboardButton(_("Cancel"), callback_data=callbacks.AccessCancel().pack())])
    await edit_tapped(update, _("What kind of organisation is {organisation}? Recorded now: {kind}.").format(
        organisation=name, kind=kind_label(current, _)), InlineKeyboardMarkup(rows))


async def record_kind(update: Update, svc: Services, member: Membership, organisation_id: int, kind: str,
                      _: Gettext) -> None:
    """Store the chosen kind and say so; refuse an organisation that is not in the network (any more)."""
    name = organisation_in(svc.db, member.network_id, organisation_id)
    if name is None or not correct_kind(svc.db, member.network_id, organisation_id, kind):
        log_refusal(update, member)
        await edit_tapped(update, _("This organisation is no longer in the network."))
        return
    log.info("a coordinator corrected an organisation's kind")
    await edit_tapped(update, _("{organisation} is now recorded as: {kind}. Check-ins started from now on ask what "
                                "the scripts ask of this kind.").format(organisation=name, kind=kind_label(kind, _)))
