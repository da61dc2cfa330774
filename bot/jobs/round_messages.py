"""The words of a round for a partner: the invitation to a check-in and the reminders, with their buttons."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from bot.core.calendar import Schedule
from bot.i18n import Catalogs, local_day, month_name
from bot.telegram import callbacks
from storage.outbox import Outgoing
from storage.people import Membership
from storage.rounds import RoundInfo, answer_counts


def _keyboard(*buttons: tuple[str, str]) -> dict[str, Any]:
    return {"inline_keyboard": [[{"text": text, "callback_data": data} for text, data in buttons]]}


def _no_longer_responsible(markup: dict[str, Any], _: Callable[[str], str], round_id: int) -> dict[str, Any]:
    """The keyboard with the row "I'm no longer responsible" below (bot/telegram/handlers/contact_change.py)."""
    return {"inline_keyboard": [*markup["inline_keyboard"], [
        {"text": _("I'm no longer responsible"), "callback_data": callbacks.StepDownAsk(round_id).pack()}]]}


def prompt_message(catalogs: Catalogs, member: Membership, current: RoundInfo, schedule: Schedule,
                   again: bool = False, snoozed_until: datetime | None = None) -> Outgoing:
    """The invitation to a round's check-in, with Start and Later buttons."""
    _ = catalogs.gettext(member.locale)
    month = month_name(current.period, member.locale)
    until = local_day(schedule, current.closes_at, member.locale)
    if again:
        text = _("As promised, here is the check-in for {month} again. Please answer by {date}.").format(
            month=month, date=until)
        key = f"prompt:{current.id}:{member.id}:again:{snoozed_until.isoformat() if snoozed_until else ''}"
    else:
        text = _("Hello {name}! The network check-in for {month} is open: about two minutes, mostly one tap per "
                 "question. Please answer by {date}.").format(name=member.first_name, month=month, date=until)
        key = f"prompt:{current.id}:{member.id}"
    markup = _keyboard((_("Start now"), callbacks.RoundPrompt(current.id, "go").pack()),
                       (_("Later"), callbacks.RoundPrompt(current.id, "later").pack()))
    markup = _no_longer_responsible(markup, _, current.id)
    return Outgoing(key, "prompt", member.user_id, text, markup, current.network_id, member.id, current.id)


def reminder_message(catalogs: Catalogs, db: Database, member: Membership, current: RoundInfo, schedule: Schedule,
                     nth: int, started: bool, now: datetime) -> Outgoing:
    """A short reminder with how many partners answered and a button that continues where the partner stopped."""
    _ = catalogs.gettext(member.locale)
    ngettext = catalogs.ngettext(member.locale)
    answered, total = answer_counts(db, current.id, now)
    lines = [_("A short reminder: your check-in for {month} is still open until {date}.").format(
        month=month_name(current.period, member.locale),
        date=local_day(schedule, current.closes_at, member.locale))]
    if answered:
        lines.append(ngettext("{answered} of {total} partners has already answered.",
                              "{answered} of {total} partners have already answered.", answered).format(
            answered=answered, total=total))
    label = _("Continue") if started else _("Start now")
    markup = _keyboard((label, callbacks.RoundPrompt(current.id, "go").pack()))
    markup = _no_longer_responsible(markup, _, current.id)
    return Outgoing(f"remind:{current.id}:{member.id}:{nth}", "reminder", member.user_id, "\n".join(lines), markup,
                    current.network_id, member.id, current.id)
