"""The digest's chart as a PNG that reads on a phone (Telegram shows it about 400 px wide): on top every factor's
latest state (each partner's level in a named round, framed where it fell, with the value before → now; how many
rated it low, middle and high otherwise), below the network's mean per factor and month, each with how many partners
rated it low, so that one partner's collapse shows whatever the mean does, and the response per month.

Drawn as a table in pixels on one axes (no subplots, no layout engine): the picture's height follows its rows."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bot.core.chart_caption import short_factor_name
from bot.core.chart_data import ChartData, Distribution, GridCell, TrendCell, distribution, partner_grid
from bot.core.digest.evidence import decimal, number
from bot.core.factor_levels import HIGH_LEVEL

Gettext = Callable[[str], str]
MonthOf = Callable[[str | None], str]

WIDTH_PX, DPI = 1000, 100
PAD, LABEL_W = 24, 330  # outer margin; the column of names on the left
LEFT = PAD + LABEL_W + 12  # where the cells begin
RIGHT = WIDTH_PX - PAD
TITLE, TEXT, SMALL = 30, 24, 21  # font sizes in px; at 400 px wide SMALL is still 8.4 px
LINE = 29  # height of one TEXT line
WRAP = 24  # characters of TEXT per line in the label column
# Okabe-Ito vermillion for low, a blue for high, grey between: never red against green.
LOW, MIDDLE, HIGH, HIDDEN, RULE = "#D55E00", "#DDDDDD", "#8CC0E6", "#BBBBBB", "#FFFFFF"
INK, FAINT = "#1A1A1A", "#666666"
HATCH = "//"  # cells measured but not to be shown


@dataclass
class Sheet:
    """A display list in pixels, y downwards: boxes and texts, drawn at the end into a figure of the height used."""

    boxes: list[tuple[float, float, float, float, str, str, float, str]] = field(default_factory=list)
    texts: list[tuple[float, float, str, float, str, str, str, str]] = field(default_factory=list)
    y: float = PAD

    def box(self, x: float, y: float, w: float, h: float, face: str, edge: str = RULE, width: float = 1.5,
            hatch: str = "") -> None:
        """A filled rectangle, its edge `width` px wide."""
        self.boxes.append((x, y, w, h, face, edge, width, hatch))

    def text(self, x: float, y: float, text: str, size: float = TEXT, bold: bool = False, colour: str = INK,
             ha: str = "left", va: str = "center") -> None:
        """A text at (x, y), `size` px high."""
        self.texts.append((x, y, text, size, "bold" if bold else "normal", colour, ha, va))

    def title(self, text: str) -> None:
        """A section's title across the picture."""
        lines = textwrap.wrap(text, 52)
        self.text(PAD, self.y, "\n".join(lines), TITLE, bold=True, va="top")
        self.y += len(lines) * TITLE * 1.25 + 10

    def note(self, text: str) -> None:
        """A line or two under a title that says how to read the section."""
        lines = textwrap.wrap(text, 70)
        self.text(PAD, self.y, "\n".join(lines), SMALL, colour="#444444", va="top")
        self.y += len(lines) * SMALL * 1.2 + 12

    def legend(self, items: Sequence[tuple[str, str, str, str]]) -> None:
        """One line of keys: (face, edge, text in the swatch, explanation), wrapped when the line is full; a key with
        the edge HIDDEN is hatched like the cells it explains."""
        x = float(PAD)
        for face, edge, inner, words in items:
            width = 30 + 0.56 * SMALL * len(words) + 26
            if x + width > RIGHT and x > PAD:
                x, self.y = PAD, self.y + LINE + 6
            self.box(x, self.y, 30, 26, face, edge, 3 if edge != face else 1, HATCH if edge == HIDDEN else "")
            if inner:
                colour = "white" if face == LOW else INK if face != "white" else "#BBBBBB"
                self.text(x + 15, self.y + 13, inner, SMALL, face != "white", colour, "center")
            self.text(x + 38, self.y + 13, words, SMALL, colour=INK)
            x += width
        self.y += LINE + 14

    def png(self) -> bytes:
        """The PNG of everything drawn, WIDTH_PX wide and as high as the sheet."""
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.collections import PatchCollection
        from matplotlib.figure import Figure
        from matplotlib.patches import Rectangle

        height = self.y + PAD
        figure = Figure(figsize=(WIDTH_PX / DPI, height / DPI), dpi=DPI)
        FigureCanvasAgg(figure)
        axes = figure.add_axes((0, 0, 1, 1))
        axes.set_xlim(0, WIDTH_PX)
        axes.set_ylim(height, 0)
        axes.set_axis_off()
        for hatch in sorted({box[7] for box in self.boxes}):
            boxes = sorted((box for box in self.boxes if box[7] == hatch), key=lambda box: box[6])  # frames on top
            patches = [Rectangle((x, y), w, h) for x, y, w, h, *_rest in boxes]
            axes.add_collection(PatchCollection(
                patches, facecolors=[box[4] for box in boxes], edgecolors=[box[5] for box in boxes],
                linewidths=[box[6] * 72 / DPI for box in boxes], hatch=hatch or None, zorder=2 if hatch else 1))
        for x, y, text, size, weight, colour, ha, va in self.texts:
            axes.text(x, y, text, fontsize=size * 72 / DPI, fontweight=weight, color=colour, ha=ha, va=va,
                      zorder=3, linespacing=1.1)
        buffer = io.BytesIO()
        # zlib level 3: a third faster than the default at the same size (a tall grid is 0.3 MB)
        figure.savefig(buffer, format="png", dpi=DPI, pil_kwargs={"compress_level": 3})
        return buffer.getvalue()


def render_chart(data: ChartData, labels: Sequence[str], _: Gettext, month: MonthOf | None = None,
                 lang: str = "de", title_month: str = "") -> bytes:
    """PNG bytes of the chart, 1000 px wide; `labels` name the rounds (short months), `month(period)` the round a
    factor was last measured in, `lang` how numbers are written, `title_month` the chart's round in its title ("März
    2027"; else its short month). CPU-bound (~0.2 s): call it in a thread."""
    if len(labels) != len(data.periods):
        raise ValueError(f"{len(labels)} labels for {len(data.periods)} rounds")
    month_of: MonthOf = month or (lambda period: period or "")
    sheet = Sheet()
    now = title_month or (month_of(data.current) if data.current else "")
    if data.named:
        _grid(sheet, data, month_of, _, lang, now)
    elif data.latest:
        _distribution(sheet, data, month_of, _, lang, now)
    _trend(sheet, data, labels, _, lang)
    return sheet.png()


def _level_colour(level: float, low_level: int) -> str:
    """Low, middle or high, as the legend and the anonymous distribution count them."""
    return LOW if level <= low_level else HIGH if level >= HIGH_LEVEL else MIDDLE


def label_lines(text: str, lines: int = 3) -> list[str]:
    """The text over at most `lines` lines of the label column, the last one cut only if it must be."""
    found = textwrap.wrap(text, WRAP, break_long_words=False) or [""]
    if len(found) > lines:
        found = [*found[: lines - 1], textwrap.shorten(" ".join(found[lines - 1:]), WRAP, placeholder="…")]
    return found


def _grid(sheet: Sheet, data: ChartData, month_of: MonthOf, _: Gettext, lang: str, now: str) -> None:
    """Named: a partner × factor grid, factors as numbered columns (their names are the rows below), each at the round
    it was last measured in (that month under its number when it is not the chart's)."""
    sheet.title(_("Each partner in {month}").format(month=now))
    sheet.note(_("Columns: success factors 1–11 (names below); a month under the number: last asked then."))
    low = data.low_level
    sheet.legend([(LOW, LOW, str(low), _("low (1–{low})").format(low=low)),
                  ("white", INK, "", _("fell: before→now")), (HIGH, HIGH, "4", _("high")),
                  ("white", "#CCCCCC", "–", _("no answer"))])
    width = (RIGHT - LEFT) / max(len(data.latest), 1)
    for column, state in enumerate(data.latest):
        x = LEFT + column * width + width / 2
        shown = state.shown == "named"
        sheet.text(x, sheet.y + 14, str(state.factor), TEXT, True, INK if shown else FAINT, "center")
        if shown and state.period != data.current:
            sheet.text(x, sheet.y + 42, month_of(state.period), SMALL - 1, colour=INK, ha="center")
    sheet.y += 64
    for name, row in partner_grid(data):
        lines = label_lines(name)
        height = max(len(lines) * LINE + 10, 50)
        alarming = any(cell.low or cell.before is not None for cell in row)  # whose name the eye should find
        sheet.text(LEFT - 12, sheet.y + height / 2, "\n".join(lines), TEXT, alarming, ha="right")
        for column, (state, cell) in enumerate(zip(data.latest, row, strict=True)):
            x = LEFT + column * width
            if state.shown == "named":
                _grid_cell(sheet, x, sheet.y, width, height, cell, low, lang)
            else:  # never measured (blank), or not to be shown by name (hatched; its mean stands below)
                sheet.box(x, sheet.y, width, height, "white", "#EEEEEE" if state.round_number is None else HIDDEN,
                          1.5, "" if state.round_number is None else HATCH)
        sheet.y += height
    sheet.y += 26


def _grid_cell(sheet: Sheet, x: float, y: float, w: float, h: float, cell: GridCell, low: int, lang: str) -> None:
    """One partner's level: coloured by low, middle, high; framed with before→now where it fell."""
    if cell.level is None:
        sheet.box(x, y, w, h, "white", "#E6E6E6")
        sheet.text(x + w / 2, y + h / 2, "–", SMALL, colour="#BBBBBB", ha="center")
        return
    face = _level_colour(cell.level, low)
    colour = "white" if face == LOW else INK
    if cell.before is None:
        sheet.box(x, y, w, h, face)
        sheet.text(x + w / 2, y + h / 2, number(cell.level, lang), TEXT, cell.low, colour, "center")
        return
    sheet.box(x + 3, y + 3, w - 6, h - 6, face, INK, 5)
    before, after = number(cell.before, lang), number(cell.level, lang)
    joined = f"{before}→{after}" if len(before) + len(after) <= 2 else f"{before}→\n{after}"
    sheet.text(x + w / 2, y + h / 2, joined, SMALL, True, colour, "center")


def _distribution(sheet: Sheet, data: ChartData, month_of: MonthOf, _: Gettext, lang: str, now: str) -> None:
    """Anonymous: for each factor, how many partners rated it low, middle and high where it was last measured."""
    sheet.title(_("How the partners rated each factor in {month}").format(month=now))
    sheet.note(_("How many partners rated it low, middle, high; a month in brackets: last asked then. On the right: "
                 "the mean, ↓ how many fell sharply."))
    low = data.low_level
    sheet.legend([(LOW, LOW, "", _("low (1–{low})").format(low=low)), (MIDDLE, MIDDLE, "", _("middle")),
                  (HIGH, HIGH, "", _("high ({high}–5)").format(high=HIGH_LEVEL))])
    bar_right = RIGHT - 120
    for one in distribution(data):
        label = f"{one.factor} {short_factor_name(one.factor, _)}"
        if one.period and one.period != data.current:
            label += f" ({month_of(one.period)})"
        lines = label_lines(label, 2)
        height = max(len(lines) * LINE + 10, 46)
        sheet.text(LEFT - 12, sheet.y + height / 2, "\n".join(lines), TEXT, ha="right")
        _bar(sheet, one, sheet.y + 4, height - 8, bar_right, _, lang)
        sheet.y += height
    sheet.y += 26


def _bar(sheet: Sheet, one: Distribution, y: float, h: float, bar_right: float, _: Gettext, lang: str) -> None:
    """One factor's stacked bar: low, middle, high with their counts; the mean and ↓ how many fell on its right."""
    total = one.low + one.middle + one.high
    if one.mean is None or not total:
        note = _("too few answers") if one.hidden else _("not measured yet")
        sheet.text(LEFT + 4, y + h / 2, note, TEXT, colour=FAINT)
        return
    x = float(LEFT)
    for count, face in ((one.low, LOW), (one.middle, MIDDLE), (one.high, HIGH)):
        if count:
            width = (bar_right - LEFT) * count / total
            sheet.box(x, y, width, h, face, "white", 2)
            sheet.text(x + width / 2, y + h / 2, str(count), TEXT, face == LOW, "white" if face == LOW else INK,
                       "center")
            x += width
    fell = f" ↓{one.fell}" if one.fell else ""
    sheet.text(bar_right + 12, y + h / 2, decimal(one.mean, lang) + fell, TEXT, bool(one.fell or one.low))


def _trend(sheet: Sheet, data: ChartData, labels: Sequence[str], _: Gettext, lang: str) -> None:
    """The network's mean per factor (rows) and month (columns): blank where not asked, grey where too few answered,
    an orange box with how many rated low; below, who answered each month."""
    sheet.title(_("Network: mean per month"))
    every = [cell for _factor, row in data.trend for cell in row]
    measured = any(cell.mean is not None for cell in every)
    keys = [(LOW, LOW, "1", _("partners rated low")), ("white", "#CCCCCC", "", _("not asked"))] if measured else []
    if "nothing" in data.shown or any(cell.hidden for cell in every):
        keys.append(("white", HIDDEN, "", _("too few answers")))
    if keys:
        sheet.legend(keys)
    width = min(120.0, (RIGHT - LEFT) / max(len(labels), 1))
    for column, label in enumerate(labels):
        sheet.text(LEFT + (column + 0.5) * width, sheet.y + 14, label, TEXT, True, ha="center")
    sheet.y += 36
    if not measured:
        sheet.text(PAD, sheet.y + 24, _("No success factor was measured on a scale yet."), TEXT, colour=FAINT)
        sheet.y += 60
    else:
        for factor, cells in data.trend:
            sheet.text(LEFT - 12, sheet.y + 23, f"{factor} {short_factor_name(factor, _)}", TEXT, ha="right")
            for column, cell in enumerate(cells):
                _trend_cell(sheet, LEFT + column * width, sheet.y, width, 46, cell,
                            data.shown[column] == "nothing" if data.shown else False, data.low_level, lang)
            sheet.y += 46
    sheet.y += 8
    sheet.text(LEFT - 12, sheet.y + 20, _("answered"), TEXT, ha="right")
    for column, (answered, expected) in enumerate(data.responses):
        text = f"{answered}/{expected}" if expected else "–"
        sheet.text(LEFT + (column + 0.5) * width, sheet.y + 20, text, TEXT, ha="center")
    sheet.y += 40


def _trend_cell(sheet: Sheet, x: float, y: float, w: float, h: float, cell: TrendCell, hidden: bool, low: int,
                lang: str) -> None:
    """One factor's mean in one month, with an orange box counting the partners who rated it low."""
    if hidden or cell.hidden:
        sheet.box(x, y, w, h, "white", HIDDEN, 1.5, HATCH)
        return
    if cell.mean is None:
        sheet.box(x, y, w, h, "white", "#EEEEEE")
        return
    face = _level_colour(cell.mean, low)
    sheet.box(x, y, w, h, face)
    centre = x + w / 2 - (16 if cell.low else 0)
    sheet.text(centre, y + h / 2, decimal(cell.mean, lang), TEXT, face == LOW, "white" if face == LOW else INK,
               "center")
    if cell.low:
        sheet.box(x + w - 36, y + 8, 30, h - 16, LOW, "white", 2)
        sheet.text(x + w - 21, y + h / 2, str(cell.low), SMALL, True, "white", "center")
