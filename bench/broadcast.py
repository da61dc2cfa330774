"""Broadcast benchmark: N partners get their round prompt through a rate-limited local Bot API; time against N / limit.

Two runs, each in its own child process (so that each has its own peak RSS), each with the server in a grandchild:

- ours: the real Application (build_application + start_application) with Settings(send_rate=rate), a standing clock
  at the first Tuesday of January 2027, 09:00 in Berlin, so the first scheduler tick opens the round and queues every
  prompt; the outbox sender delivers them over HTTP to a LocalBotApi that enforces `rate` messages per second overall.
- baseline: the same prompts (queued by the same run_due), sent by a naive sender: Bot.send_message in an unpaced
  asyncio.gather with a concurrency cap, sleeping retry_after and trying again after a 429.

Both are timed from the first prompt queued until every partner has a prompt in the server. The server runs in a
process of its own (bench._server), as Telegram is remote in production: its CPU is not charged to the bot.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import io
import json
import logging
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from sqlite_utils import Database
from telegram import Bot, InlineKeyboardMarkup
from telegram.error import NetworkError, RetryAfter
from telegram.request import HTTPXRequest

import bot.app as app_module
import bot.rounds as rounds_module
import storage.rounds as storage_rounds
from bench._figures import Figure, write_figures
from bot.app import build_application, start_application, stop_application
from bot.config import PROJECT_ROOT, Settings
from bot.i18n import Catalogs, compile_catalogs
from bot.outbox import OutboxSender
from bot.rounds import Tally
from bot.services import CONSENT_VERSION
from storage.db import open_db
from storage.outbox import Outgoing, Queued, queued
from storage.people import create_invite, create_network, organisation_for, redeem_invite

OPEN_AT = datetime(2027, 1, 5, 8, 0, tzinfo=UTC)  # the first Tuesday of January 2027, 09:00 in Berlin
JOINED_AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # networks and partners exist well before the round
FIRST_USER_ID = 100_000
LOCALES = PROJECT_ROOT / "locales"
DIALOGS = PROJECT_ROOT / "dialogs"
SCENARIOS = ("ours", "baseline")
GOAL_RATIO = 1.10
PRODUCTION_RATE = Settings().send_rate  # Telegram's 30 messages per second overall
PRODUCTION_TICK = Settings().tick_seconds  # the scheduler's 30 s
GRACE = 1.0  # seconds to keep listening after the last partner got a prompt, to catch late duplicates
_SENDER_KEY = "outbox_sender"  # where bot.app keeps the OutboxSender in bot_data


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
    peak_rss_kib: int  # the bot's process (the server's is server_rss_kib)
    queueing: float | None  # seconds from the first prompt queued until the queueing run_due returned
    first_send: float | None  # seconds from the first prompt queued until the server accepted the first send
    peak_per_second: int  # most sends the server accepted within any one-second window
    longest_pause: float | None  # the longest time between two sends the server accepted
    server_rss_kib: int  # the server process's peak
    bot_cpu: float | None  # the bot process's CPU seconds from the first prompt queued to the last one accepted
    server_cpu: float | None  # the server process's CPU seconds from the first send accepted to the last one
    server_busy_wall: float | None  # seconds from the first send accepted to the last one
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        """Measured time over the lower bound N / limit."""
        return None if self.measured is None else self.measured / self.bound


class StillClock:
    """A settable clock that stands still: the bot sees the same 'now' for the whole run."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Marks:
    """Moments (time.monotonic) in the bot's own code, seen by wrapping functions it calls by module name."""

    first_queued: float | None = None
    queue_done: float | None = None
    cpu_at_first_queued: float | None = None  # this process's CPU seconds (time.process_time) at first_queued


@contextlib.contextmanager
def patched(module: ModuleType, name: str, replacement: object) -> Iterator[None]:
    """Replace a module attribute for the duration of the block (the bot's code looks it up at call time)."""
    original = getattr(module, name)
    setattr(module, name, replacement)
    try:
        yield
    finally:
        setattr(module, name, original)


@contextlib.contextmanager
def observe_queueing(marks: Marks) -> Iterator[None]:
    """Note the first record_prompt call and the end of the first run_due that queued messages (no file is edited)."""

    def record_prompt(db: Database, round_id: int, membership_id: int, reminders_sent: int, message: Outgoing,
                      now: datetime) -> bool:
        if marks.first_queued is None:
            marks.first_queued = time.monotonic()
            marks.cpu_at_first_queued = time.process_time()
        return storage_rounds.record_prompt(db, round_id, membership_id, reminders_sent, message, now)

    async def run_due_stepwise(db: Database, catalogs: Catalogs, now: datetime, wake: Callable[[], None]) -> Tally:
        tally = await rounds_module.run_due_stepwise(db, catalogs, now, wake)
        if tally.messages and marks.queue_done is None:
            marks.queue_done = time.monotonic()
        return tally

    with patched(rounds_module, "record_prompt", record_prompt), \
            patched(app_module, "run_due_stepwise", run_due_stepwise):
        yield


class ServerProcess:
    """The rate-limited LocalBotApi in a child process of its own (bench._server), seen from the bot's side.

    Every partner is a user who has started the bot. The child records the deliveries itself and reports the figures
    once every partner has a prompt (or the timeout passed, or `finish()` was called) and the grace second is over.
    """

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self._process = process
        self._seen: dict[str, tuple[dict[str, Any], float]] = {}  # event name -> (event, CPU seconds at reading)
        self._changed = asyncio.Condition()
        self._ended = False
        self._reading = asyncio.create_task(self._read(), name="server-process-reader")
        self.base_url = ""
        self.token = ""
        self.stopped: dict[str, Any] | None = None

    @classmethod
    async def start(cls, rate: float, users: Sequence[int], timeout: float, grace: float) -> ServerProcess:
        """Start the child, configure it and wait until it listens; it gives up waiting for deliveries after
        `timeout` seconds on its own (a safety net: the runs say finish() when they stop waiting)."""
        process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bench._server", cwd=PROJECT_ROOT,
                                                       stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                                                       limit=1024 * 1024)
        server = cls(process)
        try:
            named = [[user_id, f"Partner{i + 1}", "en" if i % 4 == 3 else "de"] for i, user_id in enumerate(users)]
            await server._say(json.dumps({"rate": rate, "users": named, "timeout": timeout, "grace": grace}))
            ready = await server._expect("ready", 60.0)
        except BaseException:
            await server.close()
            raise
        server.base_url, server.token = str(ready["base_url"]), str(ready["token"])
        return server

    async def __aenter__(self) -> ServerProcess:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def _read(self) -> None:
        """Keep each JSON line the child prints, by event name, with this process's CPU seconds at reading."""
        assert self._process.stdout is not None
        try:
            while line := await self._process.stdout.readline():
                event = json.loads(line)
                async with self._changed:
                    self._seen[str(event["event"])] = (event, time.process_time())
                    self._changed.notify_all()
        finally:
            async with self._changed:
                self._ended = True
                self._changed.notify_all()

    async def _say(self, line: str) -> None:
        assert self._process.stdin is not None
        self._process.stdin.write(line.encode() + b"\n")
        await self._process.stdin.drain()

    async def _expect(self, name: str, timeout: float) -> dict[str, Any]:
        """The event of this name, once the child has said it."""
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: name in self._seen or self._ended)
        if name not in self._seen:
            code = await self._process.wait()
            raise RuntimeError(f"the server process ended (exit code {code}) before saying {name!r}")
        return self._seen[name][0]

    @property
    def cpu_at_complete(self) -> float | None:
        """This process's CPU seconds when the child said every partner has a message."""
        seen = self._seen.get("complete")
        return None if seen is None else seen[1]

    async def complete(self, timeout: float) -> bool:
        """Wait until every partner has a message (True), or the timeout passes (False)."""
        try:
            await self._expect("complete", timeout)
        except TimeoutError:
            return False
        return True

    async def finish(self) -> None:
        """Stop waiting for missing partners (if any) and report after the grace period."""
        await self._say("finish")

    async def report(self, timeout: float) -> dict[str, Any]:
        """The figures, after finish() (or every partner has a prompt, or the child's timeout) and the grace."""
        return await self._expect("report", timeout)

    async def stop(self) -> dict[str, Any]:
        """Stop the server; its peak RSS and CPU seconds."""
        if self.stopped is None:
            await self._say("stop")
            self.stopped = await self._expect("stopped", 30.0)
            await self._process.wait()
        return self.stopped

    async def close(self) -> None:
        """Make sure the child is gone: ask it to stop, kill it if it does not."""
        if self._process.returncode is None:
            try:
                with contextlib.suppress(Exception):  # a failed stop must not hide why the run ended
                    await self.stop()
            finally:
                if self._process.returncode is None:
                    self._process.kill()
                    await self._process.wait()
        self._reading.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reading


def populate(db_path: Path, n: int, per_network: int) -> list[int]:
    """Create networks of `per_network` partners each (N in all), joined before the round; returns their user ids."""
    db = open_db(db_path)
    users: list[int] = []
    try:
        with db.atomic():
            for start in range(0, n, per_network):
                network = create_network(db, f"Netzwerk {start // per_network + 1}", JOINED_AT)
                for i in range(start, min(n, start + per_network)):
                    organisation = organisation_for(db, network, f"Organisation {i + 1}", JOINED_AT)
                    invite = create_invite(db, network, "partner", organisation, JOINED_AT, 14)
                    user_id = FIRST_USER_ID + i
                    locale = "en" if i % 4 == 3 else "de"
                    redeem_invite(db, invite.token, user_id, f"Partner{i + 1}", locale, CONSENT_VERSION, JOINED_AT)
                    users.append(user_id)
    finally:
        db.close()
    return users


def peak_rss_kib() -> int:
    """This (the bot's) process's peak resident set size in KiB (Linux reports ru_maxrss in KiB)."""
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _since(start: float | None, end: float | None) -> float | None:
    return None if start is None or end is None else end - start


def measured(scenario: str, driver: str, n: int, rate: float, marks: Marks, server: ServerProcess,
             report: dict[str, Any], extra: dict[str, Any]) -> Result:
    """A Result from the bot's marks and the server's report (both in time.monotonic)."""
    stopped = server.stopped or {}
    server_cpu = report.get("cpu_first_to_complete")
    return Result(scenario, driver, n, rate, n / rate, _since(marks.first_queued, report["complete_at"]),
                  int(report["throttled"]), int(report["duplicates"]), int(report["missing"]), peak_rss_kib(),
                  _since(marks.first_queued, marks.queue_done), _since(marks.first_queued, report["first_send_at"]),
                  int(report["peak_per_second"]), report["longest_pause"],
                  int(stopped.get("peak_rss_kib", 0)), _since(marks.cpu_at_first_queued, server.cpu_at_complete),
                  None if server_cpu is None else float(server_cpu),
                  _since(report["first_send_at"], report["complete_at"]), extra)


async def run_ours(n: int, rate: float, per_network: int, tick: float, timeout: float) -> Result:
    """The real Application, its scheduler tick and its outbox sender, against the rate-limited server."""
    with tempfile.TemporaryDirectory(prefix="netzpuls-bench-") as tmp:
        db_path = Path(tmp) / "netzpuls.db"
        users = populate(db_path, n, per_network)
        marks = Marks()
        stats: dict[str, int] = {}
        async with await ServerProcess.start(rate, users, timeout + 60, GRACE) as server:
            settings = Settings(token=server.token, api_url=server.base_url, db_path=db_path, locales_dir=LOCALES,
                                dialogs_dir=DIALOGS, send_rate=rate, tick_seconds=tick)
            with observe_queueing(marks):
                application = build_application(settings, StillClock(OPEN_AT))
                await start_application(application, poll_timeout=1)
                try:
                    await server.complete(timeout)
                    await server.finish()
                    report = await server.report(GRACE + 60)
                    sender = application.bot_data.get(_SENDER_KEY)
                    if isinstance(sender, OutboxSender):
                        stats = dict(sender.stats)
                finally:
                    await stop_application(application)
            await server.stop()
    return measured("ours", "real Application (build_application + start_application, OutboxSender)", n, rate, marks,
                    server, report, {"sender_stats": stats, "tick": tick, "server_requests": report["requests"]})


async def send_naively(sender: Bot, rows: Sequence[Queued], concurrency: int, tally: Counter[str]) -> None:
    """Send every row at once (at most `concurrency` under way); after a 429 sleep retry_after and try again."""
    slots = asyncio.Semaphore(concurrency)

    async def one(row: Queued) -> None:
        markup = InlineKeyboardMarkup.de_json(row.reply_markup, sender) if row.reply_markup else None
        async with slots:
            while True:
                try:
                    await sender.send_message(row.chat_id, row.text, reply_markup=markup)
                    return
                except RetryAfter as error:
                    tally["retry_after"] += 1
                    wait = error.retry_after
                    await asyncio.sleep(wait if isinstance(wait, int) else wait.total_seconds())
                except NetworkError:
                    tally["network_error"] += 1
                    await asyncio.sleep(1.0)

    await asyncio.gather(*(one(row) for row in rows))


async def run_baseline(n: int, rate: float, per_network: int, concurrency: int, timeout: float) -> Result:
    """The same prompts, queued by the same run_due, sent by an unpaced gather that only reacts to 429s."""
    with tempfile.TemporaryDirectory(prefix="netzpuls-bench-") as tmp:
        db_path = Path(tmp) / "netzpuls.db"
        users = populate(db_path, n, per_network)
        compile_catalogs(LOCALES)
        catalogs = Catalogs(LOCALES)
        marks = Marks()
        tally: Counter[str] = Counter()
        db = open_db(db_path)
        try:
            async with await ServerProcess.start(rate, users, timeout + 60, GRACE) as server:
                sender = Bot(server.token, base_url=server.base_url,
                             request=HTTPXRequest(connection_pool_size=concurrency))
                try:
                    await sender.initialize()
                    with observe_queueing(marks):
                        rounds_module.run_due(db, catalogs, OPEN_AT)
                        marks.queue_done = time.monotonic()
                    rows = queued(db, 2 * n + 10)
                    try:
                        await asyncio.wait_for(send_naively(sender, rows, concurrency, tally), timeout)
                    except TimeoutError:
                        tally["gave_up"] += 1
                    await server.finish()
                    report = await server.report(GRACE + 60)
                finally:
                    await sender.shutdown()
                await server.stop()
        finally:
            db.close()
    return measured("baseline", f"naive gather (concurrency {concurrency}), sleep retry_after on 429", n, rate,
                    marks, server, report,
                    {"client_stats": dict(tally), "queued": len(rows), "server_requests": report["requests"]})


def run_scenario(args: argparse.Namespace) -> Result:
    """Run one scenario in this process (optionally under cProfile)."""
    timeout = args.timeout if args.timeout is not None else 5 * args.partners / args.rate + 30
    if args.scenario == "ours":
        work = run_ours(args.partners, args.rate, args.per_network, args.tick, timeout)
    else:
        work = run_baseline(args.partners, args.rate, args.per_network, args.concurrency, timeout)
    if args.profile is None:
        return asyncio.run(work)
    profiler = cProfile.Profile()
    result = profiler.runcall(asyncio.run, work)
    profiler.dump_stats(args.profile)
    report = io.StringIO()
    pstats.Stats(profiler, stream=report).sort_stats("tottime").print_stats(30)
    print(report.getvalue(), file=sys.stderr)
    return result


def run_child(scenario: str, args: argparse.Namespace) -> Result:
    """Run one scenario in a child process of its own and read back its result."""
    command = [sys.executable, "-m", "bench.broadcast", "--scenario", scenario, "--result-line",
               "--partners", str(args.partners), "--rate", str(args.rate), "--per-network", str(args.per_network),
               "--tick", str(args.tick), "--concurrency", str(args.concurrency)]
    if args.timeout is not None:
        command += ["--timeout", str(args.timeout)]
    done = subprocess.run(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the {scenario} run failed with exit code {done.returncode}")
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return Result(**data)


def _fmt(value: float | None, digits: int = 2) -> str:
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


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.broadcast", description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--partners", type=int, default=3000, help="partners to prompt (default 3000)")
    parser.add_argument("--rate", type=float, default=300.0,
                        help="overall messages per second the server allows and the bot is set to (default 300)")
    parser.add_argument("--quick", action="store_true", help="N=600 instead of the default (about 10 s for both runs)")
    parser.add_argument("--per-network", type=int, default=50, help="partners per network (default 50)")
    parser.add_argument("--tick", type=float, default=None,
                        help="the bot's scheduler tick in seconds (default: production's 30 s divided by the same "
                             "factor as the rate, rate/30; 3 s at 300/s)")
    parser.add_argument("--concurrency", type=int, default=32, help="the baseline's concurrency cap (default 32)")
    parser.add_argument("--timeout", type=float, default=None,
                        help="give up waiting after this many seconds (default 5·N/rate + 30)")
    parser.add_argument("--scenario", choices=SCENARIOS, default=None,
                        help="run only this scenario, in this process")
    parser.add_argument("--result-line", action="store_true",
                        help="with --scenario: print the result as one JSON line (how the parent reads a child)")
    parser.add_argument("--json", type=Path, default=None, metavar="PATH",
                        help="write the figures for bench.suite here (both runs)")
    parser.add_argument("--profile", type=Path, default=None,
                        help="with --scenario: run the bot's side under cProfile (the server runs in its own process), "
                             "write the stats here, print the top 30 to stderr")
    args = parser.parse_args(argv)
    if args.quick:
        args.partners = 600
    if args.tick is None:
        args.tick = PRODUCTION_TICK * PRODUCTION_RATE / args.rate
    if args.partners < 1 or args.rate < 1 or args.per_network < 1 or args.concurrency < 1 or args.tick <= 0:
        parser.error("partners, rate, per-network and concurrency must be at least 1, tick positive")
    if (args.result_line or args.profile) and args.scenario is None:
        parser.error("--result-line and --profile need --scenario")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the table; 0 unless something crashed."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.scenario is not None:
        result = run_scenario(args)
        if args.result_line:
            print(json.dumps(asdict(result)))
            return 0
        results = [result]
    else:
        print(f"broadcast: {args.partners} partners in networks of {args.per_network}, server limit "
              f"{args.rate:g} messages/s overall (Telegram's per-chat limits), lower bound "
              f"{args.partners / args.rate:.2f} s", flush=True)
        try:
            results = [run_child(scenario, args) for scenario in SCENARIOS]
        except RuntimeError as error:
            print(f"broadcast: {error}", file=sys.stderr)
            return 1
    print(table(results))
    for result in results:
        print(details(result))
    for result in results:
        if result.scenario == "ours":
            print(verdict(result))
    write_figures(args.json, figures(results))
    return 0


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
        Figure("broadcast", "429 answers while prompting", "count", float(ours.throttled),
               None if naive is None else float(naive.throttled), "naive sender", None, "0", ours.throttled == 0),
    ]


if __name__ == "__main__":
    sys.exit(main())
