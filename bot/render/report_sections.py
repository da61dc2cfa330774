"""The period report's later sections: signals and coaching steps, the network map, the partners' words, the
method note (bot/render/report_pdf.py lays out the rest)."""

from __future__ import annotations

from fpdf import FPDF

from bot.core.coaching import outcome_label
from bot.core.digest.names import factor_name, severity_name, signal_topic
from bot.core.disclosure import MIN_ANSWERING
from bot.core.network_map import map_summary, map_title
from bot.core.period_report import ReportPages
from bot.i18n import Gettext, Ngettext, month_name
from bot.render.network_picture import render_network_map
from bot.render.report_layout import FONT, heading, picture, picture_height, short_month, table, text

QUOTES = {"de": ("„", "“"), "en": ("“", "”")}
MAP_WIDTH = 120.0


def signals_and_steps(pdf: FPDF, pages: ReportPages, _: Gettext, ngettext: Ngettext) -> None:
    """The signals raised in the period (month, severity, what, risk and success factor, rule) and the coaching steps
    taken on them, with how each went."""
    content, locale = pages.content, pages.locale
    heading(pdf, _("3. Signals and what was done"))
    text(pdf, _("Signals are raised by fixed rules over the answers, along the risk factors of cooperation "
                "networks (Reis 2011). Whom a signal concerns is left out of this report."))
    if content.signals:
        rows = [[short_month(line.period, locale), severity_name(line.signal.severity, _),
                 signal_topic(line.signal, _), factor_name(line.signal.factor, _),
                 ngettext("{count} partner", "{count} partners", line.partners).format(count=line.partners)
                 if line.partners else _("the network"), line.signal.rule] for line in content.signals]
        table(pdf, [_("Month"), _("Severity"), _("Risk factor or topic"), _("Success factor"), _("Concerns"),
                    _("Rule")], rows, (15, 17, 50, 45, 22, 31), ("LEFT",) * 6, size=7.5)
    else:
        text(pdf, _("No signal was raised in the period."))
    heading(pdf, _("Coaching steps and how they went"), 2)
    if not pages.actions:
        text(pdf, _("No coaching step was agreed in the period."))
        return
    rows = [[short_month(action.period, locale), action.topic, action.what, action.due,
             outcome_label(action.outcome, _) + (f": {action.note}" if action.note else "")]
            for action in pages.actions]
    table(pdf, [_("Month"), _("Topic"), _("Step"), _("By when"), _("Outcome")], rows, (15, 35, 65, 25, 40),
          ("LEFT",) * 5, size=7.5)


def network_picture(pdf: FPDF, pages: ReportPages, _: Gettext, ngettext: Ngettext) -> None:
    """Who worked with whom in the quarter that ends with the period's last round: the map's text in full, and its
    picture where the map may show one."""
    part = pages.map
    if part is None:
        heading(pdf, _("4. Network map of the last quarter"))
        text(pdf, _("No network map for this period."))
        return
    network = part.network
    png = (render_network_map(network, map_title(network, pages.locale, _), _, part.shown)
           if part.shown != "nothing" and network.answered else b"")
    if png and pdf.get_y() + 40 + picture_height(png, MAP_WIDTH) > pdf.h - pdf.b_margin:
        pdf.add_page()  # the heading, the text and the picture together
    heading(pdf, _("4. Network map of the last quarter"))
    text(pdf, map_summary(network, part.shown, pages.locale, _, ngettext, limit=None))
    if png:
        picture(pdf, png, MAP_WIDTH)


def quotes(pdf: FPDF, pages: ReportPages, _: Gettext, ngettext: Ngettext) -> None:
    """The partners' free texts of the period, whole, by month; by organisation only in named rounds."""
    content, locale = pages.content, pages.locale
    heading(pdf, _("5. In the partners' words"))
    if not content.quotes:
        text(pdf, _("No free text can be shown for the period (none was written, or too few partners answered to "
                    "show one without telling whose it is)."))
        return
    text(pdf, _("Free texts as the partners wrote them, in full. In anonymous rounds without names and only where "
                "at least {minimum} organisations answered.").format(minimum=MIN_ANSWERING), grey=True)
    opening, closing = QUOTES.get(locale, QUOTES["en"])
    month, step = "", ""
    for line in content.quotes:
        if line.period != month:
            month, step = line.period, ""
            heading(pdf, month_name(month, locale), 2)
        question = pages.question_texts.get(line.step_id)
        if question and line.step_id != step:  # once for the texts that answer it in a row
            text(pdf, question, 7.5, grey=True, gap=0.3)
        step = line.step_id
        words = f"{opening}{line.text}{closing}"
        pdf.set_x(pdf.l_margin + 4)
        pdf.set_font(FONT, "", 9.5)
        lines = pdf.multi_cell(0, 4.8, words, align="L", dry_run=True, output="LINES")
        needed = 4.8 * (len(lines) if isinstance(lines, list) else 1) + (5 if line.organisation else 0)
        if pdf.get_y() + needed > pdf.h - pdf.b_margin and needed < pdf.h / 2:
            pdf.add_page()  # a quote stays together with whose it is
            pdf.set_x(pdf.l_margin + 4)
        pdf.multi_cell(0, 4.8, words, align="L", new_x="LMARGIN", new_y="NEXT")
        if line.organisation:
            pdf.set_x(pdf.l_margin + 4)
            text(pdf, f"– {line.organisation}", 8, grey=True, gap=0)
        pdf.ln(2)


def method_note(pdf: FPDF, pages: ReportPages, _: Gettext, ngettext: Ngettext) -> None:
    """Which questions were asked, the scale, the anonymity rule, and that late answers do not count."""
    heading(pdf, _("6. Method"))
    version = pages.script_version
    text(pdf, _("Each month the partner organisations answer a short check-in in Telegram (about two minutes). "
                "These questions of the monthly check-in (version {version}) measure the success factors:").format(
        version=version if version is not None else "–"))
    if pages.questions:
        rows = [[question.text, f"{question.factor}. {factor_name(question.factor, _)}", _rhythm(question.every,
                                                                                                  question.offset, _)]
                for question in pages.questions]
        table(pdf, [_("Question"), _("Success factor"), _("Asked")], rows, (95, 50, 35), ("LEFT",) * 3, size=7.5)
    notes = [
        _("Scale: every factor is rated from 1 (low) to 5 (high); where a question offers answers in words, each "
          "answer stands for a level. \"Don't know\" counts in no mean. A mean is taken over the organisations that "
          "answered that month."),
        _("Anonymity: in an anonymous round nothing derived from the answers is shown unless at least {minimum} "
          "organisations answered, and a factor's mean only where at least {minimum} organisations rated it; free "
          "texts are shown without names. Who took part is no answer; still, this report shows participation by "
          "organisation only for rounds with named results, as it may be read outside the network.").format(
            minimum=MIN_ANSWERING),
        _("Only check-ins finished while their round was open count. Answers given later are kept but count in no "
          "result, so a round's results never change afterwards. Rounds still open are not part of the report."),
        _("Follow-up questions (why a benefit is low, which agreement failed) and open questions are asked as "
          "needed; their free texts are quoted in section 5."),
    ]
    for note in notes:
        text(pdf, note, 8.5)


def _rhythm(every: int, offset: int, _: Gettext) -> str:
    """"every month", or "every 3 months (rounds 1, 4, 7, …)"."""
    if every <= 1:
        return _("every month")
    rounds = ", ".join(str(offset + 1 + every * step) for step in range(3))
    return _("every {every} months (rounds {rounds}, …)").format(every=every, rounds=rounds)
