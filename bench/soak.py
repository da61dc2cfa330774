"""Soak run: simulated partners answer monthly check-ins over a simulated year while faults are injected; it prints
messages lost, duplicates, unhandled errors (each with the goal 0) and the bot's peak memory.

The real bot (bench._bot_child: build_application + start_application) runs in a process of its own against the local
Bot API server in this process, with Telegram's limits scaled up, on a clock this process moves: each month the rounds
open on the first Tuesday at 09:00, the partners answer (bench._soak_people), reminders follow after 3 and 7 days, the
rounds close after 10. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path

from bench._bot_child import BotProcess, ClockFile
from bench._soak_options import parse_args, scratch_dir
from bench._soak_people import Chats, Ledger, Partner
from bench._soak_report import report
from bench._soak_tally import Tally, stamp, tally_run
from bench._soak_world import (
    ADMIN_ID,
    FaultLog,
    FaultPlan,
    Member,
    newest_round,
    populate,
    restart_plan,
    rounds_close,
    settle,
)
from bot.core.calendar import (
    Schedule,
    add_local_days,
    next_allowed,
    next_period,
    next_working_morning,
    period_of,
    round_due,
)
from bot.demo.transcript import BERLIN
from bot.usecases.scripts import ScriptRegistry
from localapi.limits import RateLimits
from localapi.server import LocalBotApi
from storage.db import open_db
from storage.rounds import answer_counts

START = datetime(2027, 1, 4, 8, 0, tzinfo=BERLIN)  # a Monday: the January rounds open on Tuesday, 5 January
PRODUCTION_RATE = 30.0  # Telegram's messages per second overall; per chat it is 1
SETTLE_TIMEOUT = 300.0
REPLY_WAIT = 4.0  # seconds a partner waits for the bot's answer before trying again
PAUSE_DAYS = 28
WAVES = ("prompt", "later", "reminder 1", "reminder 2")
SHARES = (0.62, 0.05, 0.10, 0.08)  # of the partners not paused: at the prompt, "Later", after each reminder; the rest
PAUSING = 0.015  # partners who /pause at a round's close, for about four weeks


class Soak:
    """One run: server, bot process, clock, database, partners, faults."""

    def __init__(self, args: argparse.Namespace, folder: Path) -> None:
        self.args, self.folder = args, folder
        self.rng = random.Random(args.seed)
        self.db_path, self.log_path = folder / "netzpuls.db", folder / "bot.log"
        self.api = LocalBotApi(limits=RateLimits(overall_per_second=PRODUCTION_RATE * args.scale,
                                                 per_chat_per_second=args.scale))
        self.clock = ClockFile(folder / "clock", START)
        self.schedule = Schedule()
        self.faults = FaultPlan(self.api, args.fault_rate, args.reply_fault_rate, args.seed, short=0.2,
                                long=1.5 * args.send_timeout)
        self.fault_log = FaultLog(self.api)
        self.ledger = Ledger()
        self.partners: list[Partner] = []
        self.paused: set[int] = set()  # user ids of partners who paused at the last close
        self.restarts = 0
        self.peak, self.peak_rises = 0.0, list[str]()  # the bot process's peak RSS so far, and where it rose
        self.cpu_before = 0.0  # the bot process's CPU seconds when the month began
        self.spent: defaultdict[str, float] = defaultdict(float)  # the month's seconds: settling, answering
        self.chats: Chats | None = None
        self.settle_timeouts = 0
        self.bot: BotProcess | None = None
        self.number = 0  # the month being played
        self.month_base: dict[int, int] = {}  # messages in each partner's chat when the month began

    def say(self, line: str) -> None:
        """A progress line with the simulated time."""
        print(f"{stamp(self.clock())}  {line}", flush=True)

    async def setup(self) -> None:
        """Networks and partners in the database and the server; the server and the bot start."""
        members, coordinators = populate(self.db_path, self.args.partners, self.args.per_network, self.args.months,
                                         self.clock(), self.rng)
        await self.api.start()
        for member in members:
            self.api.add_user(member.persona.user_id, member.persona.first_name, member.locale, started=True)
        for user_id in (*coordinators, ADMIN_ID):
            self.api.add_user(user_id, f"User{user_id}", "de", started=True)
        self.db = open_db(self.db_path)
        self.chats, scripts = Chats(self.api), ScriptRegistry(self.db)
        self.partners = [self.partner(member, self.chats, scripts) for member in members]
        self.bot = BotProcess({"token": self.api.token, "api_url": self.api.base_url, "db_path": str(self.db_path),
                               "tick": self.args.tick, "rate": PRODUCTION_RATE * self.args.scale,
                               "scale": self.args.scale, "send_timeout": self.args.send_timeout,
                               "admins": [ADMIN_ID], "clock_path": str(self.folder / "clock"),
                               "log_path": str(self.log_path), "profile": self.args.profile},
                              self.folder)
        await self.bot.start()
        self.peak = self.bot.rss_mib("VmHWM") or 0.0
        self.say(f"{len(members)} partners in {len(coordinators)} networks joined; the bot runs (pid "
                 f"{self.bot.process.pid if self.bot.process else '?'})")

    def partner(self, member: Member, chats: Chats, scripts: ScriptRegistry) -> Partner:
        """A partner acting through the chat."""
        think = (0.5 / self.args.scale, 3.0 / self.args.scale)  # a person takes seconds per question; scaled
        return Partner(member.persona, member.membership_id, chats, self.db, scripts, self.ledger,
                       random.Random(self.rng.random()), think, wait=REPLY_WAIT)

    async def restart(self, when: str) -> None:
        """Stop the bot (SIGTERM) and start it again on the same database."""
        assert self.bot is not None
        await self.bot.stop()
        await self.bot.start()
        self.peak, self.restarts = self.bot.rss_mib("VmHWM") or 0.0, self.restarts + 1
        self.say(f"bot restarted {when}")

    async def settle(self) -> None:
        """Wait until the bot has done what is due now."""
        began = time.monotonic()
        if not await settle(self.db_path, self.clock, max(0.05, self.args.tick / 2), SETTLE_TIMEOUT):
            self.settle_timeouts += 1
            self.say(f"the bot did not finish what was due within {SETTLE_TIMEOUT:.0f} s; going on")
        self.spent["settling"] += time.monotonic() - began
        self.note_peak("the bot's own work")

    async def move(self, moment: datetime, restart: str | None = None) -> None:
        """Move the clock (with faults on the bot's own sending) and wait until the bot has done what is due."""
        self.clock.set(moment)
        self.faults.sending(self.number)
        if restart:
            prompted = await self._prompted_share(1 / 3, 60.0)
            await self.restart(f"{restart} ({prompted:.0%} of the partners had their prompt)")
        await self.settle()

    async def _prompted_share(self, share: float, timeout: float) -> float:
        """Wait until this share of the partners has a new message this month (or the timeout); the share."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (done := sum(1 for p in self.partners if self.api.sent_count(p.user_id) > self.month_base.get(
                p.user_id, 0)) / max(1, len(self.partners))) < share and loop.time() < deadline:
            await asyncio.sleep(0.02)
        return done

    async def wave(self, partners: Sequence[Partner], action: Callable[[Partner], Awaitable[object]],
                   restart: str | None = None, first: bool = False) -> None:
        """Let these partners act, `concurrency` at a time; restart the bot once half of them are through."""
        self.faults.answering(first)
        slots, finished = asyncio.Semaphore(self.args.concurrency), 0

        async def one(partner: Partner) -> None:
            nonlocal finished
            async with slots:
                try:
                    await action(partner)
                except Exception as error:  # the simulation's own fault, not the bot's: counted, shown, run goes on
                    self.ledger.failures.append(f"user {partner.user_id}: {type(error).__name__}: {error}"[:300])
            finished += 1

        began = time.monotonic()
        tasks = [asyncio.create_task(one(partner)) for partner in partners]
        if restart and tasks:
            while finished < len(tasks) // 2:
                await asyncio.sleep(0.02)
            await self.restart(f"{restart} ({finished} of {len(tasks)} partners through)")
        await asyncio.gather(*tasks)
        self.spent["answering"] += time.monotonic() - began
        self.note_peak("partners answering")

    def note_peak(self, phase: str) -> None:
        """Remember in which phase the bot process's peak RSS rose by more than 10 MiB."""
        peak = self.bot.rss_mib("VmHWM") if self.bot else None
        if peak is not None and peak > self.peak + 10:
            self.peak_rises.append(f"month {self.number}, {phase}: {self.peak:.0f} → {peak:.0f} MiB")
        self.peak = max(self.peak, peak or 0.0)

    def plan(self) -> dict[str, list[Partner]]:
        """Who answers when this month; the paused partners do not."""
        waves: dict[str, list[Partner]] = {name: [] for name in WAVES}
        for partner in self.partners:
            if partner.user_id in self.paused:
                continue
            draw = self.rng.random()
            for name, share in zip(WAVES, SHARES, strict=True):
                if draw < share:
                    waves[name].append(partner)
                    break
                draw -= share
        return waves

    async def month(self, number: int, period: str, restart: str | None) -> None:
        """One month: the rounds open, the partners answer (some later, some after a reminder), the rounds close."""
        self.spent.clear()
        self.cpu_before = self.bot.cpu_seconds() if self.bot else 0.0
        self.number, self.month_base = number, {p.user_id: self.api.sent_count(p.user_id) for p in self.partners}
        waves, began = self.plan(), time.monotonic()
        opens = next_allowed(self.schedule, round_due(self.schedule, period))
        await self.move(opens, "during the prompt broadcast" if restart == "sending" else None)
        rounds = {p.user_id: newest_round(self.db, p.membership_id) for p in self.partners}

        async def answer(partner: Partner) -> None:
            await partner.answer(rounds[partner.user_id], number)

        async def later(partner: Partner) -> None:
            await partner.later(rounds[partner.user_id])

        await self.wave([*waves["prompt"], *waves["later"]],
                        lambda p: answer(p) if p in waves["prompt"] else later(p),
                        "while partners answer" if restart == "answering" else None, first=True)
        await self.move(next_working_morning(self.schedule, opens))
        await self.wave(waves["later"], answer)
        closes = rounds_close(self.db, period)
        for index, days in enumerate(self.schedule.reminder_days[:2], start=1):
            moment = next_allowed(self.schedule, add_local_days(self.schedule, opens, days))
            if moment < closes:
                await self.move(moment)
                await self.wave(waves[f"reminder {index}"], answer)
        answered = [answer_counts(self.db, round_id, self.clock()) for round_id in set(rounds.values())]
        self.clock.set(closes)
        self.faults.closing()
        await self.settle()
        self.paused = set()
        if number < self.args.months:
            pausing = [p for p in self.partners if self.rng.random() < PAUSING]
            await self.wave(pausing, lambda p: self._pause(p))
        del self.api.requests[:]  # the server's log of every request: only the fault log reads it, as it happens
        rss, cpu = (self.bot.rss_mib(), self.bot.cpu_seconds()) if self.bot else (None, 0.0)
        self.spent["bot CPU"] = cpu - self.cpu_before
        self.say(f"month {number}/{self.args.months} ({period}): {sum(a for a, _ in answered)} of "
                 f"{sum(t for _, t in answered)} answered ({', '.join(f'{n} {len(w)}' for n, w in waves.items())}); "
                 f"closed; {len(self.paused)} paused for next month; bot RSS {rss or 0:.0f} MiB (peak "
                 f"{self.peak:.0f}); faults so far "
                 f"{dict(self.api.injected)}; "
                 f"{time.monotonic() - began:.0f} s ({', '.join(f'{k} {v:.0f} s' for k, v in self.spent.items())})")

    async def _pause(self, partner: Partner) -> None:
        """Have the partner pause; note them as paused for next month if the bot confirmed it."""
        if await partner.pause(PAUSE_DAYS):
            self.paused.add(partner.user_id)


async def run(args: argparse.Namespace, folder: Path) -> tuple[Soak, Tally, float]:
    """Play the months; stop the bot; count."""
    soak = Soak(args, folder)
    began = time.monotonic()
    try:
        await soak.setup()
        period, restarts = period_of(soak.schedule, soak.clock()), restart_plan(args.months)
        for number in range(1, args.months + 1):
            await soak.month(number, period, restarts.get(number))
            period = next_period(period)
        soak.faults.off()
        soak.number += 1  # the day after the last month: the peak rises listed as "month M+1"
        soak.clock.set(soak.clock() + timedelta(days=1))
        await soak.settle()
        assert soak.bot is not None
        await soak.bot.stop()
        if (last := soak.bot.results[-1]["peak_rss_kib"] / 1024) > soak.peak + 10:
            soak.peak_rises.append(f"stopping: {soak.peak:.0f} → {last:.0f} MiB")
        wall = time.monotonic() - began
        tally = tally_run(soak.db, soak.api, soak.fault_log, soak.ledger, soak.log_path, ADMIN_ID)
    finally:
        if soak.bot is not None:
            await soak.bot.kill()
        await soak.api.stop()
    return soak, tally, wall


def main(argv: Sequence[str] | None = None) -> int:
    """Run the soak and print the figures; 0 unless it crashed."""
    args = parse_args(argv, __doc__.splitlines()[0])
    print(f"soak: {args.partners} partners in networks of {args.per_network}, {args.months} months, fault rate "
          f"{args.fault_rate:g} (replies {args.reply_fault_rate:g}), limits x{args.scale:g}, seed {args.seed}",
          flush=True)
    with tempfile.TemporaryDirectory(prefix="netzpuls-soak-", dir=scratch_dir()) as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        soak, tally, wall = asyncio.run(run(args, folder))
        print(report(soak, tally, wall))
    return 0


if __name__ == "__main__":
    sys.exit(main())
