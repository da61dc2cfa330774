"""What the digest's chart and the export's factor sheet show, as plain data: each factor's mean per round, each
round's response, and the latest state of every factor (a partner × factor grid in a named round, how many rated low,
middle or high otherwise). What may be shown follows bot.core.disclosure. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.disclosure import Outlet
from bot.core.factor_levels import FACTORS, FactorState, factor_states, partner_levels, visible
from bot.core.history import History, RoundFacts


@dataclass(frozen=True)
class ChartData:
    """The rounds' periods ("2027-01"), each measured factor's mean per round (None: not measured or not to be
    shown), each round's response (answered, expected), every factor's latest state (`latest`, all 11) and, where
    names may be shown, the partners of the grid (organisation id, name) in the order shown."""

    periods: tuple[str, ...]
    factors: tuple[tuple[int, tuple[float | None, ...]], ...]
    responses: tuple[tuple[int, int], ...]
    latest: tuple[FactorState, ...] = ()
    partners: tuple[tuple[int, str], ...] = ()

    @property
    def named(self) -> bool:
        """Whether the chart shows a partner × factor grid (else how many rated low, middle and high)."""
        return bool(self.partners)


def response_rate(history: History, round_id: int) -> tuple[int, int]:
    """(answered, expected): partners who finished their check-in while the round was open (the answers that count;
    a late one is listed apart), and all participants but the excused."""
    statuses = [p.status for p in history.participations if p.round_id == round_id]
    answered = sum(1 for status in statuses if status == "done")
    return answered, sum(1 for status in statuses if status != "excused")


def _shown_means(history: History, facts: RoundFacts, outlet: Outlet) -> dict[int, float]:
    """The factor means of one round that the outlet may see (bot.core.factor_levels.visible)."""
    return {factor: round(sum(levels.values()) / len(levels), 1)
            for factor, levels in partner_levels(history, facts.id).items()
            if visible(history, facts, factor, outlet) != "nothing"}


def chart_data(history: History, round_id: int, *, rounds: int = 12, outlet: Outlet = "chart") -> ChartData:
    """The last `rounds` rounds up to this one for the chart (or the export: outlet "export")."""
    current = history.round(round_id)
    shown = sorted((facts for facts in history.rounds if facts.number <= current.number),
                   key=lambda facts: facts.number)[-max(rounds, 1):]
    means = [_shown_means(history, facts, outlet) for facts in shown]
    factors = sorted({factor for per_round in means for factor in per_round})
    series = tuple((factor, tuple(per_round.get(factor) for per_round in means)) for factor in factors)
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
                     tuple(response_rate(history, facts.id) for facts in shown), latest, partners)


__all__ = ["FACTORS", "ChartData", "chart_data", "response_rate"]
