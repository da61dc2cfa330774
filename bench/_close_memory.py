"""Memory at a round's close, for bench.memory: `python -m bot run` started on the rounds' close time over a copy of
the benchmark's database (a round open, some partners answered; `--close-rounds` of them close), until every closed
round is reported (digests,
charts, network maps queued) and the outbox is empty; its charts drawn in a short-lived worker process
(NETZPULS_REPORT_WORKER=1, the default) or in the bot's own process (0). The peak is the bot process's own VmHWM; the
worker's, read while it runs, is shown beside it."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from bench._figures import Figure, ratio
from bench._soak_world import rounds_close
from bench._spawn import MIB, Child, bot_env, ours_command, proc_status
from localapi.server import LocalBotApi
from storage.db import open_db
from storage.reports import rounds_to_report

PERIOD = "2027-01"  # the month bench.memory's round opens in
POLL = 0.05  # seconds between looks at the child's memory


@dataclass
class Close:
    """One close run: the bot's peak and RSS once all was reported, the worker's peak, rounds reported, seconds."""

    mode: str
    peak: int = 0
    rss_after: int = 0
    worker_peak: int = 0
    seconds: float = 0.0
    reports: int = 0


def _copy(source: Path, target: Path, rounds: int) -> None:
    """A consistent copy of the database (the bot that wrote it has stopped; the backup API all the same) in which
    only the first `rounds` open rounds close when the others do: each close costs about a second of drawing, and
    the peak comes from drawing one, not from how many."""
    with sqlite3.connect(source) as old, sqlite3.connect(target) as new:
        old.backup(new)
    with sqlite3.connect(target) as new:
        new.execute("UPDATE rounds SET closes_at = '2099-12-31T00:00:00+00:00' WHERE status = 'open' AND id NOT IN "
                    "(SELECT id FROM rounds WHERE status = 'open' ORDER BY id LIMIT ?)", [rounds])


def _children(pid: int) -> list[int]:
    """The child processes of a process, started by any of its threads (the worker, multiprocessing's resource
    tracker)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _reported(db_path: Path) -> tuple[bool, int]:
    """Whether every round is closed and reported and nothing waits in the outbox; how many rounds are reported."""
    db = open_db(db_path)
    try:
        still_open = db.execute("SELECT COUNT(*) FROM rounds WHERE status = 'open' AND closes_at < '2099'"
                                ).fetchone()[0]
        waiting = db.execute("SELECT COUNT(*) FROM outbox WHERE status IN ('queued', 'sending')").fetchone()[0]
        reported = db.execute("SELECT COUNT(*) FROM round_reports").fetchone()[0]
        return still_open == 0 and waiting == 0 and not rounds_to_report(db), int(reported)
    finally:
        db.close()


async def close_run(source: Path, folder: Path, worker: bool, rounds: int, timeout: float) -> Close:
    """Start the bot at the close time with the worker on or off, `rounds` rounds closing; its memory until every
    one is reported."""
    mode = "worker process" if worker else "in-process"
    result = Close(mode)
    db_path = folder / f"close-{'worker' if worker else 'inline'}.db"
    _copy(source, db_path, rounds)
    db = open_db(db_path)
    try:
        closes = rounds_close(db, PERIOD)
        users = db.execute("SELECT id, first_name, locale FROM users").fetchall()
    finally:
        db.close()
    api = LocalBotApi()
    await api.start()
    for user_id, first_name, locale in users:
        api.add_user(user_id, first_name, locale, started=True)
    env = bot_env(api, db_path, folder, send_rate=1000.0)
    env["NETZPULS_REPORT_WORKER"] = "1" if worker else "0"
    child = Child(ours_command(closes.isoformat(), 1.0), env, folder / f"close-{'worker' if worker else 'inline'}.log")
    try:
        await child.start()
        deadline = time.monotonic() + timeout
        looked = 0.0
        while True:
            memory = proc_status(child.pid)
            result.peak = max(result.peak, memory.get("VmHWM", 0))
            for pid in _children(child.pid):
                result.worker_peak = max(result.worker_peak, proc_status(pid).get("VmHWM", 0))
            if time.monotonic() - looked > 1.0:  # the database less often than the memory
                looked = time.monotonic()
                done, result.reports = _reported(db_path)
                if done and result.reports:
                    result.rss_after = memory.get("VmRSS", 0)
                    break
            if not child.running or time.monotonic() > deadline:
                raise RuntimeError(f"the close ({mode}) did not finish in {timeout:g} s; its log ends:\n{child.tail()}")
            await asyncio.sleep(POLL)
        result.seconds = time.monotonic() - child.started_at
        await child.stop()
        result.peak = max(result.peak, child.last_memory.get("VmHWM", 0))
    finally:
        await child.kill()
        await api.stop()
    return result


def close_lines(runs: list[Close]) -> list[str]:
    """Worker and in-process side by side."""
    return [f"round close, {r.mode}: bot peak {r.peak / MIB:.1f} MiB, RSS once reported {r.rss_after / MIB:.1f} MiB, "
            f"worker peak {r.worker_peak / MIB:.1f} MiB, {r.reports} round(s) reported in {r.seconds:.1f} s"
            for r in runs]


def close_figure(worker: Close, inline: Close) -> Figure:
    """The bot process's peak at the close with the worker, against drawing in its own process."""
    return Figure("memory", "peak RSS (VmHWM) of the bot process at a round's close, charts in a worker process",
                  "MiB", worker.peak / MIB, inline.peak / MIB, "charts in the bot's own process",
                  ratio(worker.peak, inline.peak),
                  note=f"worker's own peak {worker.worker_peak / MIB:.1f} MiB; {worker.reports} round(s) reported")
