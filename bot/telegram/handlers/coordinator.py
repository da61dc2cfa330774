"""Coordinator commands: /invite for partner organisations, /partners to see who has joined."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_date
from telegram import Update

from bot.i18n import Gettext
from bot.services import Services
from bot.telegram.context import BotContext
from bot.telegram.handlers.common import say
from bot.telegram.handlers.kinds import kind_label, kinds_button
from bot.usecases.access import MAX_ORGANISATION_NAME, PartnerRow, invite_partner, kinds_of
from bot.usecases.partners import partner_facts


async def invite_command(update: Update, context: BotContext) -> None:
    """/invite <organisation>: a one-time link for that organisation's contact person."""
    svc, _, member = context.svc, context._, context.known_member
    name = " ".join(context.args or []).strip()
    if len(name) < 2:
        await say(update, _("Please add the organisation's name, for example: /invite Jobcenter Musterstadt"))
        return
    if len(name) > MAX_ORGANISATION_NAME:
        await say(update, _("Please keep the organisation's name to at most {limit} characters.").format(
            limit=MAX_ORGANISATION_NAME))
        return
    invite = invite_partner(svc.db, member.network_id, name, svc.clock(), svc.settings.invite_ttl_days)
    await say(update, invite_message(svc, name, invite.token, invite.expires_at, context.locale, _))


def _partner_notes(row: PartnerRow, missed: int, topics: list[str], _: Gettext) -> list[str]:
    """What the coordinator should know of a partner: this round's check-in, pause, reachability, missed rounds (the
    digest's count) and, in a named network, the signals of the newest closed round."""
    states = {"done": _("this round: answered"), "late": _("this round: answered late"),
              "pending": _("this round: not answered yet"), "missed": _("this round: missed"),
              "excused": _("this round: excused")}  # paused, sat this round out, or left
    notes = [states[row.round_status]] if row.round_status in states else []
    if row.paused:
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


async def partners_command(update: Update, context: BotContext) -> None:
    """/partners: every partner organisation and whether its contact person has joined."""
    svc, _, member, locale = context.svc, context._, context.known_member, context.locale
    facts = partner_facts(svc.db, svc.scripts.version, member.network_id, svc.clock(), _)
    rows, missed, topics = facts.rows, facts.missed, facts.topics
    kinds = kinds_of(svc.db, member.network_id)
    if not rows:
        await say(update, _("No partner organisations yet. Invite the first one with /invite <organisation name>."))
        return
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
        notes.append(_("kind: {kind}").format(kind=kind_label(kinds.get(row.organisation_id, "other"), _)))
        lines.append(f"• {row.name}: {status}" + "".join(f"\n   {note}" for note in notes))
    joined = sum(1 for row in rows if row.contact_name)
    lines.append("")
    lines.append(_("{joined} of {total} have joined.").format(joined=joined, total=len(rows)))
    if update.effective_chat is not None:
        await update.effective_chat.send_message("\n".join(lines), reply_markup=kinds_button(_))
