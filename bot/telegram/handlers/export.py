"""/export: the network's answers as a CSV file and an Excel workbook, for the coordinator."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.core.calendar import local, zone
from bot.core.chart_data import chart_data
from bot.core.disclosure import MIN_ANSWERING, Shown, round_disclosure
from bot.render.export_files import (
    answer_table,
    csv_bytes,
    export_filename,
    factor_table,
    means_table,
    shareable,
    xlsx_bytes,
)
from bot.telegram.handlers.common import locale_of, say, translator
from bot.telegram.handlers.coordinator import coordinator_member
from storage.export import answer_records, organisation_names
from storage.history import load_history
from storage.reports import network_thresholds
from storage.rounds import schedule_of


async def export_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/export: every round's answers (newest revision) as CSV and XLSX, each round as bot.core.disclosure allows."""
    svc, _ = translator(update, context)
    member = await coordinator_member(update, svc, _)
    chat = update.effective_chat
    if member is None or chat is None:
        return
    history = load_history(svc.db, member.network_id, svc.scripts.version,
                           network_thresholds(svc.db, member.network_id))
    # An anonymous round only once it has closed, so that two exports one answer apart cannot show that answer.
    shown: dict[str, Shown] = {}
    for facts in history.rounds:
        allowed = round_disclosure(history, facts.id, "export")
        shown[facts.period] = allowed if facts.closed or allowed == "named" else "nothing"
    records, withheld = shareable(answer_records(svc.db, member.network_id), shown)
    note = _("Left out to keep the answers anonymous: rounds in which fewer than {minimum} partners answered "
             "or that are still open ({rounds}).").format(minimum=MIN_ANSWERING, rounds=", ".join(withheld))
    if not records:
        await say(update, note if withheld else _("No answers yet."))
        return
    locale = locale_of(update, svc)
    schedule = schedule_of(svc.db, member.network_id)
    answers = answer_table(records, svc.scripts.version, shown, organisation_names(svc.db, member.network_id),
                           zone(schedule), locale, _, svc.catalogs.ngettext(locale))
    # The factor sheets stand at the newest round with anything to show: an open anonymous round has nothing yet.
    upto = max((number for number, facts in enumerate(history.rounds, start=1) if facts.closed or
                shown[facts.period] != "nothing"), default=len(history.rounds))
    chart = chart_data(history, history.rounds[upto - 1].id, rounds=upto, outlet="export")
    day = local(schedule, svc.clock()).date()
    await chat.send_document(document=csv_bytes(answers), filename=export_filename(member.network_name, day, "csv"))
    sheets = [(_("Answers"), answers), (_("Success factors"), means_table(chart, _)),
              (_("Success factors now"), factor_table(chart, _))]
    await chat.send_document(document=xlsx_bytes(sheets), filename=export_filename(member.network_name, day, "xlsx"))
    if withheld:
        await say(update, note)
