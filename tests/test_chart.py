"""The digest's chart: a PNG 1000 px wide that reads at phone width, for a named round (a partner × factor grid), an
anonymous one (how many rated low, middle, high), a round too few answered and a network without any measurement."""

from __future__ import annotations

import struct
from dataclasses import replace

import pytest

from bot.core.chart_data import ChartData, chart_data
from bot.core.history import Partner
from bot.i18n import Catalogs
from bot.render.chart import WIDTH_PX, label_lines, render_chart
from bot.usecases.report import digest_chart
from tests.test_chart_data import AGENTUR, KITA, network

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
LABELS = ["Jan.", "Feb.", "März"]


def identity(text: str) -> str:
    return text


def _size(png: bytes) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk."""
    width, height = struct.unpack(">II", png[16:24])
    return width, height


@pytest.mark.parametrize("data", [
    chart_data(network("named"), 30),
    chart_data(network("anonymous"), 30),
    chart_data(network("anonymous", answering_in_march=(AGENTUR, KITA)), 30),
    ChartData(("2027-01", "2027-02", "2027-03"), (), ((0, 0), (2, 3), (0, 4))),
], ids=["named", "anonymous", "too-few-answered", "nothing-measured"])
def test_chart_is_a_png_one_phone_screen_wide(data: ChartData) -> None:
    png = render_chart(data, LABELS, identity)
    assert png.startswith(PNG_SIGNATURE)
    width, height = _size(png)
    assert width == WIDTH_PX and 200 < height < 1700
    assert 10_000 < len(png) < 1_000_000


def test_the_grid_grows_with_the_partners_not_the_other_parts() -> None:
    four = network("named")
    twenty = replace(four, partners=four.partners + tuple(Partner(number, f"Partner {number}")
                                                          for number in range(5, 21)))
    small, large = (_size(render_chart(chart_data(one, 30), LABELS, identity))[1] for one in (four, twenty))
    assert large - small == pytest.approx(16 * 50, abs=1)  # one-line names: one row each


def test_chart_needs_one_label_per_round() -> None:
    with pytest.raises(ValueError, match="labels"):
        render_chart(chart_data(network("named"), 30), ["Jan."], identity)


@pytest.mark.parametrize(("name", "expected"), [
    ("Jugendamt", ["Jugendamt"]),
    ("Arbeitgeberservice der Agentur für Arbeit", ["Arbeitgeberservice der", "Agentur für Arbeit"]),
    ("Psychosoziale Kontakt- und Beratungsstelle des Diakonischen Werks",
     ["Psychosoziale Kontakt-", "und Beratungsstelle des", "Diakonischen Werks"]),
    ("Psychosoziale Kontakt- und Beratungsstelle des Diakonischen Werks im Landkreis Musterstadt-Land",
     ["Psychosoziale Kontakt-", "und Beratungsstelle des", "Diakonischen Werks im…"]),
])
def test_partner_names_wrap_over_up_to_three_lines_and_are_cut_only_beyond(name: str, expected: list[str]) -> None:
    assert label_lines(name) == expected


@pytest.mark.parametrize("lang", ["de", "en"])
def test_digest_chart_in_the_readers_language(catalogs: Catalogs, lang: str) -> None:
    png = digest_chart(catalogs, network("named"), 30, lang)
    assert png.startswith(PNG_SIGNATURE) and _size(png)[0] == WIDTH_PX
