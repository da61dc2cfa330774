"""Broadcast benchmark: N partners get their round prompt through a rate-limited local Bot API; time against N / limit.

For each rate (default 300/s, the rounds issue's scale, and 100/s, which a slower CPU still carries), two runs, each
in its own child process (so that each has its own peak RSS), each with the server in a grandchild:

- ours: the real Application (build_application + start_application) with Settings(send_rate=rate), a standing clock
  at the first Tuesday of January 2027, 09:00 in Berlin, so the first scheduler tick opens the round and queues every
  prompt; the outbox sender delivers them over HTTP to a LocalBotApi that enforces `rate` messages per second overall.
- baseline: the same prompts (queued by the same run_due), sent by a naive sender: Bot.send_message in an unpaced
  asyncio.gather with a concurrency cap, sleeping retry_after and trying again after a 429.

Both are timed from the first prompt queued until every partner has a prompt in the server. The server runs in a
process of its own (bench._server, driven through bench._server_process), as Telegram is remote in production: its CPU
is not charged to the bot. The naive sender is bench._naive_sender; what a run measured and how it is shown (table,
verdict, the suite's figures), bench._broadcast_result. Peak RSS is each process's own VmHWM (bench._figures).

Then the mixed run (bench._mixed): 400 single messages and 20 digests of 5 messages at Telegram's 30/s, sent by the
real OutboxSender, beside the sender and pacer as they were before issue 20: a chat waiting for its own second must
hold up nobody.
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
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from sqlite_utils import Database
from telegram import Bot
from telegram.request import HTTPXRequest

import bot.jobs.rounds as rounds_module
import bot.telegram.app as app_module
import storage.rounds as storage_rounds
from bench._broadcast_result import Result, details, figures, table, verdict
from bench._figures import Figure, own_peak_kib, write_figures
from bench._mixed import mixed_figures, mixed_table, mixed_verdict, run_mixed
from bench._naive_sender import send_naively
from bench._server_process import ServerProcess
from bot.config import PROJECT_ROOT, Settings
from bot.i18n import Catalogs, compile_catalogs
from bot.jobs.outbox import OutboxSender
from bot.jobs.rounds import Tally
from bot.services import CONSENT_VERSION
from bot.telegram.app import build_application, start_application, stop_application
from storage.db import open_db
from storage.outbox import Outgoing, queued
from storage.people import create_invite, create_network, organisation_for, redeem_invite

OPEN_AT = datetime(2027, 1, 5, 8, 0, tzinfo=UTC)  # the first Tuesday of January 2027, 09:00 in Berlin
JOINED_AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # networks and partners exist well before the round
FIRST_USER_ID = 100_000
LOCALES = PROJECT_ROOT / "locales"
DIALOGS = PROJECT_ROOT / "dialogs"
SCENARIOS = ("ours", "baseline")
PRODUCTION_RATE = Settings().send_rate  # Telegram's 30 messages per second overall
PRODUCTION_TICK = Settings().tick_seconds  # the scheduler's 30 s
GRACE = 1.0  # seconds to keep listening after the last partner got a prompt, to catch late duplicates
_SENDER_KEY = "outbox_sender"  # where bot.telegram.app keeps the OutboxSender in bot_data


class StillClock:
    """A settable clock that stands still: the bot sees the same 'now' for the whole run."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        """The moment it stands at."""
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


def _since(start: float | None, end: float | None) -> float | None:
    """end - start, or None if either is missing."""
    return None if start is None or end is None else end - start


def measured(scenario: str, driver: str, n: int, rate: float, marks: Marks, server: ServerProcess,
             report: dict[str, Any], extra: dict[str, Any]) -> Result:
    """A Result from the bot's marks and the server's report (both in time.monotonic)."""
    stopped = server.stopped or {}
    server_cpu = report.get("cpu_first_to_complete")
    return Result(scenario, driver, n, rate, n / rate, _since(marks.first_queued, report["complete_at"]),
                  int(report["throttled"]), int(report["duplicates"]), int(report["missing"]), own_peak_kib(),
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


def tick_for(rate: float, args: argparse.Namespace) -> float:
    """The scheduler tick at this rate: as given, or production's scaled by the same factor as the rate."""
    return float(args.tick) if args.tick is not None else PRODUCTION_TICK * PRODUCTION_RATE / rate


def run_scenario(args: argparse.Namespace) -> Result:
    """Run one scenario at the first rate in this process (optionally under cProfile)."""
    rate = args.rate[0]
    timeout = args.timeout if args.timeout is not None else 5 * args.partners / rate + 30
    if args.scenario == "ours":
        work = run_ours(args.partners, rate, args.per_network, tick_for(rate, args), timeout)
    else:
        work = run_baseline(args.partners, rate, args.per_network, args.concurrency, timeout)
    if args.profile is None:
        return asyncio.run(work)
    profiler = cProfile.Profile()
    result = profiler.runcall(asyncio.run, work)
    profiler.dump_stats(args.profile)
    report = io.StringIO()
    pstats.Stats(profiler, stream=report).sort_stats("tottime").print_stats(30)
    print(report.getvalue(), file=sys.stderr)
    return result


def run_child(scenario: str, rate: float, args: argparse.Namespace) -> Result:
    """Run one scenario at this rate in a child process of its own and read back its result."""
    command = [sys.executable, "-m", "bench.broadcast", "--scenario", scenario, "--result-line",
               "--partners", str(args.partners), "--rate", str(rate), "--per-network", str(args.per_network),
               "--tick", str(tick_for(rate, args)), "--concurrency", str(args.concurrency)]
    if args.timeout is not None:
        command += ["--timeout", str(args.timeout)]
    done = subprocess.run(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the {scenario} run failed with exit code {done.returncode}")
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return Result(**data)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.broadcast", description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--partners", type=int, default=3000, help="partners to prompt (default 3000)")
    parser.add_argument("--rate", type=float, nargs="+", default=[300.0, 100.0],
                        help="overall messages per second the server allows and the bot is set to, one run (ours and "
                             "the naive sender) for each (default 300 100: the rounds issue's scale, and one at "
                             "which a slower CPU still keeps up)")
    parser.add_argument("--quick", action="store_true", help="N=600 instead of the default (about 10 s for both runs)")
    parser.add_argument("--per-network", type=int, default=50, help="partners per network (default 50)")
    parser.add_argument("--tick", type=float, default=None,
                        help="the bot's scheduler tick in seconds (default: production's 30 s divided by the same "
                             "factor as the rate, rate/30; 3 s at 300/s)")
    parser.add_argument("--concurrency", type=int, default=32, help="the baseline's concurrency cap (default 32)")
    parser.add_argument("--timeout", type=float, default=None,
                        help="give up waiting after this many seconds (default 5·N/rate + 30)")
    parser.add_argument("--mixed", type=int, nargs=3, default=[400, 20, 5], metavar=("SINGLE", "DIGESTS", "PARTS"),
                        help="the mixed run: single messages, digests and messages per digest (default 400 20 5)")
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
    if (args.partners < 1 or min(args.rate) < 1 or args.per_network < 1 or args.concurrency < 1
            or (args.tick is not None and args.tick <= 0)):
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
        show([result])
        return 0
    found: list[Figure] = []
    for rate in args.rate:
        print(f"broadcast: {args.partners} partners in networks of {args.per_network}, server limit {rate:g} "
              f"messages/s overall (Telegram's per-chat limits), lower bound {args.partners / rate:.2f} s", flush=True)
        try:
            results = [run_child(scenario, rate, args) for scenario in SCENARIOS]
        except RuntimeError as error:
            print(f"broadcast: {error}", file=sys.stderr)
            return 1
        show(results)
        found += figures(results)
    found += mixed(args)
    write_figures(args.json, found)
    return 0


def mixed(args: argparse.Namespace) -> list[Figure]:
    """The mixed run (single messages and digests), ours beside the sender and pacer before issue 20; its figures."""
    prompts, digests, parts = args.mixed
    bound = max((prompts + digests * parts) / PRODUCTION_RATE, parts - 1.0)
    print(f"broadcast, mixed: {prompts} single messages and {digests} digests of {parts} messages (the digests queued "
          f"first), server limit {PRODUCTION_RATE:g}/s overall and 1/s per chat, bound {bound:.2f} s", flush=True)
    ours, before = (asyncio.run(run_mixed(name, prompts, digests, parts, PRODUCTION_RATE, 5 * bound + 30))
                    for name in ("ours", "before"))
    print(mixed_table([ours, before]))
    print(mixed_verdict(ours) + "\n", flush=True)
    return mixed_figures(ours, before)


def show(results: list[Result]) -> None:
    """Print the table, where the time went, and the verdict."""
    print(table(results))
    for result in results:
        print(details(result))
    for result in results:
        if result.scenario == "ours":
            print(verdict(result))
    print(flush=True)


if __name__ == "__main__":
    sys.exit(main())
