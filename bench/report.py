"""Period report benchmark: the PDF report (/report) of one network over 12 monthly rounds with 12 partners, its time
and the peak memory of the process that makes it, beside the digest of one round measured in the same run.

The data is bench/_digest_data.py's (what the bot stores, made by the real storage functions), one network, every
round named (the heavier report: participation by organisation, quotes by name). A child process, started on the
finished database, makes the digest of the newest round (load_history, signals, the German digest text and its chart)
(load_history, signals, the German digest text and its chart) 1 + `--repeat` times, and another child the report
(prepare_report + report_pdf: history, signals of every round, heatmap, network map, fonts, PDF) as often: the first
run of each is cold. Each child's own peak RSS (VmHWM) is its memory figure, the digest's the baseline.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bench._digest_data import generate
from bench._figures import Figure, own_peak_kib, ratio, text_table, write_figures
from bot.config import PROJECT_ROOT

GOAL_S, GOAL_MB = 5.0, 200.0
NOW = datetime(2027, 1, 20, 9, 0, tzinfo=UTC)  # after the last of 12 rounds from January 2026


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.report", description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=3, help="reports made after the first (median taken)")
    parser.add_argument("--quick", action="store_true", help="one report after the first")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--keep", type=Path, help="keep the database and the last PDF in this folder")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)  # the measuring process, on this database
    parser.add_argument("--what", choices=["digest", "report"], default="report", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def measure(db_path: Path, what: str, repeat: int, keep: Path | None) -> dict[str, object]:
    """In a child of its own: the digest's or the report's times (s), the first one cold, and this process's peak
    RSS (KiB)."""
    from bot.i18n import Catalogs
    from bot.usecases.period_report import prepare_report, report_pdf
    from bot.usecases.report import digest_chart, digest_texts, round_signals
    from bot.usecases.scripts import ScriptRegistry, load_tips
    from storage.db import open_db
    from storage.history import load_history
    from storage.people import coordinators_of
    from storage.reports import network_thresholds

    db = open_db(db_path)
    catalogs, scripts = Catalogs(PROJECT_ROOT / "locales"), ScriptRegistry(db)
    tips = load_tips(PROJECT_ROOT / "dialogs")
    network = int(db.execute("SELECT id FROM networks").fetchone()[0])
    [coordinator] = coordinators_of(db, network)
    made: dict[str, object] = {}

    def digest() -> None:
        history = load_history(db, network, scripts.version, network_thresholds(db, network))
        newest = history.rounds[-1].id
        digest_texts(catalogs, scripts, tips, history, newest, round_signals(history, newest), coordinator)
        digest_chart(catalogs, history, newest, "de")

    def report() -> None:
        prepared = prepare_report(db, scripts, network, None, None, "de", NOW)
        assert prepared.pages is not None, prepared.problem
        pdf = report_pdf(prepared.pages, catalogs)
        made.update(pages=pdf.count(b"/Type /Page\n"), bytes=len(pdf), rounds=len(prepared.pages.content.rounds))
        if keep is not None:
            (keep / "report.pdf").write_bytes(pdf)

    run = report if what == "report" else digest
    times = []
    for _ in range(repeat + 1):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return {"times": times, "peak_kib": own_peak_kib(), **made}


# The children may write bytecode (as the production image has it compiled): a shell that sets
# PYTHONDONTWRITEBYTECODE would otherwise make every cold run compile matplotlib, networkx and fpdf2 from source.
CHILD_ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
IMPORTS = "import bot.usecases.period_report, bot.render.report_pdf, matplotlib.pyplot, networkx, fpdf"


def child(db_path: Path, what: str, repeat: int, keep: Path | None) -> dict[str, object]:
    """Run `measure` in a fresh process, so that its peak memory is its own."""
    command = [sys.executable, "-m", "bench.report", "--child", str(db_path), "--what", what, "--repeat", str(repeat),
               *(["--keep", str(keep)] if keep else [])]
    result = subprocess.run(command, cwd=PROJECT_ROOT, check=True, capture_output=True, text=True, env=CHILD_ENV)
    found: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return found


def main(argv: Sequence[str] | None = None) -> int:
    """Generate the network, measure in a child process, print and write the figures."""
    args = parse_args(argv)
    if args.child is not None:
        print(json.dumps(measure(args.child, args.what, args.repeat, args.keep)))
        return 0
    repeat = 1 if args.quick else args.repeat
    with tempfile.TemporaryDirectory(prefix="netzpuls-report-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        db_path = folder / f"report-{args.partners}x{args.rounds}.db"
        db_path.unlink(missing_ok=True)
        from storage.db import open_db

        db = open_db(db_path)
        began = time.monotonic()
        generated = generate(db, 1, args.partners, args.rounds)
        with db.atomic():
            db.execute("UPDATE rounds SET privacy = 'named'")
        db.close()
        print(f"data: 1 network × {args.partners} partners × {args.rounds} rounds, {generated.answers} answers "
              f"({time.monotonic() - began:.1f} s)", flush=True)
        subprocess.run([sys.executable, "-c", IMPORTS], cwd=PROJECT_ROOT, check=True, env=CHILD_ENV)  # bytecode
        digest = child(db_path, "digest", repeat, None)
        report = child(db_path, "report", repeat, args.keep)
    figures = figures_of(report, digest)
    print(f"report: {report['rounds']} rounds, {report['pages']} pages, {report['bytes']} bytes in "
          f"{seconds(report)} s; the digest of one round in {seconds(digest)} s (each first run cold, each in a "
          "process of its own)")
    print("\n" + text_table(figures))
    write_figures(args.json, figures)
    return 0


def seconds(found: dict[str, object]) -> str:
    """A child's run times, "2.41, 1.87"."""
    return ", ".join(f"{float(s):.2f}" for s in found["times"])  # type: ignore[attr-defined]


def figures_of(report: dict[str, object], digest: dict[str, object]) -> list[Figure]:
    """The table's figures from the two children's measurements."""
    times = [float(s) for s in report["times"]]  # type: ignore[attr-defined]
    digests = [float(s) for s in digest["times"]]  # type: ignore[attr-defined]
    slowest, baseline = max(times), max(digests)
    peak = int(report["peak_kib"]) / 1024  # type: ignore[call-overload]
    digest_peak = int(digest["peak_kib"]) / 1024  # type: ignore[call-overload]
    return [
        Figure("report", "one network's report, 12 rounds × 12 partners (slowest run)", "s", slowest, baseline,
               "the digest of one round with its chart (slowest run)", ratio(slowest, baseline), f"< {GOAL_S:g} s",
               slowest < GOAL_S, note=f"first run {times[0]:.2f} s (fonts and charts cold), median of the rest "
                                      f"{statistics.median(times[1:] or times):.2f} s"),
        Figure("report", "peak RSS of a process making the report", "MiB", peak, digest_peak,
               "a process making the digest", ratio(peak, digest_peak), f"< {GOAL_MB:g} MB",
               peak * 1024 * 1024 < GOAL_MB * 1e6),
    ]


if __name__ == "__main__":
    sys.exit(main())
