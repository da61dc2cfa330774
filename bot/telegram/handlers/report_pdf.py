"""/report: the network's report over up to a year as a PDF to share (a steering group, the municipality, a
funder), for the coordinator."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.telegram.context import BotContext
from bot.telegram.handlers.common import say
from bot.usecases.period_report import prepare_report, problem_text, report_pdf


async def report_command(update: Update, context: BotContext) -> None:
    """/report [FROM [TO]]: the PDF of the network's closed rounds, by default the last 12 months (FROM alone: the
    year from then on)."""
    svc, _, chat = context.svc, context._, update.effective_chat
    if chat is None:
        return
    args = context.args or []
    if len(args) > 2:
        await say(update, problem_text("format", "", "", _))
        return
    first = args[0] if args else None
    last = args[1] if len(args) > 1 else None
    prepared = prepare_report(svc.db, svc.scripts, context.known_member.network_id, first, last, context.locale,
                              svc.clock())
    if prepared.pages is None:
        await say(update, problem_text(prepared.problem, prepared.first, prepared.last, _))
        return
    await say(update, _("Your report is being made; this takes a few seconds."))
    # Charts, the network map and the fonts take about a second of CPU: not on the event loop.
    pdf = await asyncio.to_thread(report_pdf, prepared.pages, svc.catalogs)
    await chat.send_document(document=pdf, filename=prepared.filename,
                             caption=_("Report {network}, {first} to {last}").format(
                                 network=prepared.pages.network_name, first=prepared.first, last=prepared.last))
