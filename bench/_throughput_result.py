"""What one throughput run measured (Run), a pair of runs (ours, then the echo bot under the same load) and the
report: the median of the paired ratios as the figure, every pair's ratio, the median pair's details.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from bench._figures import Figure, ratio, text_table

GOAL = 0.7


@dataclass
class Run:
    """What one run measured."""

    name: str
    wall: float = 0.0
    answers: int = 0
    updates: int = 0
    bot_cpu: float = 0.0
    bot_peak_mib: float = 0.0
    load_cpu: float = 0.0  # this process (server and partners) during the wave
    stuck: int = 0  # partners who did not get through: no prompt to tap, or no answer after their tries
    failures: list[str] = field(default_factory=list)  # partners whose task raised (the simulation's own errors)
    stuck_lines: list[str] = field(default_factory=list)  # why partners got stuck, where known
    requests: Counter[str] = field(default_factory=Counter)  # the bot's requests during the wave, by method

    def per_second(self, count: int) -> float:
        """count / wall."""
        return count / self.wall if self.wall else 0.0

    @property
    def incomplete(self) -> int:
        """Partners who did not get through this run: stuck or failed."""
        return self.stuck + len(self.failures)


@dataclass
class Pair:
    """One pair of runs: ours, then the echo bot with the same load."""

    number: int
    ours: Run
    echo: Run

    @property
    def rates(self) -> tuple[float, float]:
        """Answers per second: ours, and the echo bot's for the same number of updates."""
        return self.ours.per_second(self.ours.answers), self.echo.per_second(self.ours.answers)

    @property
    def ratio(self) -> float | None:
        """Ours over the echo bot (the echo bot's wave time over ours); None without a figure for the echo bot."""
        return ratio(*self.rates)


def median_pair(pairs: Sequence[Pair]) -> Pair:
    """The pair whose ratio is the median (for an even count the lower middle one; a pair without a ratio ranks low)."""
    ranked = sorted(pairs, key=lambda pair: pair.ratio if pair.ratio is not None else float("-inf"))
    return ranked[(len(ranked) - 1) // 2]


def report(pairs: Sequence[Pair]) -> tuple[str, list[Figure]]:
    """The lines to print and the suite's figure: the median of the paired ratios, with that pair's rates."""
    chosen = median_pair(pairs)
    ours, echo = chosen.ours, chosen.echo
    (mine, theirs), share = chosen.rates, chosen.ratio
    incomplete = sum(pair.ours.incomplete + pair.echo.incomplete for pair in pairs)
    ratios = ", ".join("—" if pair.ratio is None else f"{pair.ratio:.2f}" for pair in pairs)
    note = (f"median of {len(pairs)} paired ratios ({ratios}): pair {chosen.number}, {ours.answers} answers, "
            f"{ours.updates} updates; echo: the same updates"
            + (f"; {incomplete} partners stuck or failed over the {2 * len(pairs)} runs" if incomplete else ""))
    figure = Figure("throughput", "answers per second, end to end", "1/s", mine, theirs, "bare PTB echo bot", share,
                    f"≥ {GOAL} × echo", share is not None and share >= GOAL and not incomplete, note)
    lines = [text_table([figure]), ""]
    lines.append(f"ratio per pair (ours / echo, answers per second): {ratios}; the figure is pair {chosen.number}'s, "
                 f"the median" + (" (the lower middle one of an even count)" if len(pairs) % 2 == 0 else ""))
    for pair in pairs:
        for run in (pair.ours, pair.echo):
            if run.incomplete:
                lines.append(f"pair {pair.number}, {run.name}: {run.stuck} partners stuck, {len(run.failures)} "
                             f"failed")
                lines += [f"  {line}" for line in [*run.failures, *run.stuck_lines][:5]]
    lines.append(f"pair {chosen.number}:")
    for run in (ours, echo):
        lines.append(f"{run.name}: {run.updates} updates ({run.answers if run is ours else '—'} answers) in "
                     f"{run.wall:.2f} s = {run.per_second(run.updates):.0f} updates/s; bot CPU {run.bot_cpu:.1f} s "
                     f"({run.bot_cpu / run.wall if run.wall else 0:.0%} of a core), server and partners "
                     f"{run.load_cpu:.1f} s ({run.load_cpu / run.wall if run.wall else 0:.0%}); bot peak RSS "
                     f"{run.bot_peak_mib:.0f} MiB; partners stuck {run.stuck}, failed {len(run.failures)}")
        lines.append(f"  requests during the wave: {dict(run.requests.most_common())}")
    lines.append("A share near 100 % for the server and partners means they, not the bot, set the pace.")
    reasons = [f"{incomplete} partners stuck or failed over the runs"] if incomplete else []
    if share is None or share < GOAL:
        reasons.insert(0, f"ratio {'—' if share is None else f'{share:.2f}'} < {GOAL}")
    lines.append("GOAL MET" if figure.met else "GOAL MISSED: " + "; ".join(reasons))
    return "\n".join(lines), [figure]
