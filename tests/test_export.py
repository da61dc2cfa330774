"""/export's files as plain functions: the table (named or anonymous), CSV for German Excel, the XLSX workbook."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from sqlite_utils import Database

from bot.core.chart_data import ChartData
from bot.core.factor_levels import FactorState
from bot.core.records import AnswerRecord
from bot.core.script.model import Script
from bot.i18n import Catalogs
from bot.render.export_files import (
    Table,
    answer_table,
    csv_bytes,
    export_filename,
    factor_table,
    means_table,
    shareable,
    slug,
    xlsx_bytes,
)
from bot.usecases.scripts import ScriptRegistry
from storage.export import answer_records, organisation_names
from storage.people import create_invite, create_network, organisation_for, redeem_invite
from storage.rounds import open_round
from tests.e2e import NOW, TEST_DIALOGS, clarity_two_then_four

BERLIN = ZoneInfo("Europe/Berlin")
NAMES = {1: "Jobcenter Musterstadt", 2: "Schuldnerberatung Süd", 3: "Träger Ölmühle"}
AT = datetime(2027, 2, 2, 9, 30, 45, tzinfo=UTC)


def _record(organisation: int, step: str, kind: str, value: object, *, factor: int | None = 2,
            risk: int | None = 1, late: bool = False, period: str = "2027-02") -> AnswerRecord:
    return AnswerRecord(period, organisation, NAMES[organisation], "monthly_checkin", 2, step, kind, factor, risk,
                        value, late, AT)  # type: ignore[arg-type]


def _records() -> list[AnswerRecord]:
    return [
        _record(3, "goals_clear", "scale", 2),
        _record(3, "goals_missing", "text", "Mehr Austausch mit der Schuldnerberatung Süd, bitte"),
        _record(1, "goals_clear", "scale", 5),
        _record(1, "goal_statement", "text", "=HYPERLINK(\"http://x\")"),
        _record(2, "goals_clear", "scale", 4, late=True),
        _record(2, "benefit", "scale", "dont_know", factor=3, risk=5),
        _record(1, "benefit_why", "choice", "less_duplication", factor=3, risk=5),
        _record(1, "partners_worked_with", "partners", ("2", "3"), factor=5, risk=4),
        _record(2, "agreements_kept", "choice", "all", factor=4, risk=2),
    ]


def _table(monthly_script: Script, catalogs: Catalogs, privacy: str, lang: str = "de",
           records: list[AnswerRecord] | None = None) -> Table:
    shown = {"2027-02": "named" if privacy == "named" else "aggregate", "2027-01": "aggregate"}
    return answer_table(_records() if records is None else records, lambda _id, _version: monthly_script,
                        shown, NAMES, BERLIN, lang, catalogs.gettext(lang), catalogs.ngettext(lang))  # type: ignore[arg-type]


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_named_table_has_organisation_late_and_time(monthly_script: Script, catalogs: Catalogs) -> None:
    _ = catalogs.gettext("de")
    table = _table(monthly_script, catalogs, "named")
    assert table.header == (_("Round"), _("Organisation"), _("Step"), _("Question"), _("Success factor"),
                            _("Risk factor"), _("Answer"), _("Value"), _("Late"), _("Answered at"))
    assert [row[1] for row in table.rows] == ["Jobcenter Musterstadt"] * 4 + ["Schuldnerberatung Süd"] * 3 + \
        ["Träger Ölmühle"] * 2
    first = table.rows[0]
    assert first[:3] == ("2027-02", "Jobcenter Musterstadt", "goals_clear")
    assert first[3] == "Wie klar ist Ihnen im Moment das gemeinsame Ziel des Netzwerks?"
    assert first[4] == _("Shared goals") and first[5] == _("No shared goals, or only vague ones")
    assert first[6:] == ("5", 5, _("No"), datetime(2027, 2, 2, 10, 30))  # Berlin time, to the minute
    by_step = {row[2]: row for row in table.rows}
    assert by_step["benefit"][6:8] == (_("Don't know"), None)
    assert by_step["benefit_why"][6] == "Weniger Doppelarbeit"
    assert by_step["partners_worked_with"][6] == "Schuldnerberatung Süd, Träger Ölmühle"
    assert by_step["goals_missing"][6] == "Mehr Austausch mit der Schuldnerberatung Süd, bitte"
    assert by_step["agreements_kept"][6] == "Ja, alle"
    assert [row[8] for row in table.rows if row[1] == "Schuldnerberatung Süd"] == [_("Yes"), _("No"), _("No")]


def test_question_texts_in_the_coordinators_language(monthly_script: Script, catalogs: Catalogs) -> None:
    table = _table(monthly_script, catalogs, "named", lang="en")
    assert table.rows[0][3] == "How clear is the network's shared goal to you right now?"
    assert {row[2]: row[6] for row in table.rows}["agreements_kept"] == "Yes, all of them"


def test_anonymous_table_names_nobody(monthly_script: Script, catalogs: Catalogs) -> None:
    _ = catalogs.gettext("de")
    table = _table(monthly_script, catalogs, "anonymous")
    assert table.header == (_("Round"), _("Step"), _("Question"), _("Success factor"), _("Risk factor"), _("Answer"),
                            _("Value"))
    text = repr(table)
    assert not any(name in text for name in NAMES.values())
    assert "Schuldnerberatung" not in text and "Ölmühle" not in text
    # by question (script order), then answer: nothing of the order in which partners answered
    assert [(row[1], row[6]) for row in table.rows] == [
        ("goals_clear", 2), ("goals_clear", 4), ("goals_clear", 5), ("goals_missing", None),
        ("goal_statement", None), ("benefit", None), ("benefit_why", None), ("agreements_kept", None),
        ("partners_worked_with", None)]
    by_step = {row[1]: row for row in table.rows}
    assert by_step["goals_missing"][5] == "Mehr Austausch mit der […], bitte"
    assert by_step["partners_worked_with"][5] == catalogs.ngettext("de")(
        "{count} partner organisation", "{count} partner organisations", 2).format(count=2)


def test_rounds_are_kept_as_the_disclosure_allows_late_answers_only_by_name() -> None:
    records = [*_records(), _record(1, "goals_clear", "scale", 3, period="2027-03"),
               _record(2, "goals_clear", "scale", 3, period="2027-03")]
    kept, withheld = shareable(records, {"2027-02": "aggregate", "2027-03": "nothing"})
    assert withheld == ["2027-03"] and {record.period for record in kept} == {"2027-02"}
    assert not any(record.late for record in kept)  # a late answer would change an anonymous round afterwards
    assert shareable(records, {"2027-02": "named", "2027-03": "named"}) == (records, [])


def test_a_table_of_anonymous_and_named_rounds_names_only_the_named_ones(monthly_script: Script,
                                                                          catalogs: Catalogs) -> None:
    records = [*_records(), _record(3, "goals_clear", "scale", 1, period="2027-01"),
               _record(1, "goals_clear", "scale", 4, period="2027-01")]
    table = _table(monthly_script, catalogs, "named", records=records)
    earlier = [row for row in table.rows if row[0] == "2027-01"]
    assert [(row[1], row[7], row[8], row[9]) for row in earlier] == [(None, 1, None, None), (None, 4, None, None)]
    assert {row[1] for row in table.rows if row[0] == "2027-02"} == set(NAMES.values())


def test_csv_for_german_excel(monthly_script: Script, catalogs: Catalogs) -> None:
    named = _table(monthly_script, catalogs, "named")
    rows = _csv_rows(csv_bytes(named))
    assert rows[0] == list(named.header)
    assert len(rows) == len(named.rows) + 1
    assert rows[1][1] == "Jobcenter Musterstadt" and rows[1][9] == "2027-02-02 10:30" and rows[1][7] == "5"
    assert "Träger Ölmühle" in [row[1] for row in rows]  # umlauts survive
    statement = next(row for row in rows if row[2] == "goal_statement")
    assert statement[6] == "'=HYPERLINK(\"http://x\")"  # a typed formula stays text

    anonymous = _table(monthly_script, catalogs, "anonymous")
    data = csv_bytes(anonymous)
    rows = _csv_rows(data)
    assert rows[0] == list(anonymous.header) and catalogs.gettext("de")("Organisation") not in rows[0]
    text = data.decode("utf-8-sig")
    assert not any(name in text for name in NAMES.values()) and "Schuldnerberatung" not in text


def test_xlsx_has_the_same_rows_a_bold_header_and_the_means(monthly_script: Script, catalogs: Catalogs) -> None:
    _ = catalogs.gettext("de")
    table = _table(monthly_script, catalogs, "named")
    means = means_table(ChartData(("2027-01", "2027-02"), ((2, (4.0, 3.7)), (3, (None, 2.5))), ((3, 3), (3, 3))), _)
    assert len(means.header) == 12 and means.rows[0][1:4] == (None, 4.0, None)
    workbook = load_workbook(io.BytesIO(xlsx_bytes([(_("Answers"), table), (_("Success factors"), means)])))
    assert workbook.sheetnames == [_("Answers"), _("Success factors")]
    sheet = workbook[_("Answers")]
    rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == table.header
    assert rows[1:] == list(table.rows)
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.column_dimensions["D"].width > sheet.column_dimensions["A"].width >= len("2027-02")
    statement = next(row for row in sheet.iter_rows(min_row=2) if row[2].value == "goal_statement")
    assert statement[6].data_type == "s"  # never a formula
    rows = [tuple(row)[:4] for row in workbook[_("Success factors")].iter_rows(values_only=True)]
    assert rows == [(_("Round"), _("Personal commitment"), _("Shared goals"), _("Visible benefit for each partner")),
                    ("2027-01", None, 4.0, None), ("2027-02", None, 3.7, 2.5)]


def test_the_factor_sheet_has_every_factor_with_its_level_and_last_measured_round(catalogs: Catalogs) -> None:
    _ = catalogs.gettext("de")
    latest = (FactorState(1, None, None, None, 0, (), None),
              FactorState(3, 2, "2027-02", 2.5, 4, (4.0,), "down", 2, 1, 1),
              FactorState(9, 1, "2027-01", None, 2, (), None))
    table = factor_table(ChartData(("2027-01", "2027-02"), (), ((4, 4), (4, 4)), latest), _)
    assert table.rows == ((_("Personal commitment"), None, None, None, None, None, None),
                          (_("Visible benefit for each partner"), "2027-02", 2.5, 4, 2, 1, 1),
                          (_("Autonomy of each partner preserved"), "2027-01", None, None, None, None, None))


def test_file_names() -> None:
    assert slug("Netzwerk Alleinerziehende Musterstadt") == "netzwerk-alleinerziehende-musterstadt"
    assert slug("Jugendhilfe Köln-Süd & Straße / Ost") == "jugendhilfe-koeln-sued-strasse-ost"
    assert slug("!!!") == "netzwerk"
    assert export_filename("Netzwerk Ü", date(2027, 2, 3), "csv") == "netzpuls-netzwerk-ue-2027-02-03.csv"


def test_answer_records_take_the_newest_revision(db: Database) -> None:
    registry = ScriptRegistry(db)
    [script] = registry.load_directory(TEST_DIALOGS, NOW)
    network = create_network(db, "N", NOW)
    org = organisation_for(db, network, "Jobcenter", NOW)
    anna = redeem_invite(db, create_invite(db, network, "partner", org, NOW, 30).token, 501, "Anna", "de", 1, NOW)
    round_id = open_round(db, network, "2027-01", NOW, NOW + timedelta(days=14), [anna.id], NOW)
    assert round_id is not None
    clarity_two_then_four(db, script, anna, round_id)
    [record] = answer_records(db, network)
    assert (record.period, record.organisation, record.step_id, record.kind, record.factor, record.risk,
            record.value, record.late) == ("2027-01", "Jobcenter", "goals_clear", "scale", 2, 1, 4, False)
    assert record.answered_at == NOW + timedelta(hours=1)
    assert organisation_names(db, network) == {org: "Jobcenter"}
