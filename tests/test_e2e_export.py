"""End to end through the local Bot API: /export sends the answers as CSV and XLSX, without organisations in an
anonymous network and with them in a named one; partners are refused."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from openpyxl import load_workbook

from bot.i18n import Catalogs
from localapi.server import SentMessage
from tests.e2e import Harness

FEB_OPENS = datetime(2027, 2, 2, 8, 0, tzinfo=UTC)
COORDINATOR = 900
PARTNERS = (701, 702, 703)
FEB_CLOSES = datetime(2027, 2, 12, 8, 0, tzinfo=UTC)
MAR_OPENS = datetime(2027, 3, 2, 8, 0, tzinfo=UTC)
FILE = "netzpuls-netzwerk-alleinerziehende-musterstadt-2027-0"


def _csv(document: SentMessage) -> list[list[str]]:
    assert document.kind == "document" and document.file is not None
    assert (document.filename or "").startswith(FILE) and (document.filename or "").endswith(".csv")
    assert document.file.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(document.file.decode("utf-8-sig"), newline=""), delimiter=";"))


def _xlsx(document: SentMessage) -> dict[str, list[list[str]]]:
    assert document.kind == "document" and document.file is not None
    assert (document.filename or "").startswith(FILE) and (document.filename or "").endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(document.file))
    return {sheet.title: [["" if cell is None else str(cell) for cell in row] for row in sheet.iter_rows(
        values_only=True)] for sheet in workbook.worksheets}


async def _answer(harness: Harness, user: int) -> None:
    [prompt] = await harness.api.wait_for_messages(user, 1)
    _intro, goals = await harness.tap(user, prompt, "Jetzt starten", count=2)
    await harness.finish_checkin(user, goals)


async def test_export_anonymous_then_named_and_refused_for_partners(harness: Harness, catalogs: Catalogs) -> None:
    _ = catalogs.gettext("de")
    network = harness.network()
    await harness.join(COORDINATOR, "Clara", harness.invite(network))
    for n, user in enumerate(PARTNERS):
        await harness.partner(user_id=user, organisation=f"Träger {n}", network_id=network)
    [nothing] = await harness.send(COORDINATOR, "/export")
    assert nothing.text == _("No answers yet.")

    harness.clock.now = FEB_OPENS
    await _answer(harness, PARTNERS[0])
    [withheld] = await harness.send(COORDINATOR, "/export")  # anonymous: an open round is not exported
    assert withheld.text == _("Left out to keep the answers anonymous: rounds in which fewer than {minimum} partners "
                              "answered or that are still open ({rounds}).").format(minimum=3, rounds="2027-02")
    for user in PARTNERS[1:]:
        await _answer(harness, user)
    harness.clock.now = FEB_CLOSES
    await harness.api.wait_until(lambda: harness.db.execute(
        "SELECT COUNT(*) FROM rounds WHERE status = 'closed'").fetchone()[0] == 1)
    digest, chart = await harness.api.wait_for_messages(COORDINATOR, 2)  # the round's digest comes first
    assert digest.text.startswith("Netzpuls-Überblick") and chart.kind == "photo"

    csv_doc, xlsx_doc = await harness.send(COORDINATOR, "/export", count=2)
    rows = _csv(csv_doc)
    assert rows[0] == [_("Round"), _("Step"), _("Question"), _("Success factor"), _("Risk factor"), _("Answer"),
                       _("Value")]
    assert len(rows) == 1 + 3 * 5  # five answers each: goals, goal statement, benefit, agreements, anything else
    assert [row[1] for row in rows[1:4]] == ["goals_clear"] * 3 and [row[6] for row in rows[1:4]] == ["5"] * 3
    assert rows[1][2] == "Wie klar ist Ihnen im Moment das gemeinsame Ziel des Netzwerks?"
    assert {row[5] for row in rows if row[1] == "agreements_kept"} == {"Ja, alle"}
    assert "Träger" not in csv_doc.file.decode("utf-8-sig")  # type: ignore[union-attr]
    sheets = _xlsx(xlsx_doc)
    assert list(sheets) == [_("Answers"), _("Success factors"), _("Success factors now")]
    assert sheets[_("Answers")] == rows
    assert not any("Träger" in cell for sheet in sheets.values() for row in sheet for cell in row)
    assert sheets[_("Success factors")][1][0] == "2027-02"
    now = {row[0]: row[1:] for row in sheets[_("Success factors now")][1:]}
    assert len(now) == 11 and now[_("Shared goals")][:3] == ["2027-02", "5", "3"]  # every factor, last measured

    [choice] = await harness.send(COORDINATOR, "/privacy")
    await harness.tap(COORDINATOR, choice, "mit Namen", count=0)  # from the next round on: February stays anonymous
    csv_doc, _xlsx_doc = await harness.send(COORDINATOR, "/export", count=2)
    assert _csv(csv_doc)[0][1] == _("Step")
    assert "Träger" not in csv_doc.file.decode("utf-8-sig")  # type: ignore[union-attr]
    for user in PARTNERS:
        result, renewal = await harness.api.wait_for_messages(user, 2)  # February's result comes first
        assert result.text.startswith("Was „Netzwerk Alleinerziehende Musterstadt“ im Februar 2027 gelernt hat")
        await harness.tap(user, renewal, "Ich stimme zu", count=0)  # agreed to take part named
    harness.clock.now = MAR_OPENS
    for user in PARTNERS:
        await _answer(harness, user)
    csv_doc, xlsx_doc = await harness.send(COORDINATOR, "/export", count=2)  # named: also the open round
    rows = _csv(csv_doc)
    assert rows[0] == [_("Round"), _("Organisation"), _("Step"), _("Question"), _("Success factor"),
                       _("Risk factor"), _("Answer"), _("Value"), _("Late"), _("Answered at")]
    assert [row[1] for row in rows[1:] if row[0] == "2027-02"] == [""] * 15  # still nobody's
    assert [row[1] for row in rows[1:] if row[0] == "2027-03"] == ["Träger 0"] * 5 + ["Träger 1"] * 5 + \
        ["Träger 2"] * 5
    assert {row[8] for row in rows[1:] if row[0] == "2027-03"} == {_("No")}
    assert all(row[9].startswith("2027-03-02 09:") for row in rows[1:] if row[0] == "2027-03")  # Berlin, minutes
    assert next(row[1] for row in _xlsx(xlsx_doc)[_("Answers")][1:] if row[0] == "2027-03") == "Träger 0"

    [refused] = await harness.send(PARTNERS[0], "/export")
    assert refused.text == _("This command is only for the network coordination.")


async def test_export_while_an_anonymous_round_is_open_stands_at_the_last_closed_round(
        harness: Harness, catalogs: Catalogs) -> None:
    _ = catalogs.gettext("de")
    network = harness.network()
    await harness.join(COORDINATOR, "Clara", harness.invite(network))
    for n, user in enumerate(PARTNERS):
        await harness.partner(user_id=user, organisation=f"Träger {n}", network_id=network)
    harness.clock.now = FEB_OPENS
    for user in PARTNERS:
        await _answer(harness, user)
    harness.clock.now = FEB_CLOSES
    await harness.api.wait_for_messages(COORDINATOR, 2)  # February's digest and chart
    for user in PARTNERS:
        await harness.api.wait_for_messages(user, 1)  # February's result
    harness.clock.now = MAR_OPENS
    for user in PARTNERS:  # March, still open: everybody now finds the goals unclear
        [prompt] = await harness.api.wait_for_messages(user, 1)
        _intro, goals = await harness.tap(user, prompt, "Jetzt starten", count=2)
        [statement] = await harness.tap(user, goals, "1")
        [benefit] = await harness.tap(user, statement, "Überspringen")
        [agreements] = await harness.tap(user, benefit, "4")
        [anything] = await harness.tap(user, agreements, "Ja, alle")
        await harness.tap(user, anything, "Überspringen")

    _csv_doc, xlsx_doc, note = await harness.send(COORDINATOR, "/export", count=3)
    assert "(2027-03)" in (note.text or "")
    sheets = _xlsx(xlsx_doc)
    assert [row[0] for row in sheets[_("Success factors")][1:]] == ["2027-02"]
    now = {row[0]: row[1:] for row in sheets[_("Success factors now")][1:]}
    assert now[_("Shared goals")][:3] == ["2027-02", "5", "3"]  # February's, not a blank March nor March's 1
