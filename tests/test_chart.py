"""The digest's chart: a phone-sized PNG of the network's trend, every factor's latest state (a partner × factor grid
when named, how many rated low, middle and high when anonymous) and the response rate."""

from __future__ import annotations

import struct

import pytest

from bot.core.chart_data import ChartData
from bot.core.factor_levels import FactorState
from bot.render.chart import render_chart

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def identity(text: str) -> str:
    return text


def _size(png: bytes) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk."""
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def _data(rounds: int) -> ChartData:
    periods = tuple(f"{2027 + month // 12}-{month % 12 + 1:02d}" for month in range(rounds))
    factors = (
        (2, tuple(round(1 + (month * 0.7) % 4, 1) for month in range(rounds))),
        (3, tuple(round(5 - (month * 0.3) % 4, 1) for month in range(rounds))),
        (7, tuple(3.0 if month % 3 == 1 else None for month in range(rounds))),  # a rotating question: gaps
        (9, tuple(None for _month in range(rounds))),  # hidden every round
    )
    latest = (FactorState(2, rounds, periods[-1], 3.5, 4, (3.0,), "up", 1, 1, 2, ((1, 2.0), (2, 3.0), (3, 4.0),
                                                                                (4, 5.0)), ((1, 5.0, 2.0),), "named"),
              FactorState(3, None, None, None, 0, (), None),
              FactorState(9, rounds, periods[-1], None, 2, (), None))
    return ChartData(periods, factors, tuple((month % 5, 4) for month in range(rounds)), latest,
                     ((1, "Jobcenter Musterstadt"), (2, "Jugendamt"), (3, "Kita Sonnenschein"), (4, "AWO")))


@pytest.mark.parametrize("rounds", [1, 12])
@pytest.mark.parametrize("named", [True, False])
def test_chart_is_a_phone_sized_png(rounds: int, named: bool) -> None:
    data = _data(rounds)
    if not named:
        data = ChartData(data.periods, data.factors, data.responses, data.latest)
    png = render_chart(data, [f"M{month}" for month in range(rounds)], identity)
    assert png.startswith(PNG_SIGNATURE)
    assert _size(png) == (1000, 1600)
    assert 10_000 < len(png) < 1_000_000


def test_chart_without_measured_factors_or_expected_answers() -> None:
    data = ChartData(("2027-01", "2027-02"), (), ((0, 0), (2, 3)))
    png = render_chart(data, ["Jan", "Feb"], identity)
    assert png.startswith(PNG_SIGNATURE)


def test_chart_needs_one_label_per_round() -> None:
    with pytest.raises(ValueError, match="labels"):
        render_chart(_data(3), ["Jan"], identity)
