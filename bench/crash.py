"""SIGKILL in the middle of broadcasts: duplicates and lost prompts, with the delivery check and without it.

The real bot (`python -m bot run` through bench._crash_child) runs as a child process against a local Bot API in this
process; a round is due the moment it starts, so it sends one prompt to each partner. The benchmark kills it with
SIGKILL at random moments of the broadcast (right after a random prompt reached the server, plus 0-30 ms), restarts
it, kills it again, …, and lets the last start finish. Each partner should have exactly one prompt: more are
duplicates, none is a lost prompt. The same kills are made twice, once with the bot as it is (a send in flight at
the kill is checked, bot/jobs/outbox_recovery.py) and once resending blindly (the baseline, as before the check).

    python -m bench.crash                  # 20 kills each way (5 broadcasts of 200 partners, 4 kills each)
    python -m bench.crash --kills 40 --partners 300 --seed 7
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import functools
import random
import sqlite3
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench._spawn import Child, bot_env, exit_on_sigterm
from localapi.server import LocalBotApi
from tests.bot_process import network_with_partners

CLOCK_START = "2027-02-02T09:00+01:00"  # the first Tuesday of February 2027, 09:00 in Berlin: the round is due
FIRST_ID = 10_000
KILLS_PER_BROADCAST = 4


@dataclass
class Tally:
    """What one way of restarting gave over all its broadcasts."""

    kills: int = 0
    broadcasts: int = 0
    prompts: int = 0
    duplicates: int = 0
    lost: int = 0
    reported: int = 0  # rows reported to the admins as undecided, not sent
    worst_kill: int = 0  # most duplicates of one broadcast
    checked: Counter[str] = field(default_factory=Counter)  # how the restarts settled the rows found "sending"

    @property
    def in_flight(self) -> int:
        """Rows the restarts found "sending": settled by the check, or resent blindly."""
        return sum(self.checked.values())


def _sent(api: LocalBotApi, partners: int) -> list[int]:
    return [api.sent_count(FIRST_ID + n) for n in range(partners)]


def _reached(api: LocalBotApi, partners: int, target: int, child: Child) -> bool:
    """Whether the server got `target` prompts by now, or the bot ended (it should not)."""
    return sum(_sent(api, partners)) >= target or not child.running


def _settled(db_path: Path) -> bool:
    """Whether no prompt is queued or in flight any more."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5) as db:
        return int(db.execute("SELECT COUNT(*) FROM outbox WHERE status IN ('queued', 'sending')").fetchone()[0]) == 0


async def broadcast(blind: bool, partners: int, kills: int, rng: random.Random, folder: Path, rate: float,
                    tally: Tally) -> None:
    """One round's broadcast to `partners` partners, killed `kills` times at random moments; counted into tally."""
    db_path = folder / "netzpuls.db"
    network_with_partners(db_path, "Netzwerk Crash", partners, FIRST_ID)
    targets = sorted(rng.sample(range(5, partners - 5), kills))
    command = [sys.executable, "-m", "bench._crash_child", *(["--blind"] if blind else []), "run",
               "--clock-start", CLOCK_START]
    async with LocalBotApi() as api:
        for n in range(partners):
            api.add_user(FIRST_ID + n, f"Person {n}", language_code="de", started=True)
        env = bot_env(api, db_path, folder, send_rate=rate) | {"NETZPULS_TICK_SECONDS": "0.2",
                                                                 "NETZPULS_SEND_TIMEOUT": "2"}
        for target in targets:
            child = Child(command, env, folder / "bot.log")
            await child.start()
            try:
                await api.wait_until(functools.partial(_reached, api, partners, target, child), timeout=120)
                if not child.running:
                    raise RuntimeError(f"the bot ended before it was killed; its log ends:\n{child.tail()}")
                await asyncio.sleep(rng.uniform(0.0, 0.03))
            finally:
                await child.kill()  # SIGKILL
            tally.kills += 1
        last = Child(command, env, folder / "bot.log")
        await last.start()
        try:
            await api.wait_until(lambda: _settled(db_path), timeout=120)
            await asyncio.sleep(1.0)  # a straggler or duplicate would arrive now
        finally:
            code = await last.stop()
        if code != 0:
            raise RuntimeError(f"the last bot ended with exit code {code}; see {folder / 'bot.log'}")
        counts = _sent(api, partners)
    with sqlite3.connect(db_path) as db:
        reported = db.execute("SELECT COALESCE(SUM(last_error LIKE 'undecided after a stop%'), 0) FROM outbox"
                              " WHERE kind = 'prompt'").fetchone()[0]
    duplicates = sum(count - 1 for count in counts if count > 1)
    tally.broadcasts += 1
    tally.prompts += partners
    tally.duplicates += duplicates
    tally.lost += sum(1 for count in counts if count == 0)
    tally.reported += int(reported)
    tally.worst_kill = max(tally.worst_kill, duplicates)
    log = (folder / "bot.log").read_text(encoding="utf-8", errors="replace")
    marker = "checked the sends in flight at the last stop: "
    for line in log.splitlines():
        if marker in line:
            tally.checked.update(ast.literal_eval(line.split(marker, 1)[1]))  # the sender's dict of counts



async def measure(kills: int, partners: int, rate: float, seed: int) -> dict[str, Tally]:
    """The same kills (same seed) once resending blindly, once with the check."""
    tallies: dict[str, Tally] = {}
    for name, blind in (("blind resend (before)", True), ("checked (now)", False)):
        rng = random.Random(seed)
        tally = Tally()
        while tally.kills < kills:
            with tempfile.TemporaryDirectory(prefix="netzpuls-crash-") as folder:
                await broadcast(blind, partners, min(KILLS_PER_BROADCAST, kills - tally.kills), rng, Path(folder),
                                rate, tally)
            print(f"  {name}: {tally.kills} kills, {tally.duplicates} duplicates, {tally.lost} lost so far",
                  flush=True)
        tallies[name] = tally
    return tallies


def report(tallies: dict[str, Tally]) -> str:
    """The figures, one line per way."""
    lines = [f"{'':24}{'kills':>6}{'prompts':>9}{'in flight':>11}{'duplicates':>12}{'worst':>7}{'lost':>6}"
             f"{'reported':>10}  settled at restart"]
    for name, t in tallies.items():
        checked = ", ".join(f"{k} {v}" for k, v in sorted(t.checked.items())) or "—"
        lines.append(f"{name:24}{t.kills:>6}{t.prompts:>9}{t.in_flight:>11}{t.duplicates:>12}{t.worst_kill:>7}"
                     f"{t.lost:>6}{t.reported:>10}  {checked}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures; exit 1 if the checked way had a duplicate or a lost prompt."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20, help="SIGKILLs for each way (at least 20 for the goal)")
    parser.add_argument("--partners", type=int, default=200, help="partners per broadcast (one prompt each)")
    parser.add_argument("--rate", type=float, default=120.0, help="the bot's send rate, messages a second")
    parser.add_argument("--seed", type=int, default=20, help="seed of the random kill moments")
    args = parser.parse_args(argv)
    exit_on_sigterm()
    tallies = asyncio.run(measure(args.kills, args.partners, args.rate, args.seed))
    print(f"\nSIGKILL during broadcasts ({args.partners} partners each, {KILLS_PER_BROADCAST} kills per broadcast, "
          f"send rate {args.rate:g}/s, seed {args.seed}):")
    print(report(tallies))
    now = tallies["checked (now)"]
    return 0 if now.duplicates == 0 and now.lost == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
