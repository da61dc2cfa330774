"""The digest's chart as a PNG, readable on a phone: the network's trend per success factor, then every factor's latest
state (each partner's level in a named network, how many rated it low, middle and high in an anonymous one, so that
one partner's collapse shows whatever the mean does), then the response rate."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable, Sequence
from typing import Any

from bot.core.chart_data import ChartData
from bot.core.digest.evidence import decimal, number
from bot.core.digest.names import factor_name
from bot.core.factor_levels import FactorState

Gettext = Callable[[str], str]
MonthOf = Callable[[str | None], str]

WIDTH_PX, HEIGHT_PX, DPI = 1000, 1600, 150
# Okabe-Ito, safe for colour-blind readers; 11 factors also differ by marker and line style.
COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#000000", "#999999", "#E69F00",
           "#56B4E9", "#009E73")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "h", "*", "<", ">")
STYLES = ("-", "-", "-", "-", "-", "-", "-", "--", "--", "--", "--")
# Levels 1-5 from vermillion (low) to blue (high): tells low from high without red and green.
LEVEL_COLOURS = {1: "#D55E00", 2: "#F4A582", 3: "#F7F7F7", 4: "#92C5DE", 5: "#2166AC"}
LOW, MIDDLE, HIGH, EMPTY = "#D55E00", "#CCCCCC", "#2166AC", "#EEEEEE"


def render_chart(data: ChartData, labels: Sequence[str], _: Gettext, month: MonthOf | None = None,
                 low_level: int = 2, lang: str = "de") -> bytes:
    """PNG bytes of a 1000×1600 px chart; `labels` name the rounds (e.g. short months), `month(period)` the round a
    factor was last measured in, `lang` how numbers are written. CPU-bound (~0.3 s): call it in a thread."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if len(labels) != len(data.periods):
        raise ValueError(f"{len(labels)} labels for {len(data.periods)} rounds")
    month_of: MonthOf = month or (lambda period: period or "")
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    trend, latest, rates = figure.subplots(3, 1, gridspec_kw={"height_ratios": [3, 5, 1.3]})
    _trend(trend, data, labels, _)
    if not data.latest:
        latest.set_axis_off()
    elif data.named:
        _grid(latest, data, month_of, _, low_level, lang)
    else:
        _distribution(latest, data, month_of, _, lang)
    _responses(rates, data, labels, _)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _trend(axes: Any, data: ChartData, labels: Sequence[str], _: Gettext) -> None:
    """The network's mean per factor over the rounds; each line ends in its factor's number."""
    positions = list(range(len(labels)))
    drawn = 0
    ends: list[tuple[int, float, int]] = []
    for factor, values in data.factors:
        points = [(x, value) for x, value in zip(positions, values, strict=True) if value is not None]
        if not points:
            continue
        index = factor - 1
        axes.plot([x for x, _value in points], [value for _x, value in points], linewidth=2.2, markersize=7,
                  marker=MARKERS[index % len(MARKERS)], linestyle=STYLES[index % len(STYLES)],
                  color=COLOURS[index % len(COLOURS)], markeredgecolor="white", markeredgewidth=0.8)
        ends.append((points[-1][0], points[-1][1], factor))
        drawn += 1
    for x, y, factor in _spread(ends):
        axes.text(x + 0.08, y, str(factor), va="center", fontsize=10, fontweight="bold",
                  color=COLOURS[(factor - 1) % len(COLOURS)])
    axes.set_title(_title(_("Network trend: mean per success factor (1 = low, 5 = high)")), fontsize=12)
    axes.set_ylim(0.8, 5.3)
    axes.set_yticks([1, 2, 3, 4, 5])
    axes.set_xticks(positions, list(labels), rotation=45 if len(positions) > 6 else 0,
                    ha="right" if len(positions) > 6 else "center")
    axes.set_xlim(-0.5, max(len(positions) - 1, 0) + 0.7)
    axes.tick_params(labelsize=11)
    axes.grid(True, alpha=0.3)
    if not drawn:
        axes.text(0.5, 0.5, _("No success factor was measured on a scale yet."), ha="center", va="center",
                  fontsize=12, transform=axes.transAxes)


def _spread(ends: list[tuple[int, float, int]], gap: float = 0.2) -> list[tuple[int, float, int]]:
    """The line ends' labels (x, y, factor), moved apart vertically where several end at the same x and nearly the
    same height, so that each number stays readable."""
    placed = []
    for x in sorted({x for x, _y, _factor in ends}):
        column = sorted((y, factor) for at, y, factor in ends if at == x)
        heights: list[float] = []
        for y, _factor in column:
            heights.append(max(y, heights[-1] + gap) if heights else y)
        shift = max(0.0, heights[-1] - 5.25) if heights else 0.0  # keep the top label inside the axes
        placed += [(x, height - shift, factor) for height, (_y, factor) in zip(heights, column, strict=True)]
    return placed


def _row_label(state: FactorState, month_of: MonthOf, _: Gettext) -> str:
    """"3 Visible benefit … (Apr.)": the factor's number, name and the round it was last measured in."""
    name = f"{state.factor} {factor_name(state.factor, _)}"
    when = f" ({month_of(state.period)})" if state.period else ""
    return textwrap.fill(name + when, 30)


def _grid(axes: Any, data: ChartData, month_of: MonthOf, _: Gettext, low_level: int, lang: str) -> None:
    """Named: a partner × factor grid of each partner's level where the factor was last measured; a level that fell
    by the network's drop since the partner's answer before shows both values and a heavy frame."""
    from matplotlib.patches import Rectangle

    partners = list(data.partners)
    states = list(data.latest)
    axes.set_xlim(-0.05, len(partners) + 0.05)  # room for a heavy frame at the edges
    axes.set_ylim(len(states) + 0.05, -0.05)
    for row, state in enumerate(states):
        if state.shown != "named":  # never measured, too few answers, or measured in a round before names
            axes.add_patch(Rectangle((0, row), len(partners), 1, facecolor=EMPTY, edgecolor="white"))
            axes.text(len(partners) / 2, row + 0.5, _row_note(state, _, lang), ha="center", va="center",
                      fontsize=9, color="#333333")
            continue
        levels = dict(state.partners)
        dropped = {organisation: before for organisation, before, _after in state.dropped}
        for column, (organisation, _name) in enumerate(partners):
            level = levels.get(organisation)
            colour = LEVEL_COLOURS[max(1, min(5, round(level)))] if level is not None else EMPTY
            heavy = organisation in dropped
            axes.add_patch(Rectangle((column, row), 1, 1, facecolor=colour, edgecolor="black" if heavy else "white",
                                     linewidth=2.5 if heavy else 1.0))
            if level is None:
                continue
            text = f"{number(dropped[organisation], lang)}→{number(level, lang)}" if heavy else number(level, lang)
            axes.text(column + 0.5, row + 0.5, text, ha="center", va="center", fontsize=8 if heavy else 10,
                      fontweight="bold" if heavy or level <= low_level else "normal",
                      color="white" if level <= 1.5 or level >= 4.5 else "black")
    axes.set_yticks([row + 0.5 for row in range(len(states))],
                    [_row_label(state, month_of, _) for state in states], fontsize=8)
    axes.set_xticks([column + 0.5 for column in range(len(partners))],
                    [textwrap.shorten(name, 26, placeholder="…") for _org, name in partners], rotation=40,
                    ha="left", fontsize=8)
    axes.xaxis.tick_top()
    axes.tick_params(length=0)
    for side in axes.spines.values():
        side.set_visible(False)
    axes.set_title(_title(_("Each partner's latest level (framed: fell since the answer before)")), fontsize=12)


def _row_note(state: FactorState, _: Gettext, lang: str) -> str:
    """What a grid row says when it cannot show each partner: why not, or the anonymous round's counts."""
    if state.round_number is None:
        return _("not measured yet")
    if state.level is None:
        return _("too few answers")
    return _("anonymous round: mean {mean}; low {low} · middle {middle} · high {high}").format(
        mean=decimal(state.level, lang), low=state.low, middle=state.middle, high=state.high)


def _distribution(axes: Any, data: ChartData, month_of: MonthOf, _: Gettext, lang: str) -> None:
    """Anonymous: for each factor, how many partners rated it low, middle and high where it was last measured."""
    states = list(data.latest)
    rows = list(range(len(states)))
    for row, state in enumerate(states):
        if state.level is None:
            note = _("too few answers") if state.hidden else _("not measured yet")
            axes.text(0.02, row, note, va="center", fontsize=9, color="#555555")
            continue
        total = state.low + state.middle + state.high
        start = 0.0
        for count, colour in ((state.low, LOW), (state.middle, MIDDLE), (state.high, HIGH)):
            if count:
                share = count / total
                axes.barh(row, share, left=start, color=colour, height=0.7, edgecolor="white")
                axes.text(start + share / 2, row, str(count), ha="center", va="center", fontsize=10,
                          fontweight="bold", color="white" if colour != MIDDLE else "black")
                start += share
        fell = f"  ↓{state.fell}" if state.fell else ""  # partners whose level fell sharply: never only the mean
        axes.text(1.02, row, decimal(state.level, lang) + fell, va="center", fontsize=9,
                  fontweight="bold" if state.fell else "normal")
    axes.set_yticks(rows, [_row_label(state, month_of, _) for state in states], fontsize=8)
    axes.set_ylim(len(states) - 0.5, -0.5)
    axes.set_xlim(0, 1.2)
    axes.set_xticks([])
    for side in ("top", "right", "bottom"):
        axes.spines[side].set_visible(False)
    from matplotlib.patches import Patch

    handles = [Patch(color=LOW, label=_("low (1–2)")), Patch(color=MIDDLE, label=_("middle (3)")),
               Patch(color=HIGH, label=_("high (4–5)"))]
    axes.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, fontsize=9, frameon=False)
    axes.set_title(_title(_("How many partners rated each factor low, middle, high (on the right: the mean; ↓ how "
                            "many fell sharply)")), fontsize=12, pad=24)


def _title(text: str) -> str:
    """A panel title in lines that fit the phone-wide picture (the longer German words too, over a panel that
    leaves room for row labels on its left)."""
    return textwrap.fill(text, 48)


def _responses(axes: Any, data: ChartData, labels: Sequence[str], _: Gettext) -> None:
    positions = list(range(len(labels)))
    percents = [100 * answered / expected if expected else 0.0 for answered, expected in data.responses]
    bars = axes.bar(positions, percents, color="#0072B2", width=0.6)
    axes.bar_label(bars, labels=[f"{answered}/{expected}" if expected else "" for answered, expected in
                                 data.responses], fontsize=9 if len(positions) > 8 else 11, padding=2)
    axes.set_title(_("Response rate (%)"), fontsize=12)
    axes.set_ylim(0, 130)
    axes.set_yticks([0, 50, 100])
    axes.set_xticks(positions, list(labels), rotation=45 if len(positions) > 6 else 0,
                    ha="right" if len(positions) > 6 else "center")
    axes.tick_params(labelsize=10)
    pad = max(0.6, (4 - len(positions)) / 2)  # a single round's bar stays a bar, not a block
    axes.set_xlim(-pad, len(positions) - 1 + pad)
