"""What one broadcast run measured (Result), and how it is shown: the table, the details per run, the verdict and the
suite's figures (bench._figures).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bench._figures import Figure

GOAL_RATIO = 1.10


@dataclass
class Result:
    """What one scenario measured."""

    scenario: str
    driver: str
    n: int
    limit: float
    bound: float
    measured: float | None
    throttled: int
    duplicates: int
    missing: int
    peak_rss_kib: int  # the bot's process, its own VmHWM (the server's is server_rss_kib)
    queueing: float | None  # seconds from the first prompt queued until the queueing run_due returned
    first_send: float | None  # seconds from the first prompt queued until the server accepted the first send
    peak_per_second: int  # most sends the server accepted within any one-second window
    longest_pause: float | None  # the longest time between two sends the server accepted
    server_rss_kib: int  # the server process's peak, its own VmHWM
    bot_cpu: float | None  # the bot process's CPU seconds from the first prompt queued to the last one accepted
    server_cpu: float | None  # the server process's CPU seconds from the first send accepted to the last one
    server_busy_wall: float | None  # seconds from the first send accepted to the last one
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        """Measured time over the lower bound N / limit."""
        return None if self.measured is None else self.measured / self.bound


def _fmt(value: float | None, digits: int = 2) -> str:
    """A number with this many decimals, or a dash."""
    return "—" if value is None else f"{value:.{digits}f}"


def table(results: Sequence[Result]) -> str:
    """The results as a fixed-width table."""
    head = ("run", "N", "limit/s", "bound s", "measured s", "ratio", "429s", "dup", "missing", "bot RSS MiB",
            "server RSS MiB", "peak/1s")
    rows = [head] + [
        (r.scenario, str(r.n), f"{r.limit:g}", _fmt(r.bound), _fmt(r.measured), _fmt(r.ratio, 3), str(r.throttled),
         str(r.duplicates), str(r.missing), f"{r.peak_rss_kib / 1024:.0f}", f"{r.server_rss_kib / 1024:.0f}",
         str(r.peak_per_second))
        for r in results
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(cell.rjust(w) if i else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths,
                                                                                              strict=True)))
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def details(result: Result) -> str:
    """One line per run on where the time went."""
    sending = None if result.measured is None or result.first_send is None else result.measured - result.first_send
    rate = None if not sending else result.n / sending
    pause = None if result.longest_pause is None else result.longest_pause * 1000
    return (f"{result.scenario}: {result.driver}\n  queueing (first prompt queued → run_due returned) "
            f"{_fmt(result.queueing)} s; first send accepted after {_fmt(result.first_send)} s; sending "
            f"{_fmt(sending)} s = {_fmt(rate, 1)}/s; longest pause between accepted sends {_fmt(pause, 0)} ms\n"
            f"  CPU: bot process {_busy(result.bot_cpu, result.measured)} from the first prompt queued to the last "
            f"accepted; server process {_busy(result.server_cpu, result.server_busy_wall)} from the first send "
            f"accepted to the last\n  {result.extra}")


def _busy(cpu: float | None, wall: float | None) -> str:
    """CPU seconds over wall seconds, and the share of one core."""
    if cpu is None or not wall:
        return "—"
    return f"{cpu:.2f} s in {wall:.2f} s ({cpu / wall:.0%} of a core)"


def verdict(result: Result) -> str:
    """GOAL MET, or GOAL MISSED with the reasons."""
    reasons = []
    ratio = result.ratio
    if ratio is None:
        reasons.append("not every partner got a prompt before the timeout")
    elif ratio > GOAL_RATIO:
        reasons.append(f"ratio {ratio:.3f} > {GOAL_RATIO:.2f}")
    if result.throttled:
        reasons.append(f"{result.throttled} answers were 429")
    if result.duplicates:
        reasons.append(f"{result.duplicates} partners got more than one prompt")
    if result.missing:
        reasons.append(f"{result.missing} partners got no prompt")
    return "GOAL MET" if not reasons else "GOAL MISSED: " + "; ".join(reasons)


def figures(results: Sequence[Result]) -> list[Figure]:
    """The suite's figures: ours against the lower bound N / limit, and its 429s against the naive sender's."""
    ours = next((r for r in results if r.scenario == "ours"), None)
    naive = next((r for r in results if r.scenario == "baseline"), None)
    if ours is None:
        return []
    complete = ours.measured is not None and not ours.duplicates and not ours.missing
    naive_note = "" if naive is None or naive.measured is None else (
        f"naive sender: {naive.measured:.2f} s, ratio {naive.measured / naive.bound:.2f}, {naive.throttled} × 429")
    return [
        Figure("broadcast", f"time to prompt {ours.n:,} partners at {ours.limit:g}/s", "s",
               ours.measured if ours.measured is not None else float("nan"), ours.bound, "lower bound N/limit",
               ours.ratio, f"≤ {GOAL_RATIO:.2f} × bound", complete and (ours.ratio or 99) <= GOAL_RATIO,
               f"{ours.duplicates} duplicates, {ours.missing} missing; {naive_note}"),
        Figure("broadcast", f"429 answers while prompting at {ours.limit:g}/s", "count", float(ours.throttled),
               None if naive is None else float(naive.throttled), "naive sender", None, "0", ours.throttled == 0),
    ]
