"""The period report's content as plain data: the closed rounds of some months, their participation (per round, and
per organisation where those rounds are named), every success factor's mean per round, the signals and the partners'
words, each as bot.core.disclosure lets the outlet "report" show it. Pure: reads a `History`, returns plain data."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from bot.core.chart_data import response_rate
from bot.core.disclosure import Outlet, Shown, round_disclosure, visible_signals
from bot.core.factor_levels import FACTORS, partner_levels, visible
from bot.core.history import History, Privacy, RoundFacts, Signal, sort_signals
from bot.core.network_map import NetworkMap
from bot.core.quotes import round_quotes

OUTLET: Outlet = "report"
MAX_MONTHS = 12  # a report covers at most a year: its tables have a column per month
_PERIOD = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
CellState = Literal["shown", "hidden", "not_asked"]


def parse_period(text: str) -> str | None:
    """"2027-01" as it is, or None for anything that is no month."""
    return text if _PERIOD.fullmatch(text.strip()) and text == text.strip() else None


def shift(period: str, months: int) -> str:
    """The month `months` after (or, negative, before) a period."""
    year, month = (int(part) for part in period.split("-"))
    index = year * 12 + month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_count(first: str, last: str) -> int:
    """How many months from `first` to `last`, both included (0 or less when `last` lies before `first`)."""
    (a_year, a_month), (b_year, b_month) = ((int(p) for p in period.split("-")) for period in (first, last))
    return (b_year - a_year) * 12 + b_month - a_month + 1


def default_period(history: History) -> tuple[str, str] | None:
    """The last MAX_MONTHS months up to the newest closed round, from the first closed round on where the network is
    younger; None without a closed round."""
    closed = [facts.period for facts in history.rounds if facts.closed]
    if not closed:
        return None
    last = max(closed)
    return max(shift(last, 1 - MAX_MONTHS), min(closed)), last


def rounds_in(history: History, first: str, last: str) -> tuple[RoundFacts, ...]:
    """The closed rounds whose month lies from `first` to `last`, oldest first (an open round is in no report)."""
    return tuple(sorted((facts for facts in history.rounds if facts.closed and first <= facts.period <= last),
                        key=lambda facts: facts.number))


@dataclass(frozen=True)
class RoundLine:
    """One round's participation: partners who answered while it was open, partners asked (all but the excused)."""

    round_id: int
    period: str
    answered: int
    asked: int
    privacy: Privacy


@dataclass(frozen=True)
class OrganisationLine:
    """One organisation's participation over the named rounds of the period."""

    name: str
    answered: int
    asked: int


@dataclass(frozen=True)
class FactorCell:
    """One success factor in one round: its mean ("shown"), asked but not to be shown ("hidden": too few answers),
    or not asked that round."""

    state: CellState
    mean: float | None = None
    answers: int = 0


@dataclass(frozen=True)
class FactorRow:
    """One success factor over the period's rounds, and its mean over every level shown (None: none shown)."""

    factor: int
    cells: tuple[FactorCell, ...]
    mean: float | None


@dataclass(frozen=True)
class SignalLine:
    """A signal raised in a round of the period; who it concerns is left out (the report may leave the network):
    the same rule's signals about single partners are one line, with how many partners they concern (0: the network
    as a whole)."""

    period: str
    signal: Signal
    partners: int


@dataclass(frozen=True)
class QuoteLine:
    """A partner's free text of a round, in full; `organisation` only where the round is named."""

    period: str
    step_id: str
    text: str
    organisation: str | None


@dataclass(frozen=True)
class PeriodContent:
    """What the report shows of the answers: rounds, participation, factors, signals and words."""

    first: str
    last: str
    rounds: tuple[RoundLine, ...]
    organisations: tuple[OrganisationLine, ...]  # empty unless some round of the period is named
    named_rounds: int
    factors: tuple[FactorRow, ...]
    signals: tuple[SignalLine, ...]
    quotes: tuple[QuoteLine, ...]

    @property
    def answered(self) -> int:
        """Check-ins answered in time over the period."""
        return sum(line.answered for line in self.rounds)

    @property
    def asked(self) -> int:
        """Check-ins asked for over the period."""
        return sum(line.asked for line in self.rounds)


def _asked(history: History, facts: RoundFacts) -> set[int]:
    """The success factors a round asked about (what its check-in could ask, and what its answers are about)."""
    answered = {answer.factor for answer in history.by_round.get(facts.id, ()) if answer.factor is not None}
    return answered | set(facts.asks)


def factor_rows(history: History, rounds: Sequence[RoundFacts]) -> tuple[FactorRow, ...]:
    """All 11 success factors, each with its mean per round where the report may show it (bot.core.factor_levels:
    a named round, or at least MIN_ANSWERING partners' levels of that factor)."""
    rows = []
    for factor in FACTORS:
        cells: list[FactorCell] = []
        shown_levels: list[float] = []
        for facts in rounds:
            levels = partner_levels(history, facts.id).get(factor, {})
            if levels and visible(history, facts, factor, OUTLET) != "nothing":
                cells.append(FactorCell("shown", round(sum(levels.values()) / len(levels), 1), len(levels)))
                shown_levels += levels.values()
            elif levels or (factor in _asked(history, facts) and round_disclosure(history, facts.id, OUTLET) ==
                            "nothing"):
                # too few levels to show; in a round that may show nothing every factor it asked is hidden alike,
                # as whether a factor got levels at all would tell how the few answered
                cells.append(FactorCell("hidden"))
            else:
                cells.append(FactorCell("not_asked"))
        mean = round(sum(shown_levels) / len(shown_levels), 1) if shown_levels else None
        rows.append(FactorRow(factor, tuple(cells), mean))
    return tuple(rows)


def organisation_lines(history: History, rounds: Sequence[RoundFacts]) -> tuple[OrganisationLine, ...]:
    """Per organisation, answered and asked over the named rounds (none when no round of the period is named)."""
    named = {facts.id for facts in rounds if round_disclosure(history, facts.id, OUTLET) == "named"}
    counts: dict[int, list[int]] = {}
    for one in history.participations:
        if one.round_id in named and one.status != "excused":
            tally = counts.setdefault(one.organisation_id, [0, 0])
            tally[0] += one.status == "done"
            tally[1] += 1
    names = {partner.organisation_id: partner.name for partner in history.partners}
    lines = [OrganisationLine(names.get(org, f"#{org}"), answered, asked) for org, (answered, asked) in counts.items()]
    return tuple(sorted(lines, key=lambda line: line.name.casefold()))


def signal_lines(history: History, rounds: Sequence[RoundFacts],
                 signals: Mapping[int, Sequence[Signal]]) -> tuple[SignalLine, ...]:
    """The signals of each round (given by round id) that the report may show, most severe first within a round."""
    lines = []
    for facts in rounds:
        shown = round_disclosure(history, facts.id, OUTLET)
        grouped: dict[tuple[str, int | None, str, bool], list[Signal]] = {}
        for signal in sort_signals(visible_signals(signals.get(facts.id, ()), shown)):
            grouped.setdefault((signal.rule, signal.risk, signal.severity, not signal.organisations), []).append(signal)
        for same in grouped.values():
            partners = {organisation for signal in same for organisation in signal.organisations}
            lines.append(SignalLine(facts.period, same[0], len(partners)))
    return tuple(lines)


def quote_lines(history: History, rounds: Sequence[RoundFacts]) -> tuple[QuoteLine, ...]:
    """The partners' free texts of each round as the report may show them (bot.core.quotes): whole, and by name
    only in a named round (in an anonymous one not even where the partner allowed it: the report may leave the
    network)."""
    names = {partner.organisation_id: partner.name for partner in history.partners}
    lines = []
    for facts in rounds:
        named = round_disclosure(history, facts.id, OUTLET) == "named"
        for quote in round_quotes(history, facts.id, OUTLET):
            if quote.kind != "text" or not isinstance(quote.value, str):
                continue
            whose = names.get(quote.organisation_id) if named and quote.organisation_id is not None else None
            lines.append(QuoteLine(facts.period, quote.step_id, quote.value, whose))
    return tuple(lines)


def period_content(history: History, first: str, last: str,
                   signals: Mapping[int, Sequence[Signal]]) -> PeriodContent:
    """The report's content for the closed rounds from `first` to `last`; `signals`: each round's signals (as
    bot.usecases.report.round_signals finds them for the outlet "report")."""
    rounds = rounds_in(history, first, last)
    lines = tuple(RoundLine(facts.id, facts.period, *response_rate(history, facts.id), facts.privacy)
                  for facts in rounds)
    named = sum(1 for facts in rounds if round_disclosure(history, facts.id, OUTLET) == "named")
    return PeriodContent(first, last, lines, organisation_lines(history, rounds), named,
                         factor_rows(history, rounds), signal_lines(history, rounds, signals),
                         quote_lines(history, rounds))


@dataclass(frozen=True)
class ActionLine:
    """A coaching step the coordinator committed to after a round of the period, and how it went (None: open)."""

    period: str
    topic: str
    what: str
    due: str
    outcome: str | None
    note: str | None


@dataclass(frozen=True)
class QuestionLine:
    """A question of the monthly script that measures a success factor, asked in rounds r with
    (r - 1) % every == offset (every 1: each month)."""

    text: str
    factor: int
    every: int
    offset: int


@dataclass(frozen=True)
class MapPart:
    """The network map of the quarter ending with the period's last round, and what it may show."""

    network: NetworkMap
    shown: Shown


@dataclass(frozen=True)
class ReportPages:
    """Everything the PDF shows, in the reader's language where it is text already (questions, topics)."""

    network_name: str
    locale: str
    made: date
    content: PeriodContent
    actions: tuple[ActionLine, ...] = ()
    questions: tuple[QuestionLine, ...] = ()
    script_version: int | None = None
    question_texts: dict[str, str] = field(default_factory=dict)  # step id → its question (for the quotes)
    map: MapPart | None = None
