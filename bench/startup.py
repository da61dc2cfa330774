"""Start-up benchmark: time from process start to the first getUpdates, `python -m bot run` against the bare PTB echo
bot, on an empty database (first start: migrations) and on one with 10,000 partners; where the time goes.

Each run spawns the child (t0 = time.monotonic() right before) against a LocalBotApi in this process, which notes the
monotonic time of every request; the child is stopped with SIGTERM once it polls. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench._figures import Figure, ratio, text_table, write_figures
from bench._soak_world import populate
from bench._spawn import ECHO, Child, FirstPoll, bot_env, echo_command, exit_on_sigterm, ours_command
from localapi.server import LocalBotApi

GOAL_SECONDS = 1.5
CASES = {"empty": "empty database (first start: migrations)", "full": "database with {n:,} partners"}
POLL_TIMEOUT = 30.0


@dataclass
class Run:
    """One start: which bot, which database, seconds from spawn to the first getUpdates, the requests before."""

    bot: str  # "ours" or "echo"
    case: str  # "empty", "full" or "" (echo)
    seconds: float
    requests: list[tuple[str, float]] = field(default_factory=list)  # (method, seconds after spawn)
    rss: int = 0  # VmRSS at the first poll, bytes
    started_at: float = 0.0  # time.monotonic() right before the spawn


class Timeline:
    """Every request's method and time.monotonic() at the server, for the child now running."""

    def __init__(self, api: LocalBotApi) -> None:
        self.events: list[tuple[str, float]] = []
        for name, handler in list(api.implemented.items()):
            api.implemented[name] = self._wrap(name, handler)

    def _wrap(self, name: str, handler: Any) -> Any:
        """The handler, wrapped to note its method and time before it runs."""
        async def noted(params: dict[str, Any]) -> Any:
            self.events.append((name, time.monotonic()))
            return await handler(params)
        return noted


async def start_once(api: LocalBotApi, poll: FirstPoll, timeline: Timeline, bot: str, case: str,
                     command: Sequence[str], env: dict[str, str], log: Path) -> Run:
    """Spawn, wait for the first getUpdates, stop with SIGTERM; the Run."""
    poll.reset()
    timeline.events.clear()
    child = Child(command, env, log)
    try:
        poll.pid = await child.start()
        await child.until(poll.event, POLL_TIMEOUT)
        assert poll.at is not None
        before = [(m, t - child.started_at) for m, t in timeline.events if t <= poll.at]
        run = Run(bot, case, poll.at - child.started_at, before, poll.memory.get("VmRSS", 0), child.started_at)
        if (code := await child.stop()) != 0:
            raise RuntimeError(f"{bot} ended with exit code {code} after SIGTERM; its log ends:\n{child.tail()}")
        return run
    finally:
        await child.kill()


def segments(requests: Sequence[tuple[str, float]]) -> str:
    """The requests before the first poll, consecutive ones of a method together: "getMe +0.81, setMyCommands×3
    +0.95–0.97, …"."""
    parts: list[str] = []
    grouped: list[list[Any]] = []
    for method, at in requests:
        if grouped and grouped[-1][0] == method:
            grouped[-1][2], grouped[-1][3] = at, grouped[-1][3] + 1
        else:
            grouped.append([method, at, at, 1])
    for method, first, last, count in grouped:
        parts.append(f"{method}{f'×{count}' if count > 1 else ''} +{first:.3f}"
                     + (f"–{last:.3f}" if count > 1 else ""))
    return ", ".join(parts) + " s"


def import_costs(log: Path, top: int = 12) -> tuple[float, list[tuple[str, float]], list[tuple[str, float]]]:
    """From `-X importtime` output: total ms; ms of own import work per top-level package; the project's modules
    (bot., storage.) below the entry points with the largest cumulative ms (what they pull in)."""
    total, own, project = 0.0, Counter[str](), list[tuple[str, float]]()
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative_us, name = line[len("import time:"):].split("|")
        module = name.strip()
        own[module.split(".")[0]] += int(self_us)
        if len(name) - len(name.lstrip()) == 1:  # a top-level import of the entry point
            total += int(cumulative_us) / 1000
        in_project = module.startswith(("bot.", "storage."))
        if in_project and module not in ("bot.cli.main", "bot.telegram.app", "bot.__main__"):
            project.append((module, int(cumulative_us) / 1000))
    packages = [(name, us / 1000) for name, us in own.most_common(top)]
    return total, packages, sorted(project, key=lambda item: -item[1])[:top]


def step_lines(path: Path, run: Run) -> list[str]:
    """The timed steps of a `bench._spawn steps` run, after the spawn, nested steps indented."""
    marks = sorted(((label, began or run.started_at, end) for label, began, end in
                    json.loads(path.read_text(encoding="utf-8"))), key=lambda m: (m[1], -m[2]))
    lines, open_ends, seen = [], list[float](), set()
    for label, began, end in marks:
        if end - began < 0.0005 and label in seen:  # e.g. Bot.initialize again: a no-op once initialised
            continue
        seen.add(label)
        while open_ends and began >= open_ends[-1]:
            open_ends.pop()
        lines.append(f"    +{began - run.started_at:6.3f} s  {end - began:6.3f} s  {'  ' * len(open_ends)}{label}")
        open_ends.append(end)
    return lines


async def measure(args: argparse.Namespace, folder: Path) -> tuple[list[Run], list[str]]:
    """The warm-up, the timed runs and the profiled runs; (timed runs, detail lines)."""
    lines: list[str] = []
    began = time.monotonic()
    full_db = folder / "full.db"
    populate(full_db, args.partners, 20, 1, datetime.now(UTC) - timedelta(days=40), random.Random(1))
    lines.append(f"populated {args.partners:,} partners (networks of 20 with a coordinator each) in "
                 f"{time.monotonic() - began:.1f} s")
    bytecode = None if args.as_checkout else folder / "pycache"  # the Docker image byte-compiles bot/ and storage/
    api = LocalBotApi()
    await api.start()
    poll, timeline = FirstPoll(api), Timeline(api)

    def env(db: Path) -> dict[str, str]:
        return bot_env(api, db, folder, bytecode=bytecode)

    async def once(bot: str, case: str, label: str, python: Sequence[str] = ()) -> Run:
        db = folder / f"empty-{label}.db" if case == "empty" else full_db
        command = ours_command(python=python) if bot == "ours" else echo_command(api, python=python)
        if bot == "steps":
            command = [sys.executable, "-m", "bench._spawn", "steps", str(folder / f"steps-{case}.json")]
        return await start_once(api, poll, timeline, bot, case, command, env(db), folder / f"{bot}-{label}.log")

    runs: list[Run] = []
    try:
        warm = [await once("ours", "empty", "warm"), await once("echo", "", "warm"), await once("ours", "full", "warm")]
        lines.append("warm-up (compiling every module into an empty bytecode cache; not counted): "
                     + ", ".join(f"{r.bot} {r.case or ''} {r.seconds:.2f} s".replace("  ", " ") for r in warm))
        for i in range(args.runs):
            for bot, case in (("ours", "empty"), ("echo", ""), ("ours", "full")):
                runs.append(await once(bot, case, str(i)))
        if not args.no_profile:
            lines += await explain(once, folder)
    finally:
        await api.stop()
    return runs, lines


async def explain(once: Any, folder: Path) -> list[str]:
    """One run of each bot under `-X importtime` and one of ours per database with its steps timed: where the time
    goes."""
    lines = ["", "where the time goes (one extra run each, slower than the timed runs):"]
    ours_it, echo_it = await once("ours", "full", "importtime", ["-X", "importtime"]), \
        await once("echo", "", "importtime", ["-X", "importtime"])
    ours_total, packages, project = import_costs(folder / "ours-importtime.log")
    echo_total, echo_packages, _ = import_costs(folder / "echo-importtime.log")
    lines.append(f"  imports (-X importtime): ours {ours_total:.0f} ms of {ours_it.seconds * 1000:.0f} ms to the "
                 f"first poll; echo {echo_total:.0f} ms of {echo_it.seconds * 1000:.0f} ms")
    lines.append("  ours, own import work by top-level package (ms): "
                 + ", ".join(f"{name} {ms:.0f}" for name, ms in packages))
    lines.append("  echo, the same: " + ", ".join(f"{name} {ms:.0f}" for name, ms in echo_packages[:6]))
    lines.append("  ours, project modules by what they import (cumulative ms): "
                 + ", ".join(f"{name} {ms:.0f}" for name, ms in project[:8]))
    for case in CASES:
        timed = await once("steps", case, f"steps-{case}")
        lines.append(f"  ours, {case} database, its steps timed (bench._spawn steps; {timed.seconds:.3f} s to the "
                     f"first poll): start after the spawn, wall time, step")
        lines += step_lines(folder / f"steps-{case}.json", timed)
    return lines


def summary(runs: Sequence[Run], bot: str, case: str) -> tuple[float, float, Run]:
    """Median and max seconds of these runs, and the median run."""
    chosen = sorted((r for r in runs if r.bot == bot and r.case == case), key=lambda r: r.seconds)
    return statistics.median(r.seconds for r in chosen), chosen[-1].seconds, chosen[(len(chosen) - 1) // 2]


def figures(runs: Sequence[Run], partners: int) -> tuple[list[Figure], list[str]]:
    """Median and max per database beside the echo bot's; detail lines with each median run's requests."""
    echo_median, echo_max, echo_run = summary(runs, "echo", "")
    result: list[Figure] = []
    lines = [f"echo (median run): {segments(echo_run.requests)}; RSS at the first poll "
             f"{echo_run.rss / 2**20:.1f} MiB"]
    for case, words in CASES.items():
        median, high, middle = summary(runs, "ours", case)
        name = words.format(n=partners)
        for kind, ours, base in (("median", median, echo_median), ("max", high, echo_max)):
            result.append(Figure(bench="startup", name=f"start → first getUpdates, {name}, {kind}", unit="s",
                                 ours=ours, baseline=base, baseline_name=ECHO, ratio=ratio(ours, base),
                                 goal=f"< {GOAL_SECONDS:g} s", met=ours < GOAL_SECONDS,
                                 note=f"{sum(1 for r in runs if r.case == case)} runs"))
        lines.append(f"ours, {case} (median run): {segments(middle.requests)}; RSS at the first poll "
                     f"{middle.rss / 2**20:.1f} MiB")
        lines.append(f"  all runs: {', '.join(f'{r.seconds:.2f}' for r in runs if r.case == case)} s")
    lines.append(f"echo all runs: {', '.join(f'{r.seconds:.2f}' for r in runs if r.bot == 'echo')} s")
    return result, lines


def main(argv: Sequence[str] | None = None) -> int:
    """Measure and print; 0 unless something crashed."""
    parser = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed starts per bot and database (default 5)")
    parser.add_argument("--partners", type=int, default=10_000, help="partners in the full database (10,000)")
    parser.add_argument("--as-checkout", action="store_true", help="use the bytecode of the checkout as it is (with "
                        "PYTHONDONTWRITEBYTECODE=1 modules without a .pyc are compiled at every start)")
    parser.add_argument("--no-profile", action="store_true", help="skip the -X importtime and timed-steps runs")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the figures there (bench._figures)")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="put the databases, logs and profiles there, kept")
    args = parser.parse_args(argv)
    exit_on_sigterm()
    began = time.monotonic()
    print(f"startup: {args.runs} runs each of ours (empty database, {args.partners:,} partners) and the echo bot, "
          f"alternating", flush=True)
    with tempfile.TemporaryDirectory(prefix="netzpuls-startup-") as tmp:  # on disk, as production's database is
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        runs, lines = asyncio.run(measure(args, folder))
    found, details = figures(runs, args.partners)
    print(text_table(found))
    print("\n".join(["", *details, *lines]))
    missed = [f.name for f in found if f.met is False]
    print(f"\n{'GOAL MISSED: ' + '; '.join(missed) if missed else 'GOAL MET'} (goal < {GOAL_SECONDS:g} s; "
          f"took {time.monotonic() - began:.0f} s)")
    write_figures(args.json, found)
    return 0


if __name__ == "__main__":
    sys.exit(main())
