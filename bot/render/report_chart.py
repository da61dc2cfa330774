"""The period report's chart: the 11 success factors × the months, each cell the factor's mean that month (a
colour-blind safe scale from 1 to 5, the number written in it), hatched grey where the factor was asked but its mean
may not be shown, blank where it was not asked."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable, Sequence

from bot.core.period_report import FactorRow

WIDTH_IN, DPI = 7.4, 150
COLOURS = "cividis"  # blue to yellow: readable with every common colour vision deficiency, and in grey
HIDDEN_FACE, GRID = "#d9d9d9", "#ffffff"
LABEL_CHARS = 34


def render_heatmap(rows: Sequence[FactorRow], factor_names: Sequence[str], months: Sequence[str],
                   number: Callable[[float], str], scale_label: str, hidden_label: str,
                   not_asked_label: str) -> bytes:
    """PNG bytes of the factor × month heatmap; `factor_names` in the order of `rows`, `months` one label a column,
    `number` writes a mean as the reader does (3,4 in German)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import Normalize
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch, Rectangle

    columns = max(len(months), 1)
    height = 0.36 * len(rows) + 1.5
    figure = Figure(figsize=(WIDTH_IN, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    colours = matplotlib.colormaps[COLOURS]
    scale = Normalize(vmin=1, vmax=5)
    for y, row in enumerate(rows):
        for x, cell in enumerate(row.cells):
            if cell.state == "shown" and cell.mean is not None:
                face = colours(scale(cell.mean))
                axes.add_patch(Rectangle((x, y), 1, 1, facecolor=face, edgecolor=GRID, linewidth=1.5))
                dark = cell.mean < 3.2  # the lower half of cividis is dark blue: white numbers there
                axes.text(x + 0.5, y + 0.5, number(cell.mean), ha="center", va="center", fontsize=7,
                          color="white" if dark else "black")
            elif cell.state == "hidden":
                axes.add_patch(Rectangle((x, y), 1, 1, facecolor=HIDDEN_FACE, edgecolor=GRID, linewidth=1.5,
                                         hatch="////"))
            else:
                axes.add_patch(Rectangle((x, y), 1, 1, facecolor="white", edgecolor="#eeeeee", linewidth=0.8))
    axes.set_xlim(0, columns)
    axes.set_ylim(len(rows), 0)
    axes.set_xticks([x + 0.5 for x in range(len(months))], list(months), fontsize=7)
    axes.xaxis.tick_top()
    labels = ["\n".join(textwrap.wrap(name, LABEL_CHARS)) for name in factor_names]
    axes.set_yticks([y + 0.5 for y in range(len(rows))], labels, fontsize=7)
    axes.tick_params(length=0)
    for side in axes.spines.values():
        side.set_visible(False)
    mappable = matplotlib.cm.ScalarMappable(norm=scale, cmap=colours)
    bar = figure.colorbar(mappable, ax=axes, location="right", shrink=0.8, pad=0.02, aspect=25)
    bar.set_ticks([1, 2, 3, 4, 5])
    bar.ax.tick_params(labelsize=7)
    bar.set_label(scale_label, fontsize=7)
    figure.legend(handles=[Patch(facecolor=HIDDEN_FACE, hatch="////", edgecolor="#999999", label=hidden_label),
                           Patch(facecolor="white", edgecolor="#999999", label=not_asked_label)],
                  loc="outside lower center", ncol=2, fontsize=7, frameon=False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
