"""Each of the 11 success factors as of a round: every partner's level, the network's mean, how many rated it low,
middle or high, the trend and the round it was last measured in. What an outlet may see of it follows
bot.core.disclosure: names only in a named round, aggregates over at least MIN_ANSWERING partners otherwise. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.core.disclosure import MIN_ANSWERING, Outlet, Shown, history_as_of, round_disclosure
from bot.core.history import BASELINE_ROUND, History, RoundFacts

Trend = Literal["up", "down", "flat", "new"]
FACTORS = tuple(range(1, 12))
TREND_STEP = 0.5  # a mean this much above or below the previous one is a trend
HIGH_LEVEL = 4  # a partner's level at or above this is high; at or below the network's low_level (2) it is low


@dataclass(frozen=True)
class FactorState:
    """One success factor as of a round, as one outlet may see it.

    `round_number`/`period`: the round it was last measured in, up to the round asked about (None: never yet);
    `level`: the mean over the partners' levels in that round (None: never measured, or too few answers to show);
    `answers`: how many partners gave a level then; `previous`: the means of earlier rounds in which it was measured
    and may be shown, oldest first, at most trend_rounds; `low`/`middle`/`high`: how many partners rated it so (0 when
    hidden); `partners`: (organisation, level) lowest first, only when the outlet may see names; `dropped`:
    organisations whose level fell by the network's `drop` or more since their answer before (named only), `fell`
    how many they are (also where names may not be shown).
    """

    factor: int
    round_number: int | None
    period: str | None
    level: float | None
    answers: int
    previous: tuple[float, ...]
    trend: Trend | None
    low: int = 0
    middle: int = 0
    high: int = 0
    partners: tuple[tuple[int, float], ...] = ()
    dropped: tuple[tuple[int, float, float], ...] = ()  # (organisation, before, now)
    shown: Shown = "nothing"
    fell: int = 0  # how many partners' levels fell by the network's drop or more (a count, shown in aggregates too)

    @property
    def hidden(self) -> bool:
        """Measured, but with too few answers to show."""
        return self.round_number is not None and self.level is None


def partner_levels(history: History, round_id: int) -> dict[int, dict[int, float]]:
    """Per success factor: each organisation's level in the round (the mean of its levelled answers to that factor)."""
    return history.levels.get(round_id, {})


def _mean(levels: dict[int, float]) -> float:
    return round(sum(levels.values()) / len(levels), 1)


def visible(history: History, facts: RoundFacts, factor: int, outlet: Outlet) -> Shown:
    """What the outlet may see of one factor in one round: the round's disclosure, and for aggregates at least
    MIN_ANSWERING partners' levels of this factor (a mean of two would tell each of them the other's answer)."""
    shown = round_disclosure(history, facts.id, outlet)
    count = len(partner_levels(history, facts.id).get(factor, {}))
    if shown == "aggregate" and count < MIN_ANSWERING:
        return "nothing"
    return shown


def _asked(history: History, round_id: int) -> set[int]:
    """The success factors a round asked about: all its check-in's questions could ask (whether the few answered a
    question, or skipped it, must not show either), and those its answers are about, levelled or not."""
    answered = {answer.factor for answer in history.by_round.get(round_id, ()) if answer.factor is not None}
    return answered | history.round(round_id).asks


def factor_states(history: History, round_id: int, outlet: Outlet) -> list[FactorState]:
    """All 11 success factors as of this round (each at the round it was last measured in), by number. A round that
    may show nothing hides every factor it asked, levelled or not: which ones got a level would tell how the few
    answered."""
    current = history.round(round_id)
    rounds = sorted((facts for facts in history.rounds if facts.number <= current.number), key=lambda r: r.number)
    hidden_now = _asked(history, round_id) if round_disclosure(history, round_id, outlet) == "nothing" else set()
    thresholds = history.thresholds
    states = []
    for factor in FACTORS:
        measured = [facts for facts in rounds if partner_levels(history, facts.id).get(factor)]
        if factor in hidden_now:
            states.append(FactorState(factor, current.number, current.period, None,
                                      len(partner_levels(history, round_id).get(factor, {})),
                                      _before(history, measured, factor, current.number, outlet), None))
            continue
        if not measured:
            states.append(FactorState(factor, None, None, None, 0, (), None))
            continue
        last = measured[-1]
        levels = partner_levels(history, last.id)[factor]
        shown = visible(history, last, factor, outlet)
        previous = _before(history, measured, factor, last.number, outlet)
        if shown == "nothing":
            states.append(FactorState(factor, last.number, last.period, None, len(levels), previous, None))
            continue
        mean = _mean(levels)
        trend: Trend = "new"
        if previous:
            change = round(mean - previous[-1], 1)
            trend = "up" if change >= TREND_STEP else "down" if change <= -TREND_STEP else "flat"
        low = sum(1 for level in levels.values() if level <= thresholds.low_level)
        high = sum(1 for level in levels.values() if level >= HIGH_LEVEL)
        named = shown == "named"
        partners = tuple(sorted(levels.items(), key=lambda item: (item[1], item[0]))) if named else ()
        dropped = _dropped(history_as_of(history, last.id, outlet), last.id, factor, thresholds.drop)
        states.append(FactorState(factor, last.number, last.period, mean, len(levels), previous, trend, low,
                                  len(levels) - low - high, high, partners, dropped if named else (), shown,
                                  len(dropped)))
    return states


def _before(history: History, measured: list[RoundFacts], factor: int, number: int,
            outlet: Outlet) -> tuple[float, ...]:
    """The means of the rounds before `number` that measured the factor and may be shown, at most trend_rounds."""
    found = [_mean(partner_levels(history, facts.id)[factor]) for facts in measured
             if facts.number < number and visible(history, facts, factor, outlet) != "nothing"]
    trend_rounds = history.thresholds.trend_rounds
    return tuple(found[-trend_rounds:]) if trend_rounds > 0 else ()


def _dropped(seen: History, round_id: int, factor: int, drop: int) -> tuple[tuple[int, float, float], ...]:
    """Organisations whose level in the round is at least `drop` below their own level before: their last earlier
    level the outlet may draw on (`seen`: bot.core.disclosure.history_as_of), the onboarding baseline included."""
    number = seen.round(round_id).number
    now = partner_levels(seen, round_id).get(factor, {})
    earlier = [BASELINE_ROUND, *(facts.id for facts in sorted(seen.rounds, key=lambda r: r.number)
                                 if facts.number < number)]
    found = []
    for organisation, level in sorted(now.items()):
        before = [partner_levels(seen, one).get(factor, {}).get(organisation) for one in earlier]
        known = [one for one in before if one is not None]
        if known and known[-1] - level >= drop:
            found.append((organisation, known[-1], level))
    return tuple(found)
