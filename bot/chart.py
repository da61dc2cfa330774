"""The digest's chart as a PNG: success factors over the last rounds and the response rate, readable on a phone."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable, Sequence

from bot.core.digest import ChartData
from bot.core.digest_names import factor_name

Gettext = Callable[[str], str]

WIDTH_PX, HEIGHT_PX, DPI = 1000, 1200, 150
COLOURS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#1f78b4", "#b2182b",
           "#4d4d4d", "#17becf")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "h", "*")


def render_chart(data: ChartData, labels: Sequence[str], _: Gettext) -> bytes:
    """PNG bytes of a 1000×1200 px chart: one line per measured success factor over the rounds (x: `labels`, one per
    round, e.g. short month names) and the response rate as bars below. CPU-bound (~0.2 s): call it in a thread."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if len(labels) != len(data.periods):
        raise ValueError(f"{len(labels)} labels for {len(data.periods)} rounds")
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    levels, rates = figure.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    positions = list(range(len(labels)))
    for index, (factor, values) in enumerate(data.factors):
        points = [(x, value) for x, value in zip(positions, values, strict=True) if value is not None]
        if not points:
            continue
        label = textwrap.fill(factor_name(factor, _), 28)
        levels.plot([x for x, _value in points], [value for _x, value in points], label=label, linewidth=2.5,
                    markersize=7, marker=MARKERS[index % len(MARKERS)], color=COLOURS[index % len(COLOURS)])
    levels.set_title(_("Success factors (mean, 1 = low, 5 = high)"), fontsize=15)
    levels.set_ylim(0.8, 5.2)
    levels.set_yticks([1, 2, 3, 4, 5])
    levels.tick_params(labelsize=13)
    levels.grid(True, alpha=0.3)
    if levels.get_legend_handles_labels()[0]:
        figure.legend(loc="outside lower center", ncol=2, fontsize=12, frameon=False)
    else:
        levels.text(0.5, 0.5, _("No success factor was measured on a scale yet."), ha="center", va="center",
                    fontsize=13, transform=levels.transAxes)
    percents = [100 * answered / expected if expected else 0.0 for answered, expected in data.responses]
    bars = rates.bar(positions, percents, color="#1f78b4", width=0.6)
    rates.bar_label(bars, labels=[f"{answered}/{expected}" if expected else "" for answered, expected in
                                  data.responses], fontsize=10 if len(positions) > 8 else 12, padding=2)
    rates.set_title(_("Response rate (%)"), fontsize=15)
    rates.set_ylim(0, 125)
    rates.set_yticks([0, 50, 100])
    rates.set_xticks(positions, list(labels), rotation=45 if len(positions) > 6 else 0,
                     ha="right" if len(positions) > 6 else "center")
    rates.tick_params(labelsize=13)
    pad = max(0.6, (4 - len(positions)) / 2)  # a single round's bar stays a bar, not a block
    rates.set_xlim(-pad, len(positions) - 1 + pad)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
