"""The period report's layout on A4 (fpdf2): the document with its footer, and the pieces every section uses
(headings, paragraphs, tables, pictures, months and shares as the reader writes them). DejaVu Sans comes from
matplotlib's own fonts and is embedded: German characters and typographic quotes included, no download."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from babel.dates import format_date
from babel.numbers import format_percent
from fpdf import FPDF
from fpdf.fonts import FontFace

from bot.i18n import month_name

FONT = "DejaVu"
WIDTH = 180.0  # mm between the margins of an A4 page
LINE = 5.0
HEAD_FILL, TOTAL_FILL, MUTED = (232, 236, 242), (245, 245, 245), 110


def font_folder() -> Path:
    """matplotlib's own TrueType fonts (DejaVu Sans among them): there with matplotlib, no download."""
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


class ReportDocument(FPDF):
    """An A4 page with the network's name and the page number in the footer."""

    def __init__(self, footer: str, page_label: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text, self.page_label = footer, page_label
        folder = font_folder()
        # Two faces only: each parsed font holds ~11 MB while the document is made (the peak memory counts).
        for style, file in (("", "DejaVuSans.ttf"), ("B", "DejaVuSans-Bold.ttf")):
            self.add_font(FONT, style, str(folder / file))
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=18)

    def footer(self) -> None:
        """Network name on the left, "page x of y" on the right."""
        self.set_y(-13)
        self.set_font(FONT, "", 7.5)
        self.set_text_color(MUTED)
        self.cell(WIDTH / 2, 5, self.footer_text, align="L")
        self.cell(WIDTH / 2, 5, self.page_label.format(page=self.page_no(), pages="{nb}"), align="R")
        self.set_text_color(0)


def text(pdf: FPDF, words: str, size: float = 9.5, style: str = "", grey: bool = False, gap: float = 1.5) -> None:
    """A paragraph across the page, wrapped at words (never cut)."""
    pdf.set_font(FONT, style, size)
    pdf.set_text_color(MUTED if grey else 0)
    pdf.multi_cell(0, size * 0.5, words, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.ln(gap)


def heading(pdf: FPDF, words: str, level: int = 1) -> None:
    """A section heading (level 1) or a sub-heading (2), never alone at the foot of a page."""
    if pdf.get_y() > pdf.h - 60:
        pdf.add_page()
    pdf.ln(4 if level == 1 else 2)
    pdf.set_font(FONT, "B", 13 if level == 1 else 10.5)
    pdf.multi_cell(0, 7 if level == 1 else 5.5, words, align="L", new_x="LMARGIN", new_y="NEXT")
    if level == 1:
        pdf.set_draw_color(180)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + WIDTH, pdf.get_y())
    pdf.ln(2)


def table(pdf: FPDF, head: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float],
          aligns: Sequence[str], size: float = 8.5, total: bool = False) -> None:
    """A table with a heading row (repeated on a new page), cells wrapped at words; `total`: the last row bold."""
    pdf.set_font(FONT, "", size)
    style = FontFace(emphasis="BOLD", fill_color=HEAD_FILL)
    with pdf.table(col_widths=tuple(widths), width=sum(widths), align="LEFT", text_align=tuple(aligns),
                   headings_style=style, line_height=size * 0.5, borders_layout="HORIZONTAL_LINES",
                   padding=(1.0, 1.2, 1.0, 1.2)) as grid:
        grid.row(list(head))
        for index, cells in enumerate(rows):
            last = total and index == len(rows) - 1
            grid.row(list(cells), style=FontFace(emphasis="BOLD", fill_color=TOTAL_FILL) if last else None)
    pdf.ln(2.5)


def picture_height(png: bytes, width: float) -> float:
    """How tall a PNG stands at this width (mm)."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        return width * image.height / image.width


def picture(pdf: FPDF, png: bytes, width: float) -> None:
    """A PNG centred, on a new page when it does not fit on this one."""
    height = picture_height(png, width)
    if pdf.get_y() + height > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.image(io.BytesIO(png), x=pdf.l_margin + (WIDTH - width) / 2, w=width, h=height)
    pdf.ln(2)


def percent(part: int, whole: int, locale: str) -> str:
    """"83 %" (German) or "83%"; "–" of nothing."""
    return format_percent(part / whole, locale=locale) if whole else "–"


def short_month(period: str, locale: str) -> str:
    """"Jan. 27" (German) or "Jan 27" for "2027-01"."""
    year, month = (int(part) for part in period.split("-"))
    return format_date(date(year, month, 1), "MMM yy", locale=locale)


def period_text(first: str, last: str, locale: str) -> str:
    """"Januar 2027 – Dezember 2027", or one month."""
    return month_name(first, locale) if first == last else f"{month_name(first, locale)} – {month_name(last, locale)}"
