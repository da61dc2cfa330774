"""What the digest's chart and the export's factor sheet show, as plain data: each factor's mean per round (with how
many partners rated it low), each round's response, and the latest state of every factor (a partner × factor grid in
a named round, how many rated low, middle or high otherwise). What may be shown follows bot.core.disclosure. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from bot.core.disclosure import Outlet, Shown, round_disclosure
from bot.core.factor_levels import FACTORS, FactorState, factor_states, partner_levels, visible
from bot.core.history import History, RoundFacts, Thresholds

CHART_ROUNDS = 6  # rounds the digest's chart shows: half a year still reads at phone width


class TrendCell(NamedTuple):
    """One factor in one round of the network's trend: the mean and how many partners rated it low (mean None:
    nothing to show); `hidden`: measured, but too few answered to show anything."""

    mean: float | None
    low: int = 0
    hidden: bool = False


class GridCell(NamedTuple):
    """One partner's level of one factor where the factor was last measured (None: no answer, or names not to be
    shown); `before`: its level before when it fell by the network's drop; `low`: at or below the low level."""

    level: float | None
    before: float | None = None
    low: bool = False


class Distribution(NamedTuple):
    """One factor's latest state without names: the round it was measured in, how many rated it low, middle and
    high, the mean and how many partners' levels fell sharply (`mean` None: nothing to show, see `hidden`)."""

    factor: int
    period: str | None
    low: int
    middle: int
    high: int
    mean: float | None
    fell: int
    hidden: bool


@dataclass(frozen=True)
class ChartData:
    """The rounds' periods ("2027-01"), each measured factor's mean per round (None: not measured or not to be
    shown), each round's response (answered, expected), every factor's latest state (`latest`, all 11) and, where
    names may be shown, the partners of the grid (organisation id, name) in the order shown. `trend` holds all 11
    factors per round with how many rated low, `shown` what each round may show, `low_level` the network's low."""

    periods: tuple[str, ...]
    factors: tuple[tuple[int, tuple[float | None, ...]], ...]
    responses: tuple[tuple[int, int], ...]
    latest: tuple[FactorState, ...] = ()
    partners: tuple[tuple[int, str], ...] = ()
    trend: tuple[tuple[int, tuple[TrendCell, ...]], ...] = ()
    shown: tuple[Shown, ...] = ()
    low_level: int = Thresholds.low_level

    @property
    def named(self) -> bool:
        """Whether the chart shows a partner × factor grid (else how many rated low, middle and high)."""
        return bool(self.partners)

    @property
    def current(self) -> str | None:
        """The period of the round the chart is about (the last one shown)."""
        return self.periods[-1] if self.periods else None


def response_rate(history: History, round_id: int) -> tuple[int, int]:
    """(answered, expected): partners who finished their check-in while the round was open (the answers that count;
    a late one is listed apart), and all participants but the excused."""
    statuses = [p.status for p in history.participations if p.round_id == round_id]
    answered = sum(1 for status in statuses if status == "done")
    return answered, sum(1 for status in statuses if status != "excused")


def _trend_cells(history: History, facts: RoundFacts, outlet: Outlet) -> dict[int, TrendCell]:
    """The factors of one round as the outlet may see them (bot.core.factor_levels.visible); a round that may show
    nothing shows no factor at all, so that which ones got answers tells nothing."""
    if round_disclosure(history, facts.id, outlet) == "nothing":
        return {}
    low_level, cells = history.thresholds.low_level, {}
    for factor, levels in partner_levels(history, facts.id).items():
        if visible(history, facts, factor, outlet) == "nothing":
            cells[factor] = TrendCell(None, 0, True)
        else:
            cells[factor] = TrendCell(round(sum(levels.values()) / len(levels), 1),
                                      sum(1 for level in levels.values() if level <= low_level))
    return cells


def chart_data(history: History, round_id: int, *, rounds: int = 12, outlet: Outlet = "chart") -> ChartData:
    """The last `rounds` rounds up to this one for the chart (or the export: outlet "export")."""
    current = history.round(round_id)
    shown = sorted((facts for facts in history.rounds if facts.number <= current.number),
                   key=lambda facts: facts.number)[-max(rounds, 1):]
    cells = [_trend_cells(history, facts, outlet) for facts in shown]
    factors = sorted({factor for per_round in cells for factor, cell in per_round.items() if cell.mean is not None})
    series = tuple((factor, tuple(per_round[factor].mean if factor in per_round else None for per_round in cells))
                   for factor in factors)
    trend = tuple((factor, tuple(per_round.get(factor, TrendCell(None)) for per_round in cells)) for factor in FACTORS)
    latest = tuple(factor_states(history, round_id, outlet))
    partners: tuple[tuple[int, str], ...] = ()
    if any(state.shown == "named" for state in latest):
        names = {partner.organisation_id: partner.name for partner in history.partners}
        # every active partner, so that one who did not answer shows as a gap, and whoever answered
        graded = {organisation for state in latest for organisation, _level in state.partners}
        graded |= {partner.organisation_id for partner in history.partners if partner.active}
        partners = tuple(sorted(((organisation, names.get(organisation, f"#{organisation}"))
                                 for organisation in graded), key=lambda item: (item[1].casefold(), item[0])))
    return ChartData(tuple(facts.period for facts in shown), series,
                     tuple(response_rate(history, facts.id) for facts in shown), latest, partners, trend,
                     tuple(round_disclosure(history, facts.id, outlet) for facts in shown),
                     history.thresholds.low_level)


def partner_grid(data: ChartData) -> tuple[tuple[str, tuple[GridCell, ...]], ...]:
    """Named: each partner (name) with its level of every factor in `data.latest`'s order, where the factor was last
    measured; empty where names may not be shown."""
    if not data.named:
        return ()
    per_factor = [(dict(state.partners) if state.shown == "named" else {},
                   {organisation: before for organisation, before, _now in state.dropped}) for state in data.latest]
    rows = []
    for organisation, name in data.partners:
        row = []
        for levels, dropped in per_factor:
            level = levels.get(organisation)
            row.append(GridCell(level, dropped.get(organisation),
                                level is not None and level <= data.low_level))
        rows.append((name, tuple(row)))
    return tuple(rows)


def distribution(data: ChartData) -> tuple[Distribution, ...]:
    """Every factor's latest state without names: how many rated it low, middle and high (all 0 and mean None where
    it was never measured or too few answered)."""
    return tuple(Distribution(state.factor, state.period, state.low, state.middle, state.high, state.level,
                              state.fell, state.hidden) for state in data.latest)


__all__ = ["CHART_ROUNDS", "FACTORS", "ChartData", "Distribution", "GridCell", "TrendCell", "chart_data",
           "distribution", "partner_grid", "response_rate"]
