"""The digest's lines about taking part and about the success factors, and the reader who names things; plain text
(the digest escapes it for Telegram HTML)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from babel.core import UnknownLocaleError
from babel.dates import format_date

from bot.core.digest.evidence import AnswerLabel, ParamValue, QuestionLabel, Reader, decimal, kind, number
from bot.core.digest.names import factor_name
from bot.core.disclosure import Shown
from bot.core.factor_levels import FactorState, Trend
from bot.core.history import History, Signal
from bot.core.participation import membership_changes

Gettext = Callable[[str], str]
Ngettext = Callable[[str, str, int], str]

# After the values, oldest first: rising, falling, about the same ("→" would read as "becomes").
ARROWS: dict[Trend, str] = {"up": "↗", "down": "↘", "flat": "≈", "new": ""}


def names_of(history: History, organisations: Iterable[int]) -> str:
    """The organisations' names, each once, in the order given."""
    known = {partner.organisation_id: partner.name for partner in history.partners}
    return ", ".join(dict.fromkeys(known.get(org, f"#{org}") for org in organisations))


def response_line(answered: int, expected: int, _: Gettext, ngettext: Ngettext) -> str:
    """"9 of 10 partners answered (90%)."; a round nobody was asked in says so."""
    if expected == 0:
        return _("Nobody was asked to answer in this round.")
    return ngettext("{count} of {total} partners answered ({percent}%).",
                    "{count} of {total} partners answered ({percent}%).", answered).format(
        count=answered, total=expected, percent=round(100 * answered / expected))


def participation_lines(history: History, round_id: int, _: Gettext) -> list[str]:
    """Who did not answer, answered late or was excused, and whose contact person changed: always by organisation."""
    lines: list[str] = []
    by_status = {
        "missed": _("No answer from: {names}"),
        "pending": _("Not answered yet: {names}"),
        "late": _("Answered late (not counted): {names}"),
        "excused": _("Excused (paused or sat this round out): {names}"),
    }
    for status, template in by_status.items():
        orgs = [p.organisation_id for p in history.participations if p.round_id == round_id and p.status == status]
        if orgs:
            lines.append(template.format(names=names_of(history, orgs)))
    by_change = {
        "new_partner": _("Joined: {names}"),
        "contact_changed": _("Contact person changed: {names}"),
        "stepped_down": _("Contact person no longer responsible, successor not joined yet: {names}"),
        "unreachable": _("Not reachable: {names}"),
        "left": _("Left the network: {names}"),
    }
    changes = membership_changes(history, round_id)
    for change, template in by_change.items():
        orgs = [organisation for organisation, kinds in changes.items() if change in kinds]
        if orgs:
            lines.append(template.format(names=names_of(history, orgs)))
    return lines


def trend_values(state: FactorState, lang: str) -> str:
    """A factor's trend as its values, oldest first, and an arrow for the direction: "4,2 · 4,2 · 3,9 ↘"."""
    if state.level is None:
        return ""
    values = " · ".join(decimal(value, lang) for value in (*state.previous, state.level))
    arrow = ARROWS[state.trend] if state.trend is not None and state.previous else ""
    return f"{values} {arrow}".strip()


def factor_line(state: FactorState, history: History, current: int, reader: Reader) -> str:
    """One success factor: its values over the last rounds (oldest first), when it was measured, and never only the
    mean: how many rated it low, middle and high, or (named) who rated it low and whose level dropped."""
    _, ngettext, lang = reader._, reader.ngettext, reader.lang
    name = factor_name(state.factor, _)
    if state.round_number is None:
        return _("{factor}: not measured yet").format(factor=name)
    when = reader.months.get(state.round_number, str(state.round_number))
    if state.level is None or state.trend is None:
        return _("{factor}: too few answers ({month})").format(factor=name, month=when)
    details = []
    if state.round_number != current:
        details.append(_("measured in {month}").format(month=when))
    if not state.previous:
        details.append(_("first measurement"))
    details.append(ngettext("{count} answer", "{count} answers", state.answers).format(count=state.answers))
    if state.shown == "named":
        low = [(organisation, level) for organisation, level in state.partners
               if level <= history.thresholds.low_level]
        if low:
            details.append(_("low: {partners}").format(partners=", ".join(
                f"{reader.name(organisation)} {number(level, lang)}" for organisation, level in low)))
        if state.dropped:
            details.append(_("fell: {partners}").format(partners=", ".join(
                _("{partner} from {before} to {after}").format(partner=reader.name(organisation),
                                                               before=number(before, lang), after=number(after, lang))
                for organisation, before, after in state.dropped)))
    else:
        details.append(_("low {low} · middle {middle} · high {high}").format(
            low=state.low, middle=state.middle, high=state.high))
        if state.fell:
            details.append(ngettext("{count} partner fell sharply", "{count} partners fell sharply",
                                    state.fell).format(count=state.fell))
    return _("{factor}: {values} ({details})").format(factor=name, values=trend_values(state, lang),
                                                      details="; ".join(details))


def whom(signal: Signal, shown: Shown, history: History, _: Gettext) -> str:
    """Whom a signal concerns: names where the outlet may show who answered what and for facts about taking part,
    else only how many."""
    orgs = list(dict.fromkeys(signal.organisations))
    if not orgs:
        return _("the network")
    if shown == "named":
        return names_of(history, orgs)
    named = [org for org in orgs if any(e.organisation_id == org and kind(e) == "membership" for e in signal.evidence)]
    rest = len(orgs) - len(named)
    if not named:
        return _("one partner") if rest == 1 else _("several partners")
    if not rest:
        return names_of(history, named)
    template = _("{names} and one more partner") if rest == 1 else _("{names} and several more partners")
    return template.format(names=names_of(history, named))


def short_month(period: str, lang: str) -> str:
    """"Feb." (German) or "Feb" (English) for "2027-02"; the period itself when it is no month."""
    try:
        year, month = (int(part) for part in period.split("-"))
        return format_date(date(year, month, 1), "MMM", locale=lang)
    except (ValueError, UnknownLocaleError):
        return period


def make_reader(history: History, lang: str, _: Gettext, ngettext: Ngettext, question: QuestionLabel | None,
                answer: AnswerLabel | None) -> Reader:
    """How a digest in this language names questions (default: the step's success factor), answers and rounds."""
    step_factors: dict[str, int] = {}
    for fact in history.answers:
        if fact.factor is not None:
            step_factors.setdefault(fact.step_id, fact.factor)

    def default_question(step: str) -> str:
        return factor_name(step_factors[step], _) if step in step_factors else step

    def default_answer(step: str, value: ParamValue) -> str:
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if value == "dont_know":
            return _("Don't know")
        if isinstance(value, float):
            return number(value, lang)
        return str(value).replace("_", " ")

    return Reader(lang, _, ngettext, {p.organisation_id: p.name for p in history.partners},
                  question or default_question, answer or default_answer,
                  {0: _("when joining"), **{facts.number: short_month(facts.period, lang) for facts in history.rounds}})
