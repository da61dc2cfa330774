"""Answer throughput: simulated partners answer their check-ins at once through the local Bot API server over real
HTTP; answers per second stored end to end (update in → answer stored → next question sent), against a bare
python-telegram-bot echo bot under the same load.

Pairs of runs (`--repeat`, default 3), interleaved: ours, echo, ours, echo, ... Each run has a fresh server in this
process (with the partners) and the bot in a child process of its own:

- ours: the real bot (bench._bot_child: build_application + start_application) on a database of N partners who joined
  before January 2027, its clock standing at the round's due time (first Tuesday, 09:00 in Berlin): the round opens
  and every partner has the prompt before the clock starts; then every partner taps "Start now" and answers each
  question as soon as it is shown (bench._soak_people.Partner, no pause), `--concurrency` partners at a time.
- echo: bench._echo_bot (PTB's defaults, no database) and the same partners, each making as many round trips (a tap,
  or a text first, then wait for the bot's next message) as it made updates in its pair's ours run, as many at a time.

Each pair gives a ratio, ours over the echo bot in answers per second (the same updates: the echo bot's wave time over
ours); the figure is the median of the paired ratios (for an even count the lower middle one), and the rates shown are
that pair's. A partner who gave up or whose task raised, in any run, makes the goal missed. Telegram's send limits are
lifted on both sides (the server enforces none, the bot's pacer is scaled up by 1,000): the figure is the bot's own
capacity, not Telegram's 30 messages a second. The figure and the report: bench._throughput_result. See
bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from bench._bot_child import BotProcess, ClockFile
from bench._figures import write_figures
from bench._soak_people import Chats, Ledger, Partner
from bench._soak_world import newest_round, populate, settle
from bench._throughput_result import Pair, Run, report
from bot.config import PROJECT_ROOT
from bot.demo.transcript import BERLIN
from bot.usecases.scripts import ScriptRegistry
from localapi.server import LocalBotApi
from storage.db import open_db

DUE = datetime(2027, 1, 5, 9, 0, tzinfo=BERLIN)  # the January round's due time
JOINED = datetime(2027, 1, 4, 8, 0, tzinfo=BERLIN)
SCALE = 1000.0  # Telegram's limits lifted: the bot's pacer allows 30,000/s overall and 1,000/s per chat
REPLY_WAIT = 10.0  # a partner waits this long for the next question before trying /checkin
TICK = 30.0  # production's: the first tick (after 1 s) opens the round, no other tick falls into the wave


def _cpu() -> float:
    """CPU seconds this process (server and partners) has used so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def process_cpu(pid: int) -> float:
    """CPU seconds of a running process so far, from /proc (Linux; 0 where it cannot be read)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class UpdateCounter:
    """Counts the updates each user makes (taps and texts), by wrapping the server's push_update."""

    def __init__(self, api: LocalBotApi) -> None:
        self.by_user: Counter[int] = Counter()
        push = api.push_update

        def counted(kind: str, payload: dict[str, Any]) -> int:
            sender = payload.get("from")
            if isinstance(sender, dict):
                self.by_user[int(sender["id"])] += 1
            return push(kind, payload)

        setattr(api, "push_update", counted)  # noqa: B010 (an instance attribute in front of the method)


async def _guarded(run: Run, user_id: int, work: Awaitable[bool]) -> None:
    """Await one partner's work: False counts the partner as stuck, an exception as failed; the others go on."""
    try:
        if not await work:
            run.stuck += 1
    except Exception as error:
        run.failures.append(f"user {user_id}: {type(error).__name__}: {error}"[:300])


async def _wave(count: int, concurrency: int, act: Any) -> float:
    """Run act(i) for i in range(count), `concurrency` at a time; the wall time."""
    slots = asyncio.Semaphore(concurrency)

    async def one(index: int) -> None:
        async with slots:
            await act(index)

    began = time.monotonic()
    await asyncio.gather(*(one(i) for i in range(count)))
    return time.monotonic() - began


async def run_ours(args: argparse.Namespace, folder: Path) -> tuple[Run, list[tuple[int, int]]]:
    """The real bot: prompts out, then every partner answers the whole check-in; (the run, [(user, updates)])."""
    db_path = folder / "ours.db"
    members, coordinators = populate(db_path, args.partners, args.per_network, 1, JOINED, random.Random(args.seed))
    api = LocalBotApi()
    await api.start()
    for member in members:
        api.add_user(member.persona.user_id, member.persona.first_name, member.locale, started=True)
    for user_id in coordinators:
        api.add_user(user_id, f"User{user_id}", "de", started=True)
    clock = ClockFile(folder / "clock", DUE)
    bot = BotProcess({"token": api.token, "api_url": api.base_url, "db_path": str(db_path), "tick": TICK,
                      "rate": 30 * SCALE, "scale": SCALE, "send_timeout": 10.0, "admins": [],
                      "clock_path": str(folder / "clock"), "log_path": str(folder / "ours.log"),
                      "profile": args.profile}, folder)
    run = Run("ours")
    try:
        await bot.start()
        if not await settle(db_path, clock, 0.1, 120):
            raise RuntimeError("the prompts did not all go out within 120 s")
        db = open_db(db_path)
        chats, ledger, scripts = Chats(api), Ledger(), ScriptRegistry(db)
        counter = UpdateCounter(api)
        partners = [Partner(m.persona, m.membership_id, chats, db, scripts, ledger, random.Random(i), (0.0, 0.0),
                            REPLY_WAIT) for i, m in enumerate(members)]
        rounds = [newest_round(db, p.membership_id) for p in partners]
        before = db.execute("SELECT COUNT(*) FROM answers").fetchone()[0]
        cpu, bot_cpu, seen = _cpu(), bot.cpu_seconds(), len(api.requests)

        async def answer(index: int) -> None:
            await _guarded(run, partners[index].user_id, partners[index].answer(rounds[index], 1))

        run.wall = await _wave(len(partners), args.concurrency, answer)
        run.load_cpu, run.bot_cpu = _cpu() - cpu, bot.cpu_seconds() - bot_cpu
        run.requests = Counter(r.method for r in api.requests[seen:])
        run.answers = db.execute("SELECT COUNT(*) FROM answers").fetchone()[0] - before
        run.updates = sum(counter.by_user.values())
        run.stuck_lines = list(ledger.stuck)
        db.close()
        run.bot_peak_mib = (await bot.stop())["peak_rss_kib"] / 1024
        return run, [(p.user_id, counter.by_user[p.user_id]) for p in partners]
    finally:
        await bot.kill()
        clock.close()
        await api.stop()


async def run_echo(args: argparse.Namespace, folder: Path, load: list[tuple[int, int]]) -> Run:
    """The echo bot under the same load: each partner as many round trips as it made updates in ours."""
    api = LocalBotApi()
    await api.start()
    for user_id, _count in load:
        api.add_user(user_id, f"Partner{user_id}", "de", started=True)
    result = folder / "echo-result.json"
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bench._echo_bot", api.token, api.base_url,
                                                   str(result), cwd=PROJECT_ROOT)
    run = Run("echo")
    try:
        await api.wait_until(lambda: any(r.method == "getUpdates" for r in api.requests), timeout=60,
                             message="the echo bot did not poll")
        chats = Chats(api)
        counter = UpdateCounter(api)

        async def trips(index: int) -> bool:
            user_id, count = load[index]
            for trip in range(count):
                known = len(api.messages(user_id))
                if trip == 0:
                    api.send_text(user_id, "Hallo")
                else:
                    newest = api.messages(user_id)[-1]
                    chats.tap(user_id, newest, str(newest.reply_markup["inline_keyboard"][0][0]["callback_data"])
                              if newest.reply_markup else "")

                def answered(user: int = user_id, before: int = known) -> bool:
                    return len(api.messages(user)) > before

                if not await chats.wait(user_id, answered, REPLY_WAIT):
                    return False
            return True

        async def round_trips(index: int) -> None:
            await _guarded(run, load[index][0], trips(index))

        cpu, bot_cpu, seen = _cpu(), process_cpu(process.pid), len(api.requests)
        run.wall = await _wave(len(load), args.concurrency, round_trips)
        run.load_cpu, run.bot_cpu = _cpu() - cpu, process_cpu(process.pid) - bot_cpu
        run.requests = Counter(r.method for r in api.requests[seen:])
        run.updates = sum(counter.by_user.values())
        process.terminate()
        await asyncio.wait_for(process.wait(), 60)
        if result.exists():
            run.bot_peak_mib = json.loads(result.read_text(encoding="utf-8"))["peak_rss_kib"] / 1024
        return run
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await api.stop()


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.throughput", description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=600, help="partners answering (default 600)")
    parser.add_argument("--per-network", type=int, default=20, help="partners per network (default 20)")
    parser.add_argument("--concurrency", type=int, default=100, help="partners answering at once (default 100)")
    parser.add_argument("--quick", action="store_true", help="150 partners, one pair of runs")
    parser.add_argument("--repeat", type=int, default=3,
                        help="pairs of runs (ours, then echo), interleaved; the figure is the median of the paired "
                             "ratios (default 3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="run our bot under cProfile (stats in --keep)")
    parser.add_argument("--keep", type=Path, default=None, help="keep the databases and logs in this folder")
    parser.add_argument("--json", type=Path, default=None, metavar="PATH", help="write the figures here")
    args = parser.parse_args(argv)
    if args.quick:
        args.partners, args.repeat = 150, 1
    if min(args.partners, args.per_network, args.concurrency, args.repeat) < 1:
        parser.error("partners, per-network, concurrency and repeat must be at least 1")
    return args


async def run(args: argparse.Namespace, folder: Path) -> list[Pair]:
    """`--repeat` pairs, interleaved: ours, then the echo bot with that run's load; each pair's ratio printed as it
    ends. Pairing keeps each ratio within one stretch of this machine's load (its CPU time for the same work varies by
    up to a quarter from run to run); the median of the ratios is the least swayed by one disturbed run."""
    pairs = []
    for number in range(1, args.repeat + 1):
        sub = folder / f"pair-{number}"
        sub.mkdir(parents=True, exist_ok=True)
        ours, load = await run_ours(args, sub)
        pair = Pair(number, ours, await run_echo(args, sub, load))
        pairs.append(pair)
        print(f"pair {number}: ours {ours.wall:.2f} s, echo {pair.echo.wall:.2f} s: ratio "
              f"{'—' if pair.ratio is None else f'{pair.ratio:.2f}'}", flush=True)
    return pairs


def main(argv: Sequence[str] | None = None) -> int:
    """Run the pairs and print the figures; 0 unless something crashed."""
    args = parse_args(argv)
    print(f"throughput: {args.partners} partners in networks of {args.per_network}, {args.concurrency} at a time, "
          f"Telegram's limits lifted", flush=True)
    with tempfile.TemporaryDirectory(prefix="netzpuls-throughput-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        pairs = asyncio.run(run(args, folder))
    text, figures = report(pairs)
    print(text)
    write_figures(args.json, figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
