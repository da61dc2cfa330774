"""End to end through the local Bot API: a coordinator sends /report and receives the PDF as a document (sendDocument
with a file upload, validated against the Bot API spec); before any round has closed they are told why there is
none, and partners are refused."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from bot.i18n import Catalogs
from tests.e2e import Harness

FEB_OPENS = datetime(2027, 2, 2, 8, 0, tzinfo=UTC)
FEB_CLOSES = datetime(2027, 2, 12, 8, 0, tzinfo=UTC)
COORDINATOR = 900
PARTNERS = (701, 702, 703)


async def test_a_coordinator_receives_the_report_as_a_pdf_document(harness: Harness, catalogs: Catalogs,
                                                                   tmp_path: Path) -> None:
    _ = catalogs.gettext("de")
    network = harness.network()
    await harness.join(COORDINATOR, "Clara", harness.invite(network))
    for n, user in enumerate(PARTNERS):
        await harness.partner(user_id=user, organisation=f"Träger {n}", network_id=network)
    [none_yet] = await harness.send(COORDINATOR, "/report")
    assert none_yet.text == _("There is no closed check-in round yet: the report shows closed rounds only.")

    harness.clock.now = FEB_OPENS
    for user in PARTNERS:
        [prompt] = await harness.api.wait_for_messages(user, 1)
        _intro, goals = await harness.tap(user, prompt, "Jetzt starten", count=2)
        await harness.finish_checkin(user, goals)
    harness.clock.now = FEB_CLOSES
    await harness.api.wait_for_messages(COORDINATOR, 2)  # the round's digest and chart
    for user in PARTNERS:
        await harness.api.wait_for_messages(user, 1)  # what the network learned

    wait, document = await harness.send(COORDINATOR, "/report", count=2)
    assert wait.text == _("Your report is being made; this takes a few seconds.")
    assert document.kind == "document" and document.file is not None and document.file.startswith(b"%PDF")
    assert document.filename == "netzpuls-netzwerk-alleinerziehende-musterstadt-2027-02-2027-02.pdf"
    assert document.text == _("Report {network}, {first} to {last}").format(
        network="Netzwerk Alleinerziehende Musterstadt", first="2027-02", last="2027-02")
    if shutil.which("pdftotext"):
        path = tmp_path / "report.pdf"
        path.write_bytes(document.file)
        text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
        assert "Netzwerk Alleinerziehende Musterstadt" in text and "Februar 2027" in text
        assert "Träger" not in text  # an anonymous network: no organisation in the report

    [wrong] = await harness.send(COORDINATOR, "/report 2027-13")
    assert wrong.text.startswith(_("Please write the months as year and month."))
    [refused] = await harness.send(PARTNERS[0], "/report")
    assert refused.text == _("This command is only for the network coordination.")
