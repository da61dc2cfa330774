"""/export: the network's answers as a CSV file and an Excel workbook, each round as bot.core.disclosure allows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from bot.core.calendar import local, zone
from bot.core.chart_data import chart_data
from bot.core.disclosure import MIN_ANSWERING, Shown, round_disclosure
from bot.i18n import Catalogs, Gettext
from bot.render.export_files import (
    answer_table,
    csv_bytes,
    export_filename,
    factor_table,
    means_table,
    shareable,
    xlsx_bytes,
)
from bot.usecases.scripts import ScriptRegistry
from storage.export import answer_records, organisation_names
from storage.history import load_history
from storage.people import Membership
from storage.reports import network_thresholds
from storage.rounds import schedule_of


@dataclass(frozen=True)
class Export:
    """What /export sends: files as (file name, content), and a note on the rounds left out ("" for none)."""

    files: list[tuple[str, bytes]]
    note: str


def export_answers(db: Database, scripts: ScriptRegistry, catalogs: Catalogs, member: Membership, now: datetime,
                   locale: str, _: Gettext) -> Export:
    """Every round's answers (newest revision) as CSV and XLSX; an anonymous round only once it has closed, so that
    two exports one answer apart cannot show that answer."""
    history = load_history(db, member.network_id, scripts.version, network_thresholds(db, member.network_id))
    shown: dict[str, Shown] = {}
    for facts in history.rounds:
        allowed = round_disclosure(history, facts.id, "export")
        shown[facts.period] = allowed if facts.closed or allowed == "named" else "nothing"
    records, withheld = shareable(answer_records(db, member.network_id), shown)
    note = _("Left out to keep the answers anonymous: rounds in which fewer than {minimum} partners answered "
             "or that are still open ({rounds}).").format(minimum=MIN_ANSWERING, rounds=", ".join(withheld))
    if not records:
        return Export([], note if withheld else _("No answers yet."))
    schedule = schedule_of(db, member.network_id)
    answers = answer_table(records, scripts.version, shown, organisation_names(db, member.network_id),
                           zone(schedule), locale, _, catalogs.ngettext(locale))
    # The factor sheets stand at the newest round with anything to show: an open anonymous round has nothing yet.
    upto = max((number for number, facts in enumerate(history.rounds, start=1) if facts.closed or
                shown[facts.period] != "nothing"), default=len(history.rounds))
    chart = chart_data(history, history.rounds[upto - 1].id, rounds=upto, outlet="export")
    day = local(schedule, now).date()
    sheets = [(_("Answers"), answers), (_("Success factors"), means_table(chart, _)),
              (_("Success factors now"), factor_table(chart, _))]
    return Export([(export_filename(member.network_name, day, "csv"), csv_bytes(answers)),
                   (export_filename(member.network_name, day, "xlsx"), xlsx_bytes(sheets))],
                  note if withheld else "")
