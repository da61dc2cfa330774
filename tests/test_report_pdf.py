"""The period report as a PDF: what its text holds (read back with pdftotext), that its fonts are embedded
(pdffonts), that its pages render (pdftoppm), and what an anonymous network's report leaves out."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlite_utils import Database

from bot.core.digest.names import factor_name
from bot.core.history import Privacy
from bot.core.period_report import default_period, month_count, parse_period, shift
from bot.i18n import Catalogs
from bot.usecases.period_report import choose_period, make_report
from storage.history import load_history
from tests.report_world import ORGANISATIONS, World, build_world, quote_of

NOW = datetime(2027, 12, 20, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) not installed")


def pdf_text(pdf: bytes, tmp_path: Path, layout: bool = False) -> str:
    """The PDF's text as pdftotext reads it: in reading order (a table cell's lines together), or as laid out."""
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", *(["-layout"] if layout else []), str(path), "-"], check=True,
                          capture_output=True).stdout
    return text.decode("utf-8")


def flat(text: str) -> str:
    """The text with every run of white space as one space (a quote may break over lines)."""
    return " ".join(text.split())


def report(db: Database, world: World, catalogs: Catalogs, locale: str = "de", first: str | None = None,
           last: str | None = None) -> bytes:
    prepared, pdf = make_report(db, world.scripts, catalogs, world.network_id, first, last, locale, NOW)
    assert prepared.problem == "" and pdf.startswith(b"%PDF"), prepared.problem
    return pdf


def test_a_named_networks_report_holds_name_period_factors_participation_and_quotes(
        db: Database, catalogs: Catalogs, tmp_path: Path) -> None:
    world = build_world(db, partners=5, rounds=4, privacy="named", answering=(5, 2, 5, 4))
    pdf = report(db, world, catalogs)
    words = flat(pdf_text(pdf, tmp_path))
    laid_out = pdf_text(pdf, tmp_path, layout=True).replace("\xa0", " ")
    _ = catalogs.gettext("de")
    assert "Netzwerk Alleinerziehende Musterstadt" in words
    assert "Januar 2027 – April 2027" in words  # the default: from the first closed round to the newest
    for factor in range(1, 12):
        assert flat(factor_name(factor, _)) in words, factor_name(factor, _)
    assert "Beantwortete Check-ins: 16 von 20 angefragten (80 %)." in words.replace("\xa0", " ")
    assert re.search(r"Februar 2027\s+2\s+5\s+40 %", laid_out)  # a round's row: answered, asked, share
    assert "Beteiligung nach Organisation" in words and ORGANISATIONS[0] in words  # named: by organisation
    assert f"„{quote_of(1, 3)}“" in words  # in full, umlauts and typographic quotes read back as written
    assert "Persönliches Engagement" in words and "Überzeugungsarbeit" in words
    assert "Jeden Partner um ein Beispiel bitten" in words and "teilweise erledigt" in words  # the coaching step
    assert "Wie klar ist Ihnen im Moment das gemeinsame Ziel des Netzwerks?" in words  # the method's questions


def test_the_report_embeds_its_fonts_and_its_pages_render(db: Database, catalogs: Catalogs, tmp_path: Path) -> None:
    world = build_world(db, partners=4, rounds=3)
    path = tmp_path / "report.pdf"
    path.write_bytes(report(db, world, catalogs))
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert rows and all("DejaVuSans" in row[0] for row in rows)
    assert all(row[-5:-2] == ["yes", "yes", "yes"] for row in rows), fonts  # embedded, subset, with a Unicode map
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(path), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 3 and all(page.stat().st_size > 1000 for page in pages)


def test_an_anonymous_networks_report_names_nobody_and_quotes_no_small_round(
        db: Database, catalogs: Catalogs, tmp_path: Path) -> None:
    world = build_world(db, partners=5, rounds=3, answering=(5, 2, 4))  # February: two answers only
    words = flat(pdf_text(report(db, world, catalogs), tmp_path))
    assert not [name for name in ORGANISATIONS if name in words]  # no organisation named anywhere
    assert "Die Ergebnisse dieser Runden sind anonym" in words
    assert f"„{quote_of(1, 1)}“" in words and f"„{quote_of(1, 3)}“" in words
    assert "Runde 2:" not in words  # February had fewer than 3 answering organisations: none of its words
    assert "(Partner 1)" in words  # the text's own words stay whole


def test_an_english_report_is_english(db: Database, catalogs: Catalogs, tmp_path: Path) -> None:
    world = build_world(db, partners=3, rounds=2)
    words = flat(pdf_text(report(db, world, catalogs, "en"), tmp_path))
    assert "January 2027 – February 2027" in words and "1. Participation" in words
    assert "Visible benefit for each partner" in words and "6. Method" in words
    assert "Beteiligung" not in words and "Erfolgsfaktoren" not in words


def test_a_chosen_period_holds_only_its_rounds(db: Database, catalogs: Catalogs, tmp_path: Path) -> None:
    world = build_world(db, partners=3, rounds=4)
    words = flat(pdf_text(report(db, world, catalogs, first="2027-02", last="2027-03"), tmp_path))
    assert "Februar 2027 – März 2027" in words and "Runde 3:" in words
    assert "Runde 1:" not in words and "Runde 4:" not in words


@pytest.mark.parametrize(("first", "last", "problem"), [
    ("2027-13", "2027-12", "format"), ("2027-05", "2027-02", "order"), ("2026-01", "2027-02", "too_long"),
    ("2025-01", "2025-03", "no_rounds_in_period")])
def test_a_period_that_cannot_be_reported_says_why(db: Database, catalogs: Catalogs, first: str, last: str,
                                                   problem: str) -> None:
    world = build_world(db, partners=3, rounds=2)
    prepared, pdf = make_report(db, world.scripts, catalogs, world.network_id, first, last, "de", NOW)
    assert (prepared.problem, pdf) == (problem, b"")


@pytest.mark.parametrize("privacy", ["anonymous", "named"])
def test_the_default_period_is_the_year_up_to_the_newest_closed_round(db: Database, privacy: Privacy) -> None:
    world = build_world(db, partners=3, rounds=2, privacy=privacy)
    history = load_history(db, world.network_id, world.scripts.version)
    assert default_period(history) == ("2027-01", "2027-02")
    assert choose_period(history, None, None) == ("", "2027-01", "2027-02")
    assert choose_period(history, "2027-02", None) == ("", "2027-02", "2027-02")
    assert choose_period(history, None, "2027-12") == ("", "2027-01", "2027-12")


def test_months_count_and_shift_across_years() -> None:
    assert shift("2027-01", -1) == "2026-12" and shift("2026-12", 13) == "2028-01"
    assert month_count("2026-11", "2027-10") == 12 and month_count("2027-03", "2027-02") == 0
    assert parse_period("2027-09") == "2027-09" and parse_period("2027-9") is None and parse_period(" 2027-09") is None
