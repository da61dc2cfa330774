"""The network's answers as files for spreadsheets (/export): a table, then CSV (German Excel) and XLSX bytes; pure."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.core.chart_data import FACTORS, ChartData
from bot.core.digest.evidence import scrub
from bot.core.digest.names import factor_name, risk_name
from bot.core.disclosure import Shown
from bot.core.records import AnswerRecord
from bot.core.render import describe_value, pick
from bot.core.script.model import Script

Gettext = Callable[[str], str]
Ngettext = Callable[[str, str, int], str]
ScriptLookup = Callable[[str, int], Script]  # (script id, version) -> the script (ScriptRegistry.version)
Cell = str | int | float | datetime | None

CSV_DELIMITER = ";"  # what German Excel expects when it opens a .csv by double click
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a cell starting so would be run as a formula by a spreadsheet
MAX_COLUMN_WIDTH = 60
MINUTE_FORMAT = "yyyy-mm-dd hh:mm"
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


@dataclass(frozen=True)
class Table:
    """A header row and data rows, ready to be written as a file."""

    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def shareable(records: Iterable[AnswerRecord], shown: Mapping[str, Shown]) -> tuple[list[AnswerRecord], list[str]]:
    """The records that may be exported and the periods left out, by what each round may show (bot.core.disclosure,
    outlet "export"): a named round everything, late answers included; an anonymous round its answers given while it
    was open, once it has closed and at least three organisations answered; otherwise nothing."""
    kept, withheld = [], set()
    for record in records:
        allowed = shown.get(record.period, "nothing")
        if allowed == "nothing":
            withheld.add(record.period)
        elif allowed == "named" or not record.late:
            kept.append(record)
    return kept, sorted(withheld)


def answer_table(records: Iterable[AnswerRecord], scripts: ScriptLookup, shown: Mapping[str, Shown],
                 names: Mapping[int, str], tz: ZoneInfo, lang: str, _: Gettext, ngettext: Ngettext) -> Table:
    """One row per answer. Rounds that may show names (`shown` "named" by period): with organisation, late and time,
    by round and organisation. Other rounds: none of these (the time and lateness would link a partner's rows to the
    participation the coordinator sees by name), free texts without partner names, partners steps as a count, rows
    by round, question and answer."""
    records = list(records)
    with_names = any(shown.get(record.period) == "named" for record in records)
    # a free text the partner allowed to be quoted with its name carries it, in an anonymous round too
    with_quotes = any(record.quote_named and record.kind == "text" for record in records)
    keyed: list[tuple[tuple[object, ...], tuple[Cell, ...]]] = []
    for record in records:
        named = shown.get(record.period) == "named"
        script = scripts(record.script_id, record.script_version)
        step = script.step(record.step_id) if script.has_step(record.step_id) else None
        position = script.index(record.step_id) if step is not None else len(script.steps)
        answer = _answer(record, script, names, named, lang, _, ngettext)
        number = _number(record)
        question = pick(step.text, lang) if step is not None else record.step_id
        factor = factor_name(record.factor, _) if record.factor is not None else None
        risk = risk_name(record.risk, _) if record.risk is not None else None
        if named:
            late = _("Yes") if record.late else _("No")
            when = record.answered_at.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0)
            row: tuple[Cell, ...] = (record.period, record.organisation, record.step_id, question, factor, risk,
                                     answer, number, late, when)
            key: tuple[object, ...] = (record.period, 0, record.organisation.casefold(), record.organisation_id,
                                       position, record.step_id)
        else:
            row = (record.period, *([None] if with_names else []), record.step_id, question, factor, risk, answer,
                   number, *([None, None] if with_names else []))
            key = (record.period, 1, position, record.step_id, number is None, number or 0, answer)
        if with_quotes:
            row = (*row, record.organisation if record.quote_named and record.kind == "text" else None)
        keyed.append((key, row))
    header = (_("Round"), *([_("Organisation")] if with_names else []), _("Step"), _("Question"), _("Success factor"),
              _("Risk factor"), _("Answer"), _("Value"), *([_("Late"), _("Answered at")] if with_names else []),
              *([_("Quoted with name")] if with_quotes else []))
    return Table(header, tuple(row for _key, row in sorted(keyed, key=lambda pair: pair[0])))


def _answer(record: AnswerRecord, script: Script, names: Mapping[int, str], named: bool, lang: str, _: Gettext,
            ngettext: Ngettext) -> str:
    """The answer in words: option texts, yes/no, a typed text; partner names only in a named network."""
    value = record.value
    if record.kind == "partners" and isinstance(value, tuple) and value:
        if named:
            return ", ".join(names.get(int(chosen), chosen) if chosen.isdigit() else chosen for chosen in value)
        return ngettext("{count} partner organisation", "{count} partner organisations", len(value)).format(
            count=len(value))
    if record.kind == "text" and isinstance(value, str) and not named:
        return scrub(value, names)
    if script.has_step(record.step_id):
        return describe_value(script.step(record.step_id), value, lang, _)
    if isinstance(value, tuple):  # a step its script version no longer knows: the plain stored value
        return ", ".join(value)
    return "" if value is None else str(value)


def _number(record: AnswerRecord) -> int | None:
    """The answer as a number where it is one: scale (not "don't know") and number steps."""
    value = record.value
    if record.kind in ("scale", "number") and isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def means_table(chart: ChartData, _: Gettext) -> Table:
    """Each round's mean per success factor, all 11 (the digest's numbers; empty where hidden or not asked)."""
    series = dict(chart.factors)
    header = (_("Round"), *(factor_name(factor, _) for factor in FACTORS))
    rows = tuple((period, *(series[factor][index] if factor in series else None for factor in FACTORS))
                 for index, period in enumerate(chart.periods))
    return Table(header, rows)


def factor_table(chart: ChartData, _: Gettext) -> Table:
    """Every success factor as the digest shows it: its level, the round it was last measured in, how many partners
    answered and how many rated it low, middle and high (empty where hidden or never measured)."""
    header = (_("Success factor"), _("Last measured"), _("Mean"), _("Answers"), _("low (1–2)"), _("middle (3)"),
              _("high (4–5)"))
    rows = tuple((factor_name(state.factor, _), state.period, state.level,
                  *((state.answers, state.low, state.middle, state.high) if state.level is not None
                    else (None, None, None, None)))
                 for state in chart.latest)
    return Table(header, rows)


def _text(cell: Cell) -> str:
    """A cell as CSV text; a text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.strftime("%Y-%m-%d %H:%M")
    if isinstance(cell, str):
        return "'" + cell if cell.startswith(FORMULA_STARTS) else cell
    return str(cell)


def csv_bytes(table: Table) -> bytes:
    """The table as CSV for German Excel: UTF-8 with BOM (umlauts), ";" between fields, a header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow(table.header)
    writer.writerows([_text(cell) for cell in row] for row in table.rows)
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(sheets: Sequence[tuple[str, Table]]) -> bytes:
    """The tables as one workbook, a sheet each: bold header, frozen first row, filter, columns wide enough."""
    # openpyxl (with numpy) is imported only for /export: it costs the start-up 0.2 s and 8 MiB otherwise
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    for number, (title, table) in enumerate(sheets):
        sheet = workbook.worksheets[0] if number == 0 else workbook.create_sheet()
        sheet.title = _sheet_title(title)
        sheet.append(list(table.header))
        for row in table.rows:
            sheet.append(list(row))
        for cells in sheet.iter_rows(min_row=2):
            for cell in cells:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never a formula, whatever a partner typed
                elif isinstance(cell.value, datetime):
                    cell.number_format = MINUTE_FORMAT
                elif isinstance(cell.value, float):
                    cell.number_format = "0.0"
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for index, header in enumerate(table.header):
            width = max([len(header), *(len(_text(row[index])) for row in table.rows)])
            sheet.column_dimensions[get_column_letter(index + 1)].width = min(width + 2, MAX_COLUMN_WIDTH)
        sheet.freeze_panes = "A2"
        if table.header:
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.header))}{len(table.rows) + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Sheet"


def slug(name: str) -> str:
    """A network's name for a file name: "Netzwerk Alleinerziehende Musterstadt" → "netzwerk-alleinerziehende-..."."""
    plain = unicodedata.normalize("NFKD", name.casefold().translate(_UMLAUTS)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:60].strip("-") or "netzwerk"


def export_filename(network: str, day: date, suffix: str) -> str:
    """netzpuls-<network slug>-<YYYY-MM-DD>.<suffix>."""
    return f"netzpuls-{slug(network)}-{day.isoformat()}.{suffix}"
