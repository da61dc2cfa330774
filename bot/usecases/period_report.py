"""The period report (/report and `python -m bot report`): a network's closed rounds of up to a year gathered as
plain data (participation, success factors, signals, coaching steps, the last quarter's network map, the partners'
words, the questions asked), each part as bot.core.disclosure lets the outlet "report" show it; then the PDF."""

from __future__ import annotations

import gc
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlite_utils import Database

from bot.core.calendar import local
from bot.core.disclosure import Shown
from bot.core.history import History
from bot.core.network_map import NetworkMap, map_disclosure, network_map
from bot.core.period_report import (
    MAX_MONTHS,
    OUTLET,
    ActionLine,
    MapPart,
    PeriodContent,
    QuestionLine,
    ReportPages,
    default_period,
    month_count,
    parse_period,
    period_content,
    shift,
)
from bot.core.render import pick
from bot.core.script.model import Script
from bot.i18n import Catalogs, Gettext
from bot.render.export_files import slug
from bot.render.report_pdf import render_report
from bot.usecases.report import MONTHLY, round_signals
from bot.usecases.scripts import ScriptRegistry
from storage.coaching import actions_of
from storage.history import load_history
from storage.people import network_name
from storage.reports import network_thresholds
from storage.rounds import schedule_of

COACHING_SCRIPT, BY_WHEN = "coaching", "by_when"  # the coaching dialog's script and its step "by when"
Problem = Literal["", "format", "order", "too_long", "no_closed_round", "no_rounds_in_period", "no_network"]


@dataclass(frozen=True)
class PreparedReport:
    """A report ready to render (`pages`), or why there is none (`problem`) and the period asked for."""

    problem: Problem
    first: str = ""
    last: str = ""
    pages: ReportPages | None = None

    @property
    def filename(self) -> str:
        """netzpuls-<network slug>-<first>-<last>.pdf."""
        name = self.pages.network_name if self.pages else ""
        return f"netzpuls-{slug(name)}-{self.first}-{self.last}.pdf"


def choose_period(history: History, first: str | None, last: str | None) -> tuple[Problem, str, str]:
    """The period asked for ("2027-01", "2027-12"; one end missing: the year from or up to the other, within the
    closed rounds), by default the last MAX_MONTHS months up to the newest closed round; with a problem when a month
    is no month, the order is wrong or the period longer than MAX_MONTHS."""
    found = default_period(history)
    if first is None and last is None:
        return ("", *found) if found else ("no_closed_round", "", "")
    start, end = parse_period(first or "2000-01"), parse_period(last or "2000-01")
    if start is None or end is None:
        return "format", first or "", last or ""
    closed = [facts.period for facts in history.rounds if facts.closed]
    if first is None:  # the year up to `last`, from the first closed round on
        start = max(shift(end, 1 - MAX_MONTHS), min(closed, default=end))
    if last is None:  # the year from `first`, up to the newest closed round
        end = min(shift(start, MAX_MONTHS - 1), max(max(closed, default=start), start))
    if month_count(start, end) < 1:
        return "order", start, end
    if month_count(start, end) > MAX_MONTHS:
        return "too_long", start, end
    return "", start, end


def prepare_report(db: Database, scripts: ScriptRegistry, network_id: int, first: str | None, last: str | None,
                   locale: str, now: datetime) -> PreparedReport:
    """Everything the report shows, gathered from the database (fast; rendering it is `report_pdf`'s work)."""
    name = network_name(db, network_id)
    if name is None:
        return PreparedReport("no_network")
    history = load_history(db, network_id, scripts.version, network_thresholds(db, network_id))
    problem, start, end = choose_period(history, first, last)
    if problem:
        return PreparedReport(problem, start, end)
    signals = {facts.id: round_signals(history, facts.id, OUTLET) for facts in history.rounds
               if facts.closed and start <= facts.period <= end}
    content = period_content(history, start, end, signals)
    if not content.rounds:
        return PreparedReport("no_rounds_in_period", start, end)
    script = _monthly(scripts, network_id)
    pages = ReportPages(name, locale, local(schedule_of(db, network_id), now).date(), content,
                        _actions(db, scripts, network_id, history, content, locale), _questions(script, locale),
                        script.version if script else None, _question_texts(script, content, locale),
                        _map(history, content))
    return PreparedReport("", start, end, pages)


def problem_text(problem: Problem, first: str, last: str, _: Gettext) -> str:
    """Why there is no report, and how to ask for one."""
    usage = _("Send /report for the last 12 months, or /report 2027-01 2027-12 for a period of your choice "
              "(at most 12 months).")
    texts = {
        "format": _("Please write the months as year and month."),
        "order": _("The period must end after it begins ({first} to {last}).").format(first=first, last=last),
        "too_long": _("A report covers at most 12 months ({first} to {last} are more).").format(first=first,
                                                                                              last=last),
        "no_closed_round": _("There is no closed check-in round yet: the report shows closed rounds only."),
        "no_rounds_in_period": _("No check-in round closed from {first} to {last}.").format(first=first, last=last),
    }
    found = texts.get(problem, _("There is no report."))
    return found if problem == "no_closed_round" else f"{found}\n{usage}"


def report_pdf(pages: ReportPages, catalogs: Catalogs) -> bytes:
    """The report as a PDF (A4, fonts embedded) in its language. CPU-bound (charts, fonts; ~1 s): run it in a
    worker thread where an event loop waits."""
    pdf = render_report(pages, catalogs.gettext(pages.locale), catalogs.ngettext(pages.locale))
    # The document, its parsed fonts and the charts' figures leave ~20,000 objects in reference cycles (~20 MB):
    # freed now rather than whenever the collector next runs, so that reports one after another do not pile up.
    gc.collect()
    return pdf


def make_report(db: Database, scripts: ScriptRegistry, catalogs: Catalogs, network_id: int, first: str | None,
                last: str | None, locale: str, now: datetime) -> tuple[PreparedReport, bytes]:
    """Gather and render in one go (the command line); the PDF is b"" when there is a problem."""
    prepared = prepare_report(db, scripts, network_id, first, last, locale, now)
    return prepared, report_pdf(prepared.pages, catalogs) if prepared.pages else b""


def _monthly(scripts: ScriptRegistry, network_id: int) -> Script | None:
    try:
        return scripts.current(MONTHLY, network_id)
    except KeyError:
        return None


def _actions(db: Database, scripts: ScriptRegistry, network_id: int, history: History, content: PeriodContent,
             locale: str) -> tuple[ActionLine, ...]:
    """The coaching steps committed to after the period's rounds (or, without a round, within its months), oldest
    first; "by when" in the reader's words where the coaching script in use offers it as a choice."""
    periods = {facts.id: facts.period for facts in history.rounds}
    try:
        coaching: Script | None = scripts.current(COACHING_SCRIPT, network_id)
    except KeyError:
        coaching = None
    when = ({option.id: pick(option.text, locale) for option in coaching.step(BY_WHEN).options}
            if coaching and coaching.has_step(BY_WHEN) else {})
    lines = []
    for action in reversed(actions_of(db, network_id)):
        period = periods.get(action.round_id or 0) or action.created_at[:7]
        if content.first <= period <= content.last:
            lines.append(ActionLine(period, action.topic_label, action.what, when.get(action.due, action.due),
                                    action.outcome, action.outcome_note))
    return tuple(lines)


def _questions(script: Script | None, locale: str) -> tuple[QuestionLine, ...]:
    """The monthly script's questions that measure a success factor, with how often each is asked."""
    if script is None:
        return ()
    modules = {module.id: module for module in script.modules}
    lines = []
    for step in script.steps:
        if step.is_question and step.measures and step.factor is not None:
            module = modules.get(step.module or "")
            lines.append(QuestionLine(pick(step.text, locale), step.factor, module.every if module else 1,
                                      module.offset if module else 0))
    return tuple(lines)


def _question_texts(script: Script | None, content: PeriodContent, locale: str) -> dict[str, str]:
    """The question each quoted text answers (steps the script in use no longer has stay without one)."""
    steps = {line.step_id for line in content.quotes}
    return {step: pick(script.step(step).text, locale) for step in steps if script and script.has_step(step)}


def _map(history: History, content: PeriodContent) -> MapPart:
    """The network map of the quarter that ends with the period's last round, and what it may show."""
    network: NetworkMap = network_map(history, content.rounds[-1].round_id)
    shown: Shown = map_disclosure(history, network)
    return MapPart(network, shown)

