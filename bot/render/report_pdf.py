"""The period report as a PDF (A4, fpdf2, fonts embedded): the title block, participation and the success factors
here, the later sections in bot/render/report_sections.py, the layout pieces in bot/render/report_layout.py."""

from __future__ import annotations

from collections.abc import Callable

from babel.dates import format_date
from fpdf import FPDF

from bot.core.digest.evidence import decimal
from bot.core.digest.names import factor_name
from bot.core.period_report import ReportPages
from bot.i18n import Gettext, Ngettext, month_name
from bot.render.report_chart import render_heatmap
from bot.render.report_layout import (
    FONT,
    WIDTH,
    ReportDocument,
    heading,
    percent,
    period_text,
    picture,
    picture_height,
    short_month,
    table,
    text,
)
from bot.render.report_sections import method_note, network_picture, quotes, signals_and_steps


def title_block(pdf: FPDF, pages: ReportPages, _: Gettext, ngettext: Ngettext) -> None:
    """Network, period, when made, how many rounds, and the period's figures at a glance."""
    content, locale = pages.content, pages.locale
    text(pdf, _("Netzpuls · report on the network's work"), 9, grey=True, gap=1)
    text(pdf, pages.network_name, 20, "B", gap=2)
    facts = [(_("Period"), period_text(content.first, content.last, locale)),
             (_("Made on"), format_date(pages.made, format="long", locale=locale)),
             (_("Check-in rounds"), str(len(content.rounds))),
             (_("Results"), _privacy_words(content.named_rounds, len(content.rounds), _))]
    for label, value in facts:
        pdf.set_font(FONT, "B", 9.5)
        pdf.cell(38, 6, label)
        pdf.set_font(FONT, "", 9.5)
        pdf.multi_cell(0, 6, value, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    glance = [_("Check-ins answered: {answered} of {asked} asked for ({share}).").format(
        answered=content.answered, asked=content.asked, share=percent(content.answered, content.asked, locale)),
        ngettext("{count} signal raised.", "{count} signals raised.", len(content.signals)).format(
            count=len(content.signals)),
        ngettext("{count} coaching step agreed.", "{count} coaching steps agreed.", len(pages.actions)).format(
            count=len(pages.actions)),
        ngettext("{count} free text quoted from the partners.", "{count} free texts quoted from the partners.",
                 len(content.quotes)).format(count=len(content.quotes))]
    text(pdf, "\n".join(glance), 9.5)


def _privacy_words(named: int, rounds: int, _: Gettext) -> str:
    if named == 0:
        return _("anonymous (nothing is shown by organisation)")
    if named == rounds:
        return _("named (the coordination sees who answered what)")
    return _("anonymous in some rounds, named in {named} of {rounds}").format(named=named, rounds=rounds)


def participation(pdf: FPDF, pages: ReportPages, _: Gettext, ngettext: Ngettext) -> None:
    """Per round answered / asked, and per organisation where the rounds are named."""
    content, locale = pages.content, pages.locale
    heading(pdf, _("1. Participation"))
    text(pdf, _("A check-in counts as answered when it was finished while its round was open."))
    rows = [[month_name(line.period, locale), str(line.answered), str(line.asked),
             percent(line.answered, line.asked, locale), _("named") if line.privacy == "named" else _("anonymous")]
            for line in content.rounds]
    rows.append([_("Total"), str(content.answered), str(content.asked),
                 percent(content.answered, content.asked, locale), ""])
    table(pdf, [_("Month"), _("Answered"), _("Asked"), _("Share"), _("Results")], rows, (50, 30, 30, 30, 40),
          ("LEFT", "RIGHT", "RIGHT", "RIGHT", "LEFT"), total=True)
    heading(pdf, _("Participation by organisation"), 2)
    if not content.organisations:
        text(pdf, _("The results of these rounds are anonymous: this report shows participation only as numbers, "
                    "not by organisation."))
        return
    text(pdf, _("Over the {count} rounds of the period with named results.").format(count=content.named_rounds))
    table(pdf, [_("Organisation"), _("Answered"), _("Asked"), _("Share")],
          [[line.name, str(line.answered), str(line.asked), percent(line.answered, line.asked, locale)]
           for line in content.organisations], (90, 30, 30, 30), ("LEFT", "RIGHT", "RIGHT", "RIGHT"))


def factors(pdf: FPDF, pages: ReportPages, _: Gettext, ngettext: Ngettext) -> None:
    """The 11 success factors: the heatmap of their monthly means, then the values as a table."""
    content, locale = pages.content, pages.locale
    names = [factor_name(row.factor, _) for row in content.factors]
    months = [short_month(line.period, locale) for line in content.rounds]
    png = render_heatmap(content.factors, [f"{row.factor}. {name}" for row, name in zip(content.factors, names,
                                                                                      strict=True)],
                         months, lambda value: decimal(value, locale), _("Mean (1 = low, 5 = high)"),
                         _("Asked, mean not shown (fewer than 3 answers)"), _("Not asked that month"))
    if pdf.get_y() + 35 + picture_height(png, WIDTH) > pdf.h - pdf.b_margin:
        pdf.add_page()  # the heading, its words and the chart together
    heading(pdf, _("2. Success factors"))
    text(pdf, _("Each partner rates the success factors on a scale from 1 (low) to 5 (high); the questions rotate, "
                "so most factors are asked every third month. A cell shows the mean of the partners' answers that "
                "month."))
    picture(pdf, png, WIDTH)
    text(pdf, _("–: asked, but the mean is not shown (fewer than 3 partners answered in an anonymous round). Empty: "
                "not asked that month. Ø: the mean of every answer shown in the period."), 7.5, grey=True)
    count = max(len(months), 1)
    month_width = min(12.0, (WIDTH - 50 - 11) / count)
    rows = [[f"{row.factor}. {name}",
             *("" if cell.state == "not_asked" else "–" if cell.mean is None else decimal(cell.mean, locale)
               for cell in row.cells),
             "" if row.mean is None else decimal(row.mean, locale)] for row, name in zip(content.factors, names,
                                                                                         strict=True)]
    table(pdf, [_("Success factor"), *months, "Ø"], rows, (50, *([month_width] * len(months)), 11),
          ("LEFT", *(["CENTER"] * len(months)), "CENTER"), size=7)


Section = Callable[[FPDF, ReportPages, Gettext, Ngettext], None]


def render_report(pages: ReportPages, _: Gettext, ngettext: Ngettext) -> bytes:
    """The whole report as PDF bytes."""
    content = pages.content
    pdf = ReportDocument(f"Netzpuls · {pages.network_name} · {period_text(content.first, content.last, pages.locale)}",
                         _("Page {page} of {pages}"))
    pdf.set_title(_("Report {network}").format(network=pages.network_name))
    pdf.set_author("Netzpuls")
    pdf.set_lang(pages.locale)
    pdf.add_page()
    title_block(pdf, pages, _, ngettext)
    sections: tuple[Section, ...] = (participation, factors, signals_and_steps, network_picture, quotes, method_note)
    for section in sections:
        section(pdf, pages, _, ngettext)
    return bytes(pdf.output())
