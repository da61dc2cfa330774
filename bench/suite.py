"""Every benchmark, one after another, each in a process of its own: one table of figures beside their baselines
(a measured baseline is measured in the same run; the broadcast bound is computed as N / limit), written to
docs/PERFORMANCE.md with the date and the machine. `bench/run` runs it.

    python -m bench.suite               # all, full size; writes docs/PERFORMANCE.md
    python -m bench.suite --quick       # all, small sizes; prints only (unless --write)
    python -m bench.suite --only digest startup
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bench._figures import Figure, machine, markdown_table, read_figures, text_table
from bot.config import PROJECT_ROOT

BENCHMARKS = ("throughput", "broadcast", "digest", "memory", "startup", "report")
REPORT = PROJECT_ROOT / "docs" / "PERFORMANCE.md"
BEGIN, END = "<!-- bench/run: generated, do not edit by hand -->", "<!-- bench/run: end of the generated part -->"
TITLE = "# Performance\n\n"


def run_one(name: str, quick: bool, folder: Path) -> tuple[list[Figure], str, float]:
    """Run one benchmark in its own process (its output shown as it comes); its figures, output and wall time."""
    target = folder / f"{name}.json"
    command = [sys.executable, "-m", f"bench.{name}", "--json", str(target)] + (["--quick"] if quick else [])
    print(f"\n=== {' '.join(['python', *command[1:3], *command[5:]])}", flush=True)
    began = time.monotonic()
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        print(line, end="", flush=True)
        lines.append(line)
    code = process.wait()
    wall = time.monotonic() - began
    if code != 0 or not target.exists():
        failed = Figure(name, "the benchmark did not finish", "", float("nan"), note=f"exit code {code}")
        return [failed], "".join(lines), wall
    return read_figures(target), "".join(lines), wall


def report(figures: Sequence[Figure], outputs: dict[str, tuple[str, float]], quick: bool, when: datetime) -> str:
    """The generated part of docs/PERFORMANCE.md."""
    box = machine()
    lines = [BEGIN, "",
             f"Measured {when:%Y-%m-%d %H:%M} UTC by `bench/run`{' --quick' if quick else ''} on {box['cpu']}, "
             f"{box['cores']} cores, {box['memory']}, {box['os']}, Python {box['python']}. Every baseline that is "
             f"measured was measured in the same run; the broadcast bound is computed as N / limit, and the digest's "
             f"one-network and chart figures have none. The goals are the issue's.", "",
             markdown_table(figures), ""]
    missed = [f for f in figures if f.met is False]
    lines.append("All goals met." if not missed else "Goals missed: " + "; ".join(f"{f.bench}: {f.name}"
                                                                                  for f in missed) + ".")
    notes = [f"- {f.bench}, {f.name}: {f.note}" for f in figures if f.note]
    if notes:
        lines += ["", "Notes:", "", *notes]
    lines += ["", "### What each benchmark printed", ""]
    for name, (output, wall) in outputs.items():
        lines += [f"<details><summary><code>python -m bench.{name}</code> ({wall:.0f} s)</summary>", "", "```",
                  output.rstrip(), "```", "", "</details>", ""]
    lines.append(END)
    return "\n".join(lines)


def write_report(generated: str, path: Path = REPORT) -> None:
    """Replace the generated part of the file (or start it), keeping what was written by hand around it."""
    old = path.read_text(encoding="utf-8") if path.exists() else TITLE
    if BEGIN in old and END in old:
        head, rest = old.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        new = head + generated + tail
    else:
        new = old.rstrip() + "\n\n" + generated + "\n"
    path.write_text(new, encoding="utf-8")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.suite", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (a few minutes less); prints only")
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, default=list(BENCHMARKS), metavar="NAME",
                        help=f"run only these: {', '.join(BENCHMARKS)}")
    parser.add_argument("--write", action="store_true", help="write docs/PERFORMANCE.md also after --quick or --only")
    parser.add_argument("--no-write", action="store_true", help="do not write docs/PERFORMANCE.md")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks, print the table, write the report; 1 if a benchmark crashed, else 0."""
    args = parse_args(argv)
    when = datetime.now(UTC)
    figures: list[Figure] = []
    outputs: dict[str, tuple[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="netzpuls-bench-") as tmp:
        for name in args.only:
            found, output, wall = run_one(name, args.quick, Path(tmp))
            figures += found
            outputs[name] = (output, wall)
    print("\n" + text_table(figures))
    complete = not args.quick and list(args.only) == list(BENCHMARKS)
    if not args.no_write and (complete or args.write):
        write_report(report(figures, outputs, args.quick, when))
        print(f"\nwritten to {REPORT.relative_to(PROJECT_ROOT)}")
    crashed = any(f.name == "the benchmark did not finish" for f in figures)
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
