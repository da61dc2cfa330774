"""Broadcast benchmark: N partners get their round prompt through a rate-limited local Bot API; time against N / limit.

Two runs, each in its own child process (so that each has its own peak RSS):

- ours: the real Application (build_application + start_application) with Settings(send_rate=rate), a standing clock
  at the first Tuesday of January 2027, 09:00 in Berlin, so the first scheduler tick opens the round and queues every
  prompt; the outbox sender delivers them over HTTP to a LocalBotApi that enforces `rate` messages per second overall.
- baseline: the same prompts (queued by the same run_due), sent by a naive sender: Bot.send_message in an unpaced
  asyncio.gather with a concurrency cap, sleeping retry_after and trying again after a 429.

Both are timed from the first prompt queued until every partner has a prompt in the server.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import io
import itertools
import json
import logging
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
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
from bot.app import build_application, start_application, stop_application
from bot.config import PROJECT_ROOT, Settings
from bot.i18n import Catalogs, compile_catalogs
from bot.localapi.limits import RateLimits
from bot.localapi.server import LocalBotApi
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

Handler = Callable[[dict[str, Any]], Awaitable[Any]]


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
    peak_rss_kib: int
    queueing: float | None  # seconds from the first prompt queued until the queueing run_due returned
    first_send: float | None  # seconds from the first prompt queued until the server accepted the first send
    peak_per_second: int  # most sends the server accepted within any one-second window
    longest_pause: float | None  # the longest time between two sends the server accepted
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
    """Moments (time.perf_counter) in the bot's own code, seen by wrapping functions it calls by module name."""

    first_queued: float | None = None
    queue_done: float | None = None


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
            marks.first_queued = time.perf_counter()
        return storage_rounds.record_prompt(db, round_id, membership_id, reminders_sent, message, now)

    async def run_due_stepwise(db: Database, catalogs: Catalogs, now: datetime, wake: Callable[[], None]) -> Tally:
        tally = await rounds_module.run_due_stepwise(db, catalogs, now, wake)
        if tally.messages and marks.queue_done is None:
            marks.queue_done = time.perf_counter()
        return tally

    with patched(rounds_module, "record_prompt", record_prompt), \
            patched(app_module, "run_due_stepwise", run_due_stepwise):
        yield


class Deliveries:
    """Watches the server's sendMessage handler: which chats got how many messages, and when."""

    def __init__(self, api: LocalBotApi, expected: Sequence[int]) -> None:
        self.expected = frozenset(expected)
        self.per_chat: Counter[int] = Counter()
        self.stamps: list[float] = []
        self.delivered = 0  # expected chats with at least one message
        self.complete_at: float | None = None
        self.done = asyncio.Event()
        original: Handler = api.implemented["sendMessage"]

        async def send_message(params: dict[str, Any]) -> Any:
            result = await original(params)
            self._accepted(params.get("chat_id"))
            return result

        api.implemented["sendMessage"] = send_message

    def _accepted(self, chat_id: object) -> None:
        now = time.perf_counter()
        self.stamps.append(now)
        if not isinstance(chat_id, int):
            return
        self.per_chat[chat_id] += 1
        if self.per_chat[chat_id] == 1 and chat_id in self.expected:
            self.delivered += 1
            if self.delivered == len(self.expected):
                self.complete_at = now
                self.done.set()

    async def wait(self, timeout: float) -> None:
        """Wait until every expected chat has a message, or the timeout passes."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.done.wait(), timeout)

    @property
    def duplicates(self) -> int:
        """Expected chats with more than one message."""
        return sum(1 for chat in self.expected if self.per_chat[chat] > 1)

    @property
    def missing(self) -> int:
        """Expected chats with no message."""
        return sum(1 for chat in self.expected if self.per_chat[chat] == 0)

    def longest_pause(self) -> float | None:
        """The longest time between two accepted sends."""
        return max((b - a for a, b in itertools.pairwise(self.stamps)), default=None)

    def peak_per_second(self) -> int:
        """The most accepted sends within any one-second window."""
        best, start = 0, 0
        for end, stamp in enumerate(self.stamps):
            while stamp - self.stamps[start] >= 1.0:
                start += 1
            best = max(best, end - start + 1)
        return best


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


def server_limits(rate: float) -> RateLimits:
    """Telegram's limits with the overall rate scaled to `rate` (per chat and per group as Telegram has them)."""
    return RateLimits(overall_per_second=rate)


async def start_server(rate: float, users: Sequence[int]) -> tuple[LocalBotApi, Deliveries]:
    """A rate-limited local server that knows every partner as a user who has started the bot."""
    api = LocalBotApi(limits=server_limits(rate))
    await api.start()
    for i, user_id in enumerate(users):
        api.add_user(user_id, f"Partner{i + 1}", language_code="en" if i % 4 == 3 else "de", started=True)
    return api, Deliveries(api, users)


def peak_rss_kib() -> int:
    """This process's peak resident set size in KiB (Linux reports ru_maxrss in KiB)."""
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _since(start: float | None, end: float | None) -> float | None:
    return None if start is None or end is None else end - start


async def run_ours(n: int, rate: float, per_network: int, tick: float, timeout: float) -> Result:
    """The real Application, its scheduler tick and its outbox sender, against the rate-limited server."""
    with tempfile.TemporaryDirectory(prefix="netzpuls-bench-") as tmp:
        db_path = Path(tmp) / "netzpuls.db"
        users = populate(db_path, n, per_network)
        api, deliveries = await start_server(rate, users)
        marks = Marks()
        stats: dict[str, int] = {}
        try:
            settings = Settings(token=api.token, api_url=api.base_url, db_path=db_path, locales_dir=LOCALES,
                                dialogs_dir=DIALOGS, send_rate=rate, tick_seconds=tick)
            with observe_queueing(marks):
                application = build_application(settings, StillClock(OPEN_AT))
                await start_application(application, poll_timeout=1)
                try:
                    await deliveries.wait(timeout)
                    await asyncio.sleep(GRACE)
                    sender = application.bot_data.get(_SENDER_KEY)
                    if isinstance(sender, OutboxSender):
                        stats = dict(sender.stats)
                finally:
                    await stop_application(application)
        finally:
            await api.stop()
    return Result("ours", "real Application (build_application + start_application, OutboxSender)", n, rate,
                  n / rate, _since(marks.first_queued, deliveries.complete_at), api.throttled,
                  deliveries.duplicates, deliveries.missing, peak_rss_kib(),
                  _since(marks.first_queued, marks.queue_done),
                  _since(marks.first_queued, deliveries.stamps[0] if deliveries.stamps else None),
                  deliveries.peak_per_second(), deliveries.longest_pause(), {"sender_stats": stats, "tick": tick})


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
        api, deliveries = await start_server(rate, users)
        marks = Marks()
        tally: Counter[str] = Counter()
        db = open_db(db_path)
        sender = Bot(api.token, base_url=api.base_url,
                     request=HTTPXRequest(connection_pool_size=concurrency))
        try:
            await sender.initialize()
            with observe_queueing(marks):
                rounds_module.run_due(db, catalogs, OPEN_AT)
                marks.queue_done = time.perf_counter()
            rows = queued(db, 2 * n + 10)
            try:
                await asyncio.wait_for(send_naively(sender, rows, concurrency, tally), timeout)
            except TimeoutError:
                tally["gave_up"] += 1
            await deliveries.wait(0.0)
            await asyncio.sleep(GRACE)
        finally:
            await sender.shutdown()
            await api.stop()
            db.close()
    return Result("baseline", f"naive gather (concurrency {concurrency}), sleep retry_after on 429", n, rate,
                  n / rate, _since(marks.first_queued, deliveries.complete_at), api.throttled,
                  deliveries.duplicates, deliveries.missing, peak_rss_kib(),
                  _since(marks.first_queued, marks.queue_done),
                  _since(marks.first_queued, deliveries.stamps[0] if deliveries.stamps else None),
                  deliveries.peak_per_second(), deliveries.longest_pause(),
                  {"client_stats": dict(tally), "queued": len(rows)})


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
    command = [sys.executable, "-m", "bench.broadcast", "--scenario", scenario, "--json",
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
    head = ("run", "N", "limit/s", "bound s", "measured s", "ratio", "429s", "dup", "missing", "peak RSS MiB",
            "peak/1s")
    rows = [head] + [
        (r.scenario, str(r.n), f"{r.limit:g}", _fmt(r.bound), _fmt(r.measured), _fmt(r.ratio, 3), str(r.throttled),
         str(r.duplicates), str(r.missing), f"{r.peak_rss_kib / 1024:.0f}", str(r.peak_per_second))
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
            f"{_fmt(sending)} s = {_fmt(rate, 1)}/s; longest pause between accepted sends {_fmt(pause, 0)} ms; "
            f"{result.extra}")


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
    parser.add_argument("--json", action="store_true", help="with --scenario: print the result as one JSON line")
    parser.add_argument("--profile", type=Path, default=None,
                        help="with --scenario: run under cProfile, write the stats here, print the top 30 to stderr")
    args = parser.parse_args(argv)
    if args.quick:
        args.partners = 600
    if args.tick is None:
        args.tick = PRODUCTION_TICK * PRODUCTION_RATE / args.rate
    if args.partners < 1 or args.rate < 1 or args.per_network < 1 or args.concurrency < 1 or args.tick <= 0:
        parser.error("partners, rate, per-network and concurrency must be at least 1, tick positive")
    if (args.json or args.profile) and args.scenario is None:
        parser.error("--json and --profile need --scenario")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the table; 0 unless something crashed."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.scenario is not None:
        result = run_scenario(args)
        if args.json:
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
