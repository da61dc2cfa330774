"""What every benchmark reports: figures beside their baseline (measured in the same run, or computed, as the
broadcast's bound N / limit), and whether the goal is met.

Each benchmark module (`python -m bench.NAME`) prints its own lines and, given `--json PATH`, writes its figures there;
`bench.suite` runs them all, prints one table and writes docs/PERFORMANCE.md.
"""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Figure:
    """One figure: ours, the baseline (if any: measured in the same run, or computed), their ratio, and the goal."""

    bench: str  # the benchmark's name, e.g. "throughput"
    name: str  # what was measured, e.g. "answers per second, end to end"
    unit: str  # "1/s", "ms", "s", "MiB"
    ours: float
    baseline: float | None = None
    baseline_name: str = ""  # what the baseline is, e.g. "bare PTB echo bot"
    ratio: float | None = None  # ours / baseline, or the ratio the goal is about
    goal: str = ""  # in words, e.g. "≥ 0.7 × echo"; empty: no goal, a figure to read
    met: bool | None = None  # None: no goal; False also when the run behind the figure was incomplete (partners
    # stuck or failed, data that does not replay), whatever the number says
    note: str = ""


def ratio(ours: float, baseline: float | None) -> float | None:
    """ours / baseline, or None without a (non-zero) baseline."""
    return None if not baseline else ours / baseline


def write_figures(path: Path | None, figures: Sequence[Figure]) -> None:
    """Write the figures as JSON (nothing without a path)."""
    if path is not None:
        path.write_text(json.dumps([asdict(f) for f in figures], ensure_ascii=False, indent=1), encoding="utf-8")


def read_figures(path: Path) -> list[Figure]:
    """The figures a benchmark wrote."""
    return [Figure(**item) for item in json.loads(path.read_text(encoding="utf-8"))]


def number(value: float | None, unit: str = "") -> str:
    """A figure for a table: three significant digits at most, no unit."""
    if value is None:
        return "—"
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}" if unit != "count" else f"{value:.0f}"


def verdict(figure: Figure) -> str:
    """"met", "MISSED" or "" (no goal)."""
    return "" if figure.met is None else ("met" if figure.met else "MISSED")


def rows(figures: Sequence[Figure]) -> list[list[str]]:
    """Table rows: benchmark, figure, ours, baseline, ratio, goal, verdict."""
    return [[f.bench, f"{f.name} ({f.unit})" if f.unit else f.name, number(f.ours, f.unit),
             number(f.baseline, f.unit) + (f" {f.baseline_name}" if f.baseline_name and f.baseline is not None else ""),
             "—" if f.ratio is None else f"{f.ratio:.2f}", f.goal or "—", verdict(f)] for f in figures]


HEAD = ["benchmark", "figure", "ours", "baseline (same run)", "ratio", "goal", ""]


def text_table(figures: Sequence[Figure]) -> str:
    """A fixed-width table for the terminal."""
    body = [HEAD, *rows(figures)]
    widths = [max(len(row[i]) for row in body) for i in range(len(HEAD))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in body]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(figures: Sequence[Figure]) -> str:
    """The same table in Markdown."""
    body = rows(figures)
    lines = ["| " + " | ".join([*HEAD[:-1], "verdict"]) + " |", "|" + "---|" * len(HEAD)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in body]
    return "\n".join(lines)


def own_peak_kib() -> int:
    """This process's peak resident memory in KiB: VmHWM from /proc (Linux). Not ru_maxrss: Linux carries the
    forking parent's peak into a child's ru_maxrss, so a child of a large benchmark process would report that."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def machine() -> dict[str, Any]:
    """What this machine is: CPU model, cores, memory, OS, Python."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
                break
    except OSError:
        pass
    return {"cpu": model or "unknown", "cores": os.cpu_count() or 0, "memory": memory or "unknown",
            "os": f"{platform.system()} {platform.release()}", "python": platform.python_version()}
