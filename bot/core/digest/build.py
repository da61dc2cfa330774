"""The coordinator's digest of a round and the partners' short result; pure, in one language. What may be shown of
the answers follows bot.core.disclosure; facts about taking part come from bot.core.participation."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from babel.core import UnknownLocaleError
from babel.dates import format_date

from bot.core.chart_data import response_rate
from bot.core.coaching import tip
from bot.core.digest.evidence import (
    AnswerLabel,
    ParamValue,
    QuestionLabel,
    Reader,
    decimal,
    evidence_line,
    kind,
    number,
    scrub,
)
from bot.core.digest.names import SEVERITY_MARKERS, factor_name, severity_name, signal_topic
from bot.core.digest.split import MESSAGE_LIMIT, split_messages
from bot.core.disclosure import Outlet, Shown, answering, round_disclosure, round_facts, visible_signals
from bot.core.factor_levels import FactorState, Trend, factor_states
from bot.core.history import History, Signal, sort_signals
from bot.core.participation import membership_changes
from bot.core.tips import Tips

Gettext = Callable[[str], str]
Ngettext = Callable[[str, str, int], str]
Note = Literal["none", "hidden", "no_answers"]

ARROWS: dict[Trend, str] = {"up": "↗", "down": "↘", "flat": "→", "new": ""}


@dataclass(frozen=True)
class SignalsView:
    """The signals an outlet shows of a round and what to say besides: "none" (nothing was found), "hidden" (fewer
    than three organisations answered: signs from the answers are not shown, so "no warning signs" would say how
    they answered), "no_answers" (nobody answered), or None (the signals say it all)."""

    signals: tuple[Signal, ...]
    note: Note | None
    shown: Shown


def signals_view(history: History, round_id: int, signals: Iterable[Signal], outlet: Outlet) -> SignalsView:
    """The one place that decides which signals an outlet shows and whether it says "hidden" or "none"."""
    shown = round_disclosure(history, round_id, outlet)
    visible = tuple(visible_signals(sort_signals(signals), shown))
    note: Note | None = None
    if shown == "nothing":
        note = "hidden" if answering(history, round_id) else "no_answers"
    elif not visible:
        note = "none"
    return SignalsView(visible, note, shown)


def _names(history: History, organisations: Iterable[int]) -> str:
    known = {partner.organisation_id: partner.name for partner in history.partners}
    return ", ".join(dict.fromkeys(known.get(org, f"#{org}") for org in organisations))


def _response_line(answered: int, expected: int, _: Gettext, ngettext: Ngettext) -> str:
    if expected == 0:
        return _("Nobody was asked to answer in this round.")
    return ngettext("{count} of {total} partners answered ({percent}%).",
                    "{count} of {total} partners answered ({percent}%).", answered).format(
        count=answered, total=expected, percent=round(100 * answered / expected))


def _participation_lines(history: History, round_id: int, _: Gettext) -> list[str]:
    """Who did not answer, answered late or paused, and whose contact person changed: always by organisation."""
    lines: list[str] = []
    by_status = {
        "missed": _("No answer from: {names}"),
        "pending": _("Not answered yet: {names}"),
        "late": _("Answered late (not counted): {names}"),
        "excused": _("Paused: {names}"),
    }
    for status, template in by_status.items():
        orgs = [p.organisation_id for p in history.participations if p.round_id == round_id and p.status == status]
        if orgs:
            lines.append(template.format(names=_names(history, orgs)))
    by_change = {
        "new_partner": _("Joined: {names}"),
        "contact_changed": _("New contact person: {names}"),
        "unreachable": _("Not reachable: {names}"),
        "left": _("Left the network: {names}"),
    }
    changes = membership_changes(history, round_id)
    for change, template in by_change.items():
        orgs = [organisation for organisation, kinds in changes.items() if change in kinds]
        if orgs:
            lines.append(template.format(names=_names(history, orgs)))
    return lines


def _factor_line(state: FactorState, history: History, current: int, reader: Reader) -> str:
    """One success factor: its level, when measured, its trend, and never only the mean: how many rated it low,
    middle and high, or (named) who rated it low and whose level dropped."""
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
    if state.previous:
        details.append(_("before: {previous}").format(previous=" · ".join(decimal(value, lang)
                                                                         for value in state.previous)))
    else:
        details.append(_("first measurement"))
    details.append(ngettext("{count} answer", "{count} answers", state.answers).format(count=state.answers))
    if state.shown == "named":
        low = [(organisation, level) for organisation, level in state.partners
               if level <= history.thresholds.low_level]
        if low:
            details.append(_("low: {partners}").format(partners=", ".join(
                f"{reader.name(organisation)} {number(level, lang)}" for organisation, level in low)))
        if state.dropped:
            details.append(_("dropped: {partners}").format(partners=", ".join(
                f"{reader.name(organisation)} {number(before, lang)} → {number(after, lang)}"
                for organisation, before, after in state.dropped)))
    else:
        details.append(_("low {low} · middle {middle} · high {high}").format(
            low=state.low, middle=state.middle, high=state.high))
        if state.fell:
            details.append(ngettext("{count} partner fell sharply", "{count} partners fell sharply",
                                    state.fell).format(count=state.fell))
    arrow = ARROWS[state.trend]
    level = f"{decimal(state.level, lang)} {arrow}".strip()
    return _("{factor}: {level} ({details})").format(factor=name, level=level, details="; ".join(details))


def _whom(signal: Signal, shown: Shown, history: History, _: Gettext) -> str:
    """Whom a signal concerns: names where the outlet may show who answered what and for facts about taking part,
    else only how many."""
    orgs = list(dict.fromkeys(signal.organisations))
    if not orgs:
        return _("the network")
    if shown == "named":
        return _names(history, orgs)
    named = [org for org in orgs if any(e.organisation_id == org and kind(e) == "membership" for e in signal.evidence)]
    rest = len(orgs) - len(named)
    if not named:
        return _("one partner") if rest == 1 else _("several partners")
    if not rest:
        return _names(history, named)
    template = _("{names} and one more partner") if rest == 1 else _("{names} and several more partners")
    return template.format(names=_names(history, named))


def _reader(history: History, lang: str, _: Gettext, ngettext: Ngettext, question: QuestionLabel | None,
            answer: AnswerLabel | None) -> Reader:
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


def short_month(period: str, lang: str) -> str:
    """"Feb." (German) or "Feb" (English) for "2027-02"; the period itself when it is no month."""
    try:
        year, month = (int(part) for part in period.split("-"))
        return format_date(date(year, month, 1), "MMM", locale=lang)
    except (ValueError, UnknownLocaleError):
        return period


def main_topic(signals: Iterable[Signal], _: Gettext) -> str | None:
    """The topic the coordinator takes up next: the risk factor of the most severe signal (None without signals)."""
    ordered = sort_signals(signals)
    return signal_topic(ordered[0], _) if ordered else None


def build_digest(history: History, round_id: int, signals: Sequence[Signal], tips: Tips, lang: str, _: Gettext,
                 ngettext: Ngettext, *, network_name: str, month: str, question_label: QuestionLabel | None = None,
                 answer_label: AnswerLabel | None = None, limit: int = MESSAGE_LIMIT,
                 outlet: Outlet = "digest") -> list[str]:
    """The coordinator's digest of a round as plain-text Telegram messages of at most `limit` UTF-16 units each;
    `question_label(step_id)` and `answer_label(step_id, value)` name questions and answers (default: the step's
    success factor and the raw value)."""
    reader = _reader(history, lang, _, ngettext, question_label, answer_label)
    current = round_facts(history, round_id).number
    head = [_("Netzpuls digest for {network}, {month}").format(network=network_name, month=month),
            _response_line(*response_rate(history, round_id), _, ngettext),
            *_participation_lines(history, round_id, _)]
    factors = [_("Success factors (mean, 1 = low, 5 = high):")]
    factors += [_factor_line(state, history, current, reader) for state in factor_states(history, round_id, outlet)]
    blocks: list[list[str]] = [head, factors]
    view = signals_view(history, round_id, signals, outlet)
    notes = {"hidden": _("Signs from the answers are not shown: fewer than 3 organisations answered."),
             "no_answers": _("No organisation answered in this round, so there are no signs from answers."),
             "none": _("No warning signs in this round.")}
    if view.note is not None:
        blocks.append([notes[view.note]])
    for index, signal in enumerate(view.signals):
        block = _signal_block(history, signal, view.shown, reader, tips)
        blocks.append([_("Signals, most urgent first:"), *block] if index == 0 else block)
    return split_messages(blocks, limit)


def signal_text(history: History, signal: Signal, tips: Tips, lang: str, _: Gettext, ngettext: Ngettext, *,
                question_label: QuestionLabel | None = None, answer_label: AnswerLabel | None = None,
                outlet: Outlet = "alert") -> str:
    """One signal as the digest shows it (severity, topic, whom, evidence, tip): the text of an urgent alert."""
    reader = _reader(history, lang, _, ngettext, question_label, answer_label)
    round_id = next(facts.id for facts in history.rounds if facts.number == signal.round_number)
    shown = round_disclosure(history, round_id, outlet)
    return "\n".join(_signal_block(history, signal, shown, reader, tips))


def _named_partner(signal: Signal, shown: Shown, reader: Reader) -> str | None:
    """The one organisation a signal is about, where the coordinator may know it (a named round, or a fact about
    taking part, which is always named); None otherwise."""
    if len(signal.organisations) != 1:
        return None
    [organisation] = signal.organisations
    if shown == "named" or any(e.organisation_id == organisation and kind(e) == "membership" for e in signal.evidence):
        return reader.name(organisation)
    return None


def _signal_block(history: History, signal: Signal, shown: Shown, reader: Reader, tips: Tips) -> list[str]:
    _ = reader._
    header = _("{severity}: {topic} – {whom}").format(
        severity=severity_name(signal.severity, _), topic=signal_topic(signal, _),
        whom=_whom(signal, shown, history, _))
    return [f"{SEVERITY_MARKERS[signal.severity]} {header}", evidence_line(signal, shown, reader),
            f"💡 {tip(signal, tips, reader.lang, _, _named_partner(signal, shown, reader))}"]


def partner_feedback(history: History, round_id: int, signals: Sequence[Signal], lang: str, _: Gettext,
                     ngettext: Ngettext, *, month: str | None = None) -> str:
    """The network's short result for the partners who took part: response rate, what went up or down and the topic
    the coordinator takes up, as far as the partners may see it (bot.core.disclosure, outlet "feedback": aggregates
    over at least three organisations, never a name or a free text)."""
    lines = [_("What the network learned in {month}").format(month=month) if month
             else _("What the network learned in this round"),
             _response_line(*response_rate(history, round_id), _, ngettext)]
    current = round_facts(history, round_id).number
    states = [state for state in factor_states(history, round_id, "feedback")
              if state.level is not None and state.round_number == current]

    def changes(trend: Trend) -> str:
        return ", ".join(f"{factor_name(state.factor, _)} ({decimal(state.previous[-1], lang)} → "
                         f"{decimal(state.level, lang)})"
                         for state in states if state.trend == trend and state.level is not None)

    if ups := changes("up"):
        lines.append(_("Went up: {factors}").format(factors=ups))
    if downs := changes("down"):
        lines.append(_("Went down: {factors}").format(factors=downs))
    if not ups and not downs and any(state.trend == "flat" for state in states):
        lines.append(_("No success factor changed noticeably."))
    view = signals_view(history, round_id, signals, "feedback")
    if view.note == "hidden":
        lines.append(_("Fewer than 3 organisations answered this time, so no results from the answers can be shown "
                       "without telling whose they are."))
    topic = main_topic(view.signals, _)
    if topic:
        names = {partner.organisation_id: partner.name for partner in history.partners}
        lines.append(_("The coordinator will take this up at the next meeting: {topic}").format(
            topic=scrub(topic, names)))
    lines.append(_("Thank you for taking part!"))
    return "\n".join(lines)
