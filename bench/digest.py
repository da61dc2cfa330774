"""Digest benchmark: risk signals and the coordinator's digest for every network, over months of stored answers.

The data (bench/_digest_data.py) is what the bot stores: networks, people, rounds, participants, check-ins and answers
in a SQLite file made by storage.db.open_db. For each network's newest closed round it runs the real code as
bot/jobs/reports.py does: load_history with the network's thresholds, round_signals (the rules, and how many rounds in a
row each signal has stood), and for each coordinator the German digest text (build_digest with the real catalogs and
tips, the labels of bot.usecases.report, each round's privacy). Baseline: one plain SQL aggregate over the same answers
table, in the same run. The chart is measured apart, without a goal.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from bench._digest_data import DIALOGS, generate
from bench._figures import Figure, machine, ratio, text_table, write_figures
from bot.config import PROJECT_ROOT
from bot.core import engine
from bot.core.context import CheckinContext
from bot.core.script.model import Script, Step, Value
from bot.i18n import Catalogs, compile_catalogs
from bot.usecases.report import digest_chart, digest_texts, round_signals
from bot.usecases.scripts import ScriptRegistry, load_tips
from storage.checkins import stored_value
from storage.context import checkin_context
from storage.db import open_db
from storage.history import load_history
from storage.people import coordinators_of
from storage.reports import network_thresholds

LOCALES = PROJECT_ROOT / "locales"
GOAL_MS, GOAL_RATIO = 50.0, 10.0
BASELINE_SQL = "SELECT network_id, round_id, step_id, AVG(value_num), COUNT(*) FROM answers GROUP BY 1, 2, 3"
EXTRA_INDEX = ("bench_answers_network_id", "answers(network_id, id)")  # tried with --extra-index, dropped after


@dataclass(frozen=True)
class Measured:
    """One way of running it: pass totals (s), per network the median of its passes (load, signals, digest in s),
    the baseline's runs (s), and the first pass (the warm-up)."""

    first: float
    totals: list[float]
    per_network: list[tuple[float, float, float]]
    baseline: list[float]

    def one(self) -> list[float]:
        """Per network, load + signals + digest in ms, sorted."""
        return sorted(1000 * sum(parts) for parts in self.per_network)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.digest", description=__doc__.splitlines()[0])
    parser.add_argument("--networks", type=int, default=500)
    parser.add_argument("--partners", type=int, default=20, help="partner organisations per network")
    parser.add_argument("--rounds", type=int, default=24, help="monthly rounds, all closed")
    parser.add_argument("--quick", action="store_true", help="50 networks × 20 partners × 12 rounds")
    parser.add_argument("--repeat", type=int, default=3, help="measured passes after the warm-up (median taken)")
    parser.add_argument("--charts", type=int, default=5, help="networks whose chart is rendered (after one warm-up)")
    parser.add_argument("--verify", type=int, default=200, help="stored check-ins replayed through the engine")
    parser.add_argument("--extra-index", action="store_true",
                        help=f"measure again with CREATE INDEX {EXTRA_INDEX[0]} ON {EXTRA_INDEX[1]} (this DB only)")
    parser.add_argument("--profile", action="store_true", help="cProfile one pass over all networks")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--keep", type=Path, help="keep the database in DIR (and reuse it when the sizes match)")
    args = parser.parse_args(argv)
    if args.quick:
        args.networks, args.partners, args.rounds = 50, 20, 12
    return args


def one_pass(db: Database, catalogs: Catalogs, scripts: ScriptRegistry, targets: list[tuple[int, int]],
             signals: Counter[str] | None = None) -> tuple[float, list[tuple[float, float, float]]]:
    """Every network once: the pass's total and each network's (load, signals, digest) seconds."""
    tips = load_tips(PROJECT_ROOT / "dialogs")
    times, begin = [], time.perf_counter()
    for network_id, round_id in targets:
        start = time.perf_counter()
        history = load_history(db, network_id, scripts.version, network_thresholds(db, network_id))
        loaded = time.perf_counter()
        found = round_signals(history, round_id)  # the rules, and for the tips how long each signal has stood
        found_at = time.perf_counter()
        for coordinator in coordinators_of(db, network_id):
            digest_texts(catalogs, scripts, tips, history, round_id, found, coordinator)
        times.append((loaded - start, found_at - loaded, time.perf_counter() - found_at))
        if signals is not None:
            signals.update([f"{one.severity} {one.rule}" for one in found] + ["networks"] + ["signals"] * len(found))
    return time.perf_counter() - begin, times


def scan(db: Database) -> float:
    """The baseline: one plain aggregate over the answers table, every row fetched; seconds."""
    start = time.perf_counter()
    db.execute(BASELINE_SQL).fetchall()
    return time.perf_counter() - start


def measure(db: Database, catalogs: Catalogs, scripts: ScriptRegistry, targets: list[tuple[int, int]], repeat: int,
            signals: Counter[str] | None = None) -> Measured:
    """A warm-up pass and scan, then `repeat` of each, alternating."""
    first, _ = one_pass(db, catalogs, scripts, targets, signals)
    scan(db)
    totals, passes, baseline = [], [], []
    for _ in range(repeat):
        total, times = one_pass(db, catalogs, scripts, targets)
        totals.append(total)
        passes.append(times)
        baseline.append(scan(db))
    per_network = [tuple(statistics.median(p[i][k] for p in passes) for k in range(3)) for i in range(len(targets))]
    return Measured(first, totals, per_network, baseline)  # type: ignore[arg-type]


def chart_times(db: Database, catalogs: Catalogs, scripts: ScriptRegistry, targets: list[tuple[int, int]],
                count: int) -> list[float]:
    """Seconds to render the digest's chart for `count` networks (usecases.report.digest_chart, one warm-up first)."""
    times = []
    for network_id, round_id in targets[: count + 1]:
        history = load_history(db, network_id, scripts.version, network_thresholds(db, network_id))
        start = time.perf_counter()
        digest_chart(catalogs, history, round_id, "de")
        times.append(time.perf_counter() - start)
    return times[1:]


def verify(db: Database, scripts: ScriptRegistry, count: int, rng: random.Random) -> tuple[int, int]:
    """Replay stored check-ins through engine.answer with storage.context's context: (checked, differing)."""
    ids = [row[0] for row in db.execute("SELECT id FROM checkins").fetchall()]
    wrong = 0
    for checkin_id in rng.sample(ids, min(count, len(ids))):
        member, round_id, script_id, version, stored, started = db.execute(
            "SELECT membership_id, round_id, script_id, script_version, state, started_at FROM checkins"
            " WHERE id = ?", [checkin_id]).fetchone()
        script = scripts.version(script_id, version)
        context = checkin_context(db, member, round_id, datetime.fromisoformat(started))
        state = engine.start(script, context)
        for step_id, raw in db.execute("SELECT step_id, value_json FROM answers WHERE checkin_id = ? AND revision = 0"
                                       " ORDER BY id", [checkin_id]).fetchall():
            state = _replay(script.step(step_id), state, stored_value(raw), context, script)
        revised = dict(state.answers) | {step: stored_value(raw) for step, raw in db.execute(
            "SELECT step_id, value_json FROM answers WHERE checkin_id = ? AND revision = 1", [checkin_id]).fetchall()}
        expected = engine.DialogState.from_json(stored)
        wrong += (state.current, state.path, list(revised.items())) != (expected.current, expected.path,
                                                                        list(expected.answers.items()))
    return min(count, len(ids)), wrong


def _replay(step: Step, state: engine.DialogState, value: Value, context: CheckinContext,
            script: Script) -> engine.DialogState:
    """The buttons or text that give `value`, applied through engine.answer."""
    if engine.ticks(step):
        for one in value if isinstance(value, tuple) else ():
            ticked = engine.answer(script, state, step.id, engine.Press(
                (engine.PARTNER_PREFIX if step.kind == "partners" else "") + one), context)
            assert isinstance(ticked, engine.Pending), ticked
            state = ticked.state
        given: engine.Input = engine.Press(engine.DONE)
    elif step.kind == "text":
        given = engine.Press(engine.SKIP) if value is None else engine.Typed(str(value))
    elif step.kind == "yes_no":
        given = engine.Press(engine.YES if value else engine.NO)
    else:
        given = engine.Press(str(value))
    outcome = engine.answer(script, state, step.id, given, context)
    assert isinstance(outcome, engine.Accepted), (step.id, value, outcome)
    return outcome.state


def figures(run: Measured, label: str = "", note: str = "", wrong: int = 0) -> list[Figure]:
    """The goal figures of one way of running it; missed whatever the times if `wrong` replayed check-ins differ from
    what is stored (the data is then not what the bot would have stored)."""
    one, total, base = run.one(), statistics.median(run.totals), statistics.median(run.baseline)
    median, p95 = statistics.median(one), one[min(len(one) - 1, round(0.95 * (len(one) - 1)))]
    if wrong:
        note = "; ".join(part for part in (note, f"{wrong} replayed check-ins differ from what is stored") if part)
    return [Figure("digest", f"one network: load + signals + digest, median{label}", "ms", median,
                   goal=f"< {GOAL_MS:.0f} ms", met=median < GOAL_MS and not wrong, note=note),
            # The goal is one network's digest: the typical one (median); the slow tail is shown beside it.
            Figure("digest", f"one network, p95{label}", "ms", p95),
            Figure("digest", f"one network, max{label}", "ms", one[-1]),
            Figure("digest", f"all networks: signals + digests{label}", "s", total, base, "plain SQL aggregate scan",
                   ratio(total, base), f"≤ {GOAL_RATIO:.0f} × scan", total <= GOAL_RATIO * base and not wrong, note)]


def details(run: Measured, count: int) -> None:
    """Where the time goes, per phase and per pass."""
    phases = [statistics.median(1000 * parts[k] for parts in run.per_network) for k in range(3)]
    print(f"  warm-up pass (first after opening the database) {run.first:.2f} s; measured passes "
          f"{', '.join(f'{t:.2f}' for t in run.totals)} s (median {statistics.median(run.totals):.2f}, best "
          f"{min(run.totals):.2f}) for {count} networks")
    print(f"  baseline scan runs {', '.join(f'{t:.3f}' for t in run.baseline)} s (median "
          f"{statistics.median(run.baseline):.3f}, best {min(run.baseline):.3f})")
    print(f"  one network, median per phase: load_history {phases[0]:.1f} ms, round_signals {phases[1]:.1f} ms, "
          f"digest text {phases[2]:.1f} ms")


def main(argv: Sequence[str] | None = None) -> int:
    """Generate (or reuse) the data, measure, print the table, write the figures."""
    args = parse_args(argv)
    size = f"{args.networks}x{args.partners}x{args.rounds}"
    folder = args.keep or Path(tempfile.mkdtemp(prefix="netzpuls-digest-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"digest-{size}-seed{args.seed}.db"
    try:
        if path.exists():
            print(f"reusing {path}")
        else:
            start, part = time.perf_counter(), path.with_name(path.name + ".part")  # kept only once complete
            part.unlink(missing_ok=True)
            db = open_db(part)
            made = generate(db, args.networks, args.partners, args.rounds, args.seed)
            took = time.perf_counter() - start
            problems = db.execute("PRAGMA foreign_key_check").fetchall()
            db.close()
            part.rename(path)
            print(f"generated {size} in {took:.1f} s: {made.memberships:,} memberships, {made.checkins:,} check-ins, "
                  f"{made.answers:,} answers ({made.paths} distinct paths walked with the engine); foreign key "
                  f"problems: {len(problems)}")
        print(f"database {path.stat().st_size / 2**20:.0f} MiB at {path}")
        return _run(args, path)
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


def _run(args: argparse.Namespace, path: Path) -> int:
    """Verify the data, measure, print the table and write the figures; the exit code."""
    compile_catalogs(LOCALES)
    catalogs, db = Catalogs(LOCALES), open_db(path)
    scripts = ScriptRegistry(db)
    scripts.load_directory(DIALOGS, datetime.now(UTC))  # as post_init does: nothing new to store here
    checked, wrong = verify(db, scripts, args.verify, random.Random(args.seed))
    print(f"replayed {checked} stored check-ins through engine.answer: {wrong} differ from what is stored")
    targets = [(int(r[0]), int(r[1])) for r in db.execute(
        "SELECT network_id, MAX(id) FROM rounds WHERE status = 'closed' GROUP BY network_id ORDER BY network_id")]
    print(f"indexes on answers: {', '.join(str(r[1]) for r in db.execute('PRAGMA index_list(answers)'))}")
    print(f"{len(targets)} networks, newest closed round each; a warm-up pass, then {args.repeat} measured passes "
          "(the OS page cache holds the file: warm cache); per network the median of its passes")
    signals: Counter[str] = Counter()
    run = measure(db, catalogs, scripts, targets, args.repeat, signals)
    print(f"signals: {signals['signals']} in {signals['networks']} networks; "
          + ", ".join(f"{name} {n}" for name, n in signals.most_common() if name not in ("signals", "networks")))
    details(run, len(targets))
    found = figures(run, wrong=wrong)
    charts = chart_times(db, catalogs, scripts, targets, args.charts)
    if charts:
        found.append(Figure("digest", f"chart render, one network (median of {len(charts)})", "ms",
                            1000 * statistics.median(charts), note="a worker thread in production; no goal"))
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(one_pass, db, catalogs, scripts, targets)
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(18)
        print("cProfile of one pass, by own time:\n" + "\n".join(line for line in out.getvalue().splitlines()
                                                            if line.strip() and "Ordered by" not in line))
    if args.extra_index:
        name, on = EXTRA_INDEX
        db.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {on}")
        try:
            print(f"with CREATE INDEX {name} ON {on} (on this database file only):")
            indexed = measure(db, catalogs, scripts, targets, args.repeat)
            details(indexed, len(targets))
            found += figures(indexed, f", + index {on}", "scratch index, not in storage/migrations.py", wrong)
        finally:
            db.execute(f"DROP INDEX IF EXISTS {name}")
    db.close()
    print(f"\n{machine()}; a busy machine makes every figure noisier\n{text_table(found)}")
    write_figures(args.json, found)
    return 0


if __name__ == "__main__":
    sys.exit(main())
