"""Memory benchmark: peak resident memory of `python -m bot run` with 10,000 partners registered and a round open
(every prompt out, then 500 partners answering a whole check-in at once), beside the bare PTB echo bot with the same
10,000 users sending it one text each; then the bot's peak at the round's close, its charts and network maps drawn in
a worker process beside drawn in its own process (bench/_close_memory.py).

Both run as child processes against a LocalBotApi in this process (its memory is not theirs); the peak is VmHWM of
the child's /proc/PID/status. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench._close_memory import Close, close_figure, close_lines, close_run
from bench._figures import Figure, ratio, text_table, write_figures
from bench._soak_options import scratch_dir
from bench._soak_people import Chats, Ledger, Partner
from bench._soak_world import Member, newest_round, populate
from bench._spawn import (
    ECHO,
    GOAL_BYTES,
    MIB,
    ROUND_DUE,
    Child,
    FirstPoll,
    bot_env,
    cpu_seconds,
    echo_command,
    exit_on_sigterm,
    mib,
    ours_command,
    proc_status,
    read_json,
)
from bot.usecases.scripts import ScriptRegistry
from localapi.server import LocalBotApi
from storage.db import open_db

JOINED = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # every partner joined before the January round
REPLY_WAIT = 60.0  # a partner's patience per question: the bot handles 4 chats' updates at once, each chat's in order
# RSS of a fresh interpreter after each group of imports (cumulative: what a group shares with earlier ones is
# counted there): where the memory at start goes before the bot has read a single row.
IMPORTS = """
import sys
def rss():
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS:")) * 1024
print("python alone", rss())
for group in sys.argv[1:]:
    for name in group.split(","):
        __import__(name)
    print(group, rss())
"""
IMPORT_GROUPS = ("telegram.ext", "numpy", "sqlite_utils", "openpyxl", "ruamel.yaml,babel.support,holidays",
                 "bot.telegram.app,bot.cli.main,bot.telegram.webhook")


@dataclass
class Phase:
    """The child's memory (bytes, from /proc) and the seconds since it was spawned, at one moment."""

    name: str
    seconds: float
    memory: dict[str, int] = field(default_factory=dict)


class Replies:
    """Which of the expected chats have had at least one sendMessage; `done` once all have."""

    def __init__(self, api: LocalBotApi, expected: Sequence[int]) -> None:
        self.expected, self.got, self.done = frozenset(expected), set[int](), asyncio.Event()
        original = api.implemented["sendMessage"]

        async def send_message(params: dict[str, Any]) -> Any:
            result = await original(params)
            chat = params.get("chat_id")
            if chat in self.expected and chat not in self.got:
                self.got.add(chat)
                if len(self.got) == len(self.expected):
                    self.done.set()
            return result

        api.implemented["sendMessage"] = send_message


def note(child: Child, name: str, phases: list[Phase]) -> Phase:
    """Read the child's memory now, as a phase."""
    phases.append(Phase(name, time.monotonic() - child.started_at, proc_status(child.pid)))
    return phases[-1]


async def run_ours(args: argparse.Namespace, folder: Path, members: Sequence[Member],
                   coordinators: Sequence[int]) -> tuple[list[Phase], list[str], int]:
    """The real bot on the round's due time: every prompt out, then partners answering; its phases, details and how
    many partners did not finish (gave up, or their task raised)."""
    api = LocalBotApi()  # no limits: the bot's own pacing (NETZPULS_SEND_RATE) is what limits it
    await api.start()
    for member in members:
        api.add_user(member.persona.user_id, member.persona.first_name, member.locale, started=True)
    for user_id in coordinators:
        api.add_user(user_id, f"Koordination{user_id}", "de", started=True)
    chats, ledger = Chats(api), Ledger()
    prompts, poll = Replies(api, [m.persona.user_id for m in members]), FirstPoll(api)
    db_path = folder / "netzpuls.db"
    child = Child(ours_command(ROUND_DUE, 1.0), bot_env(api, db_path, folder, send_rate=args.rate),
                  folder / "ours.log")
    phases: list[Phase] = []
    lines: list[str] = []
    db = None
    unfinished = 0
    try:
        poll.pid = await child.start()
        await child.until(poll.event, 60)
        phases.append(Phase("started (first getUpdates)", (poll.at or 0) - child.started_at, poll.memory))
        await child.until(prompts.done, args.timeout)
        out = note(child, "every partner has the prompt", phases)
        first = phases[0].seconds
        lines.append(f"ours: {len(members):,} prompts out {out.seconds - first:.1f} s after the first poll "
                     f"({len(members) / max(out.seconds - first, 1e-9):.0f}/s incl. opening the rounds), "
                     f"send rate setting {args.rate:g}/s")
        db = open_db(db_path)
        scripts, rng = ScriptRegistry(db), random.Random(7)
        step = max(1, len(members) // args.answering)
        chosen = list(members[::step])[:args.answering]  # spread over the networks
        partners = [Partner(m.persona, m.membership_id, chats, db, scripts, ledger, random.Random(rng.random()),
                            (0.0, 0.0), REPLY_WAIT) for m in chosen]
        rounds = {m.membership_id: newest_round(db, m.membership_id) for m in chosen}
        updates_before, began, own_cpu = chats.pushed, time.monotonic(), time.process_time()
        done = await asyncio.wait_for(asyncio.gather(*(p.answer(rounds[p.membership_id], 1) for p in partners),
                                                     return_exceptions=True), args.timeout)
        spent, own_cpu = time.monotonic() - began, time.process_time() - own_cpu
        end = note(child, f"{len(partners):,} check-ins answered", phases)
        outcome = Counter("finished" if d is True else "gave up" if d is False else type(d).__name__ for d in done)
        unfinished = len(done) - outcome["finished"]
        failed = [d for d in done if isinstance(d, BaseException)]
        updates = chats.pushed - updates_before
        lines.append(f"ours: {len(partners):,} partners answered at once in {spent:.1f} s: {dict(outcome)}; "
                     f"{updates:,} updates ({updates / max(spent, 1e-9):.0f}/s handled), {dict(ledger.counts)}, "
                     f"stuck {len(ledger.stuck)}; this process (server, partners) used {own_cpu:.0f} s CPU meanwhile")
        lines += [f"  raised: {type(d).__name__}: {d}"[:300] for d in failed[:3]]
        lines += [f"  {line}" for line in ledger.stuck[:3]]
        kinds = ", ".join(f"{kind} {mib(end.memory.get(kind))}" for kind in ("RssAnon", "RssFile", "RssShmem"))
        lines.append(f"ours: CPU {cpu_seconds(child.pid) or 0:.1f} s; at the end {kinds} MiB")
        code = await child.stop()
        phases.append(Phase("stopping (SIGTERM; last read)", time.monotonic() - child.started_at, child.last_memory))
        errors = child.errors()
        lines.append(f"ours: exit code {code} after SIGTERM; {len(errors)} ERROR/traceback line(s) in its log"
                     + (f", first: {errors[0][:200]}" if errors else ""))
    finally:
        await child.kill()
        if db is not None:
            db.close()
        await api.stop()
    return phases, lines, unfinished


async def run_echo(args: argparse.Namespace, folder: Path, members: Sequence[Member]) -> tuple[list[Phase], list[str]]:
    """The echo bot: each user sends one text; its memory when all have their echo."""
    api = LocalBotApi()
    await api.start()
    users = [m.persona.user_id for m in members]
    for member in members:
        api.add_user(member.persona.user_id, member.persona.first_name, member.locale, started=True)
    replies, poll = Replies(api, users), FirstPoll(api)
    result = folder / "echo.json"
    child = Child(echo_command(api, result), bot_env(api, folder / "unused.db", folder), folder / "echo.log")
    phases: list[Phase] = []
    try:
        poll.pid = await child.start()
        await child.until(poll.event, 60)
        phases.append(Phase("started (first getUpdates)", (poll.at or 0) - child.started_at, poll.memory))
        began = time.monotonic()
        for user_id in users:
            api.send_text(user_id, "Hallo, wie geht es?")
        await child.until(replies.done, args.timeout)
        spent = time.monotonic() - began
        note(child, f"{len(users):,} texts echoed", phases)
        cpu = cpu_seconds(child.pid) or 0
        code = await child.stop()
        phases.append(Phase("stopping (SIGTERM; last read)", time.monotonic() - child.started_at, child.last_memory))
    finally:
        await child.kill()
        await api.stop()
    own = int(read_json(result).get("peak_rss_kib", 0)) * 1024
    return phases, [f"echo: {len(users):,} texts echoed in {spent:.1f} s ({len(users) / max(spent, 1e-9):.0f}/s); "
                    f"CPU {cpu:.1f} s; exit code {code}; its own VmHWM as it stopped {mib(own)} MiB (the table "
                    f"uses what this process read from /proc/PID/status)"]


def import_memory() -> list[str]:
    """RSS of a fresh interpreter after each group of imports (a child process)."""
    done = subprocess.run([sys.executable, "-c", IMPORTS, *IMPORT_GROUPS], capture_output=True, text=True,
                          check=False, timeout=60)
    lines, before = [], 0
    for line in done.stdout.splitlines():
        name, value = line.rsplit(" ", 1)
        lines.append(f"{name} {'+' if before else ''}{(int(value) - before) / MIB:.1f}")
        before = int(value)
    return ["imports alone, RSS MiB (cumulative, in this order): " + ", ".join(lines)
            + f"; total {before / MIB:.1f}"]


def peak(phases: Sequence[Phase]) -> int:
    """The highest VmHWM seen."""
    return max(p.memory.get("VmHWM", 0) for p in phases)


def figures(ours: Sequence[Phase], echo: Sequence[Phase], partners: int, answering: int,
            unfinished: int) -> list[Figure]:
    """Peak (goal: missed also if partners did not finish, as the load was not all there), and the RSS after start and
    at the end beside the echo bot's."""
    high, echo_high = peak(ours), peak(echo)
    goal = f"< 150 MB ({GOAL_BYTES / MIB:.1f} MiB)"
    start, echo_start = ours[0].memory.get("VmRSS", 0), echo[0].memory.get("VmRSS", 0)
    end, echo_end = ours[-2].memory.get("VmRSS", 0), echo[-2].memory.get("VmRSS", 0)
    return [
        Figure("memory", f"peak RSS (VmHWM), {partners:,} partners, round open, {answering:,} answering", "MiB",
               high / MIB, echo_high / MIB, ECHO, ratio(high, echo_high), goal, high < GOAL_BYTES and not unfinished,
               f"{high / 10**6:.1f} MB" + (f"; {unfinished} of {answering:,} partners did not finish" if unfinished
                                          else "")),
        Figure("memory", "RSS after start (first getUpdates)", "MiB", start / MIB, echo_start / MIB, ECHO,
               ratio(start, echo_start)),
        Figure("memory", "RSS at the end (VmRSS)", "MiB", end / MIB, echo_end / MIB, ECHO, ratio(end, echo_end)),
    ]


async def measure(args: argparse.Namespace, folder: Path) -> tuple[list[Phase], list[Phase], list[str], int,
                                                                    list[Close]]:
    """Populate, run ours, close its round (charts in a worker process, then in the bot's own), run the echo bot;
    their phases, the lines to print, ours' partners who did not finish, the two closes."""
    began = time.monotonic()
    members, coordinators = populate(folder / "netzpuls.db", args.partners, 20, 1, JOINED, random.Random(1))
    lines = [f"populated {len(members):,} partners in {len(coordinators):,} networks of 20 (+1 coordinator each) in "
             f"{time.monotonic() - began:.1f} s"]
    ours, ours_lines, unfinished = await run_ours(args, folder, members, coordinators)
    closes = [await close_run(folder / "netzpuls.db", folder, worker, args.close_rounds, args.timeout)
              for worker in (True, False)]
    echo, echo_lines = await run_echo(args, folder, members)
    return ours, echo, [*lines, *ours_lines, *close_lines(closes), *echo_lines], unfinished, closes


def main(argv: Sequence[str] | None = None) -> int:
    """Measure and print; 0 unless something crashed."""
    parser = argparse.ArgumentParser(prog="python -m bench.memory", description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=10_000, help="partners registered (default 10,000)")
    parser.add_argument("--answering", type=int, help="partners answering at once (default a twentieth of them)")
    parser.add_argument("--rate", type=float, default=1000.0, help="NETZPULS_SEND_RATE of the bot (default 1000)")
    parser.add_argument("--timeout", type=float, default=150.0, help="seconds to wait for each phase")
    parser.add_argument("--close-rounds", type=int, default=50, metavar="N",
                        help="rounds that close in the close runs (default 50; about a second each)")
    parser.add_argument("--quick", action="store_true", help="2,000 partners, 100 answering, 20 rounds closing")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the figures there (bench._figures)")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="put the database and the logs there, kept")
    args = parser.parse_args(argv)
    if args.quick:
        args.partners = min(args.partners, 2_000)
        args.close_rounds = min(args.close_rounds, 20)
    args.answering = min(args.partners, args.answering or max(1, args.partners // 20))
    exit_on_sigterm()
    began = time.monotonic()
    print(f"memory: ours with {args.partners:,} partners and {args.answering:,} answering; the echo bot with "
          f"{args.partners:,} users sending one text each", flush=True)
    with tempfile.TemporaryDirectory(prefix="netzpuls-memory-", dir=scratch_dir()) as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        ours, echo, lines, unfinished, closes = asyncio.run(measure(args, folder))
    found = [*figures(ours, echo, args.partners, args.answering, unfinished), close_figure(*closes)]
    print(text_table(found))
    print()
    for bot, phases in (("ours", ours), ("echo", echo)):
        print(f"{bot}: " + "; ".join(f"{p.name} +{p.seconds:.1f} s: RSS {mib(p.memory.get('VmRSS'))}, peak "
                                     f"{mib(p.memory.get('VmHWM'))} MiB" for p in phases))
    print("\n".join([*lines, *import_memory()]))
    met = found[0].met
    print(f"\n{'GOAL MET' if met else 'GOAL MISSED'}: peak {found[0].ours:.1f} MiB = {found[0].note} "
          f"(goal < 150 MB = 150 × 10^6 bytes = {GOAL_BYTES / MIB:.1f} MiB); took {time.monotonic() - began:.0f} s")
    write_figures(args.json, found)
    return 0


if __name__ == "__main__":
    sys.exit(main())
