"""The words of a round for a partner: the invitation to a check-in and the reminders, with their buttons. Each names
its network (a person may be a partner in several) and the hour the round closes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlite_utils import Database

from bot.core.calendar import Schedule
from bot.core.participation import missed_streak
from bot.i18n import Catalogs, Gettext, Ngettext, local_deadline, month_name
from bot.telegram import callbacks
from storage.history import participation_history
from storage.outbox import Outgoing
from storage.people import Membership
from storage.reports import network_thresholds
from storage.rounds import RoundInfo, answer_counts

Button = tuple[str, str]  # label, callback data


def round_buttons(_: Gettext, round_id: int, started: bool = False, later: bool = False) -> list[list[Button]]:
    """The rows of buttons under a round's prompt or reminder: start (or continue) and, under a prompt, later; then
    "Skip this time". A new button is one more row."""
    first = [(_("Continue") if started else _("Start now"), callbacks.RoundPrompt(round_id, "go").pack())]
    if later:
        first.append((_("Later"), callbacks.RoundPrompt(round_id, "later").pack()))
    return [first, [(_("Skip this time"), callbacks.RoundPrompt(round_id, "skip").pack())],
            [(no_longer_responsible_label(_), callbacks.StepDownAsk(round_id).pack())]]


def keyboard(rows: list[list[Button]]) -> dict[str, Any]:
    """An inline keyboard (Bot API JSON) of rows of buttons."""
    return {"inline_keyboard": [[{"text": text, "callback_data": data} for text, data in row] for row in rows]}


def no_longer_responsible_label(_: Gettext) -> str:
    """The label of the button that tells the bot someone else is now the organisation's contact person."""
    return _("I'm no longer responsible")


def missed_before(db: Database, member: Membership, current: RoundInfo) -> int:
    """The check-ins the partner's organisation missed in a row before this round, as /partners and the digest count
    them (bot.core.participation.missed_streak), once they reach the network's threshold; else 0."""
    if member.organisation_id is None:
        return 0
    history = participation_history(db, current.network_id, member.organisation_id)
    count = missed_streak(history, member.organisation_id, current.id).rounds
    return count if count >= max(1, network_thresholds(db, current.network_id).missed_in_row) else 0


def way_out(_: Gettext, ngettext: Ngettext, missed: int) -> str:
    """After check-ins missed in a row: a friendly word on pausing, or on saying someone else is responsible now."""
    return ngettext(
        "Your last check-in went unanswered, which is fine. If now is not a good time, /pause pauses the check-ins; "
        "if you are no longer responsible, tap \"{button}\".",
        "Your last {count} check-ins went unanswered, which is fine. If now is not a good time, /pause pauses the "
        "check-ins; if you are no longer responsible, tap \"{button}\".", missed).format(
        count=missed, button=no_longer_responsible_label(_))


def prompt_message(catalogs: Catalogs, member: Membership, current: RoundInfo, schedule: Schedule,
                   again: bool = False, snoozed_until: datetime | None = None, missed: int = 0) -> Outgoing:
    """The invitation to a round's check-in, with Start, Later and Skip buttons (`missed`: check-ins the partner
    missed in a row before, see missed_before)."""
    _ = catalogs.gettext(member.locale)
    month = month_name(current.period, member.locale)
    until = local_deadline(schedule, current.closes_at, member.locale)
    if again:
        lines = [_("As promised, here is the check-in for {month} in \"{network}\" again. Please answer by "
                   "{deadline}.").format(month=month, network=member.network_name, deadline=until)]
        key = f"prompt:{current.id}:{member.id}:again:{snoozed_until.isoformat() if snoozed_until else ''}"
    else:
        lines = [_("Hello {name}! The check-in for {month} in \"{network}\" is open: about two minutes, mostly "
                   "one tap per question. Please answer by {deadline}.").format(
            name=member.first_name, month=month, network=member.network_name, deadline=until)]
        key = f"prompt:{current.id}:{member.id}"
    if missed:
        lines.append(way_out(_, catalogs.ngettext(member.locale), missed))
    markup = keyboard(round_buttons(_, current.id, later=True))
    return Outgoing(key, "prompt", member.user_id, "\n\n".join(lines), markup, current.network_id, member.id,
                    current.id)


def reminder_message(catalogs: Catalogs, db: Database, member: Membership, current: RoundInfo, schedule: Schedule,
                     nth: int, started: bool, now: datetime, missed: int = 0) -> Outgoing:
    """A short reminder with how many partners answered, a button that continues where the partner stopped and one
    that skips this round (`missed`: check-ins missed in a row before, see missed_before)."""
    _ = catalogs.gettext(member.locale)
    ngettext = catalogs.ngettext(member.locale)
    answered, total = answer_counts(db, current.id, now)
    lines = [_("A short reminder: your check-in for {month} in \"{network}\" is still open until {deadline}.").format(
        month=month_name(current.period, member.locale), network=member.network_name,
        deadline=local_deadline(schedule, current.closes_at, member.locale))]
    if answered:
        lines.append(ngettext("{answered} of {total} partners has already answered.",
                              "{answered} of {total} partners have already answered.", answered).format(
            answered=answered, total=total))
    text = "\n".join(lines)
    if missed:
        text += "\n\n" + way_out(_, ngettext, missed)
    markup = keyboard(round_buttons(_, current.id, started=started))
    return Outgoing(f"remind:{current.id}:{member.id}:{nth}", "reminder", member.user_id, text, markup,
                    current.network_id, member.id, current.id)
