"""Coordinator commands: /invite for partner organisations, /partners to see who has joined."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_date
from telegram import Update
from telegram.ext import ContextTypes

from bot.core.digest.names import signal_topic
from bot.core.disclosure import history_as_of, round_disclosure
from bot.core.participation import missed_streak
from bot.core.risk.rules import find_signals
from bot.i18n import Gettext
from bot.services import Services
from bot.telegram.handlers.common import locale_of, log_refusal, member_of, say, translator
from storage.history import load_history
from storage.people import Membership, PartnerRow, create_invite, organisation_for, partner_overview
from storage.reports import network_thresholds

MAX_ORGANISATION_NAME = 100


def coordinator_or_refusal(member: Membership | None, _: Gettext) -> str | None:
    """Why this person may not use a coordinator command, or None for a coordinator."""
    if member is None:
        return _("You are not registered yet. Please open the invite link from your network coordination.")
    if member.role != "coordinator":
        return _("This command is only for the network coordination.")
    return None


async def coordinator_member(update: Update, svc: Services, _: Gettext) -> Membership | None:
    """The coordinator who sent a command, or None after a polite refusal (strangers, partners)."""
    member = member_of(update, svc)
    refusal = coordinator_or_refusal(member, _)
    if refusal or member is None:
        log_refusal(update, member)
        await say(update, refusal or "")
        return None
    return member


async def invite_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/invite <organisation>: a one-time link for that organisation's contact person."""
    svc, _ = translator(update, context)
    member = await coordinator_member(update, svc, _)
    if member is None:
        return
    name = " ".join(context.args or []).strip()
    if len(name) < 2:
        await say(update, _("Please add the organisation's name, for example: /invite Jobcenter Musterstadt"))
        return
    if len(name) > MAX_ORGANISATION_NAME:
        await say(update, _("Please keep the organisation's name to at most {limit} characters.").format(
            limit=MAX_ORGANISATION_NAME))
        return
    now = svc.clock()
    organisation_id = organisation_for(svc.db, member.network_id, name, now)
    invite = create_invite(svc.db, member.network_id, "partner", organisation_id, now, svc.settings.invite_ttl_days)
    await say(update, invite_message(svc, name, invite.token, invite.expires_at, locale_of(update, svc), _))


def _partner_notes(row: PartnerRow, missed: int, topics: list[str], _: Gettext) -> list[str]:
    """What the coordinator should know of a partner: this round's check-in, pause, reachability, missed rounds (the
    digest's count) and, in a named network, the signals of the newest closed round."""
    states = {"done": _("this round: answered"), "late": _("this round: answered late"),
              "pending": _("this round: not answered yet"), "missed": _("this round: missed"),
              "excused": _("this round: paused")}
    notes = [states[row.round_status]] if row.round_status in states else []
    if row.paused and row.round_status != "excused":
        notes.append(_("paused"))
    if row.unreachable:
        notes.append(_("cannot be reached: the contact person blocked the bot or deleted the chat"))
    if missed:
        notes.append(_("missed the last {count} check-ins in a row").format(count=missed))
    if topics:
        notes.append(_("signals: {topics}").format(topics="; ".join(topics)))
    return notes


def invite_message(svc: Services, organisation: str, token: str, expires_at: str, locale: str, _: Gettext) -> str:
    """The text a coordinator forwards to a partner organisation."""
    until = format_date(datetime.fromisoformat(expires_at), format="long", locale=locale)
    return _("Invite link for {organisation} (works once, valid until {date}):\n{link}\n\n"
             "Send it to the contact person of that organisation.").format(
        organisation=organisation, date=until, link=svc.invite_link(token))


def partner_facts(svc: Services, network_id: int, _: Gettext) -> tuple[dict[int, int], dict[int, list[str]]]:
    """Per organisation: check-ins missed in a row (as the digest counts them, from the network's threshold on) and,
    where the newest closed round may show who answered what (bot.core.disclosure), its own signals' topics."""
    history = load_history(svc.db, network_id, svc.scripts.version, network_thresholds(svc.db, network_id))
    if not history.rounds:
        return {}, {}
    newest = history.rounds[-1]
    in_row = max(1, history.thresholds.missed_in_row)  # the digest's threshold (bot.core.risk.people)
    missed = {partner.organisation_id: count for partner in history.partners
              if (count := missed_streak(history, partner.organisation_id, newest.id).rounds) >= in_row}
    closed = [facts for facts in history.rounds if facts.closed]
    topics: dict[int, list[str]] = {}
    if closed and round_disclosure(history, closed[-1].id, "partners") == "named":
        for signal in find_signals(history_as_of(history, closed[-1].id, "partners"), closed[-1].id):
            for organisation in signal.organisations:
                topics.setdefault(organisation, []).append(signal_topic(signal, _))
    return missed, {organisation: list(dict.fromkeys(names)) for organisation, names in topics.items()}


async def partners_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/partners: every partner organisation and whether its contact person has joined."""
    svc, _ = translator(update, context)
    member = await coordinator_member(update, svc, _)
    if member is None:
        return
    rows = partner_overview(svc.db, member.network_id, svc.clock())
    if not rows:
        await say(update, _("No partner organisations yet. Invite the first one with /invite <organisation name>."))
        return
    locale = locale_of(update, svc)
    missed, topics = partner_facts(svc, member.network_id, _)
    lines = [_("Partners of \"{network}\":").format(network=member.network_name)]
    for row in rows:
        if row.contact_name and row.joined_at:
            since = format_date(datetime.fromisoformat(row.joined_at), format="medium", locale=locale)
            status = _("joined ({name}, since {date})").format(name=row.contact_name, date=since)
        elif row.invite_open:
            status = _("invited, not joined yet")
        else:
            status = _("no contact person: send a new /invite")
        notes = _partner_notes(row, missed.get(row.organisation_id, 0), topics.get(row.organisation_id, []), _)
        lines.append(f"• {row.name}: {status}" + "".join(f"\n   {note}" for note in notes))
    joined = sum(1 for row in rows if row.contact_name)
    lines.append("")
    lines.append(_("{joined} of {total} have joined.").format(joined=joined, total=len(rows)))
    await say(update, "\n".join(lines))
