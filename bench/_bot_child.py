"""The real bot in a child process for the benchmarks (soak, throughput): `python -m bench._bot_child CONFIG.json
RESULT.json`, the real Application on a clock the parent moves.

The configuration (a JSON file the parent writes): token, api_url, db_path, tick, rate, scale (Telegram's per-chat limit
is scaled by it too), send_timeout, admins, clock_path (the shared clock file), log_path (records at WARNING and above,
one "LEVEL|logger|message" line each, tracebacks below). The process prints "ready" once the bot polls,
runs until SIGTERM (or SIGINT), stops the bot the way `bot run` does and writes its figures to RESULT.json: peak RSS
(its own VmHWM: ru_maxrss carries the forking parent's peak), CPU seconds, updates handled, the outbox sender's
counters.
"""

from __future__ import annotations

import asyncio
import cProfile
import dataclasses
import json
import logging
import mmap
import os
import resource
import signal
import struct
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import ContextTypes, TypeHandler

from bench._figures import own_peak_kib
from bot.config import PROJECT_ROOT, Settings
from bot.jobs.outbox import OutboxSender
from bot.telegram.app import build_application, start_application, stop_application

_SENDER_KEY = "outbox_sender"  # where bot.telegram.app keeps the OutboxSender in bot_data
_STAMP = struct.Struct("<d")
NO_HEALTH_SERVER: dict[str, Any] = {"health_port": 0}
COUNTING_GROUP = -1000  # before every group of the bot's own handlers: one handler per group runs
LOG_FORMAT = "%(levelname)s|%(name)s|%(message)s"


class ClockFile:
    """A clock in an 8-byte file (seconds since the epoch, UTC): the soak writes it, the bot process reads it."""

    def __init__(self, path: Path, create_at: datetime | None = None) -> None:
        if create_at is not None:
            path.write_bytes(_STAMP.pack(create_at.timestamp()))
        self._file = path.open("r+b")
        self._map = mmap.mmap(self._file.fileno(), _STAMP.size)

    def __call__(self) -> datetime:
        """The moment the file holds now."""
        return datetime.fromtimestamp(_STAMP.unpack_from(self._map, 0)[0], UTC)

    def set(self, moment: datetime) -> None:
        """Move the clock to this moment (never back)."""
        stamp = max(moment.timestamp(), _STAMP.unpack_from(self._map, 0)[0])
        _STAMP.pack_into(self._map, 0, stamp)

    def close(self) -> None:
        """Unmap and close the file."""
        self._map.close()
        self._file.close()


class BotProcess:
    """The bot in a child process (bench._bot_child): started, stopped with SIGTERM, its figures read back."""

    def __init__(self, config: dict[str, Any], folder: Path) -> None:
        self.config_path = folder / "bot-config.json"
        self.config_path.write_text(json.dumps(config), encoding="utf-8")
        self.folder = folder
        self.process: asyncio.subprocess.Process | None = None
        self.results: list[dict[str, Any]] = []

    async def start(self) -> None:
        """Start a bot process and wait until it polls."""
        result = self.folder / f"bot-result-{len(self.results) + 1}.json"
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench._bot_child", str(self.config_path), str(result), cwd=PROJECT_ROOT,
            stdout=asyncio.subprocess.PIPE)
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), 120)
        if line.strip() != b"ready":
            code = await self.process.wait()
            raise RuntimeError(f"the bot process did not start (exit code {code}); see {self.config['log_path']}")

    @property
    def config(self) -> dict[str, Any]:
        """The bot's configuration."""
        loaded: dict[str, Any] = json.loads(self.config_path.read_text(encoding="utf-8"))
        return loaded

    async def stop(self) -> dict[str, Any]:
        """Stop the bot the way a service manager does (SIGTERM) and read its figures."""
        process = self.process
        assert process is not None
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 120)
        self.process = None
        if code != 0:
            raise RuntimeError(f"the bot process ended with exit code {code}; see {self.config['log_path']}")
        result = self.folder / f"bot-result-{len(self.results) + 1}.json"
        self.results.append(json.loads(result.read_text(encoding="utf-8")))
        return self.results[-1]

    def rss_mib(self, key: str = "VmRSS") -> float | None:
        """The bot process's resident memory now (VmRSS) or its peak so far (VmHWM), MiB, from /proc (Linux);
        None where it cannot be read."""
        if self.process is None:
            return None
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text(encoding="utf-8")
        except OSError:
            return None
        line = next((line for line in status.splitlines() if line.startswith(f"{key}:")), None)
        return None if line is None else int(line.split()[1]) / 1024

    def cpu_seconds(self) -> float:
        """CPU seconds of every bot process so far (the running one's from /proc on Linux, else left out)."""
        done = sum(float(result["cpu_seconds"]) for result in self.results)
        if self.process is None:
            return done
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return done
        return done + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime and stime

    async def kill(self) -> None:
        """Make sure no bot process is left (after a crash of the soak)."""
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()


def settings_from(config: dict[str, Any]) -> Settings:
    """The bot's Settings for the soak's configuration; production's defaults for everything else, but no health
    server (its fixed port would clash with anything else on the machine)."""
    settings = Settings(token=str(config["token"]), api_url=str(config["api_url"]), db_path=Path(config["db_path"]),
                        admins=frozenset(int(a) for a in config["admins"]), dialogs_dir=PROJECT_ROOT / "dialogs",
                        locales_dir=PROJECT_ROOT / "locales", log_level="WARNING", send_rate=float(config["rate"]),
                        tick_seconds=float(config["tick"]), send_timeout=float(config["send_timeout"]),
                        # Telegram's per-chat limit scaled like the overall one (one Pacer for replies and outbox).
                        chat_rate=float(config["scale"]))
    known = {field.name for field in dataclasses.fields(Settings)}
    return dataclasses.replace(settings, **{k: v for k, v in NO_HEALTH_SERVER.items() if k in known})


async def run(config: dict[str, Any]) -> dict[str, Any]:
    """Run the bot until SIGTERM; its figures."""
    clock = ClockFile(Path(config["clock_path"]))
    updates: Counter[str] = Counter()

    async def count(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        updates["handled"] += 1

    application = build_application(settings_from(config), clock)
    application.add_handler(TypeHandler(Update, count), group=COUNTING_GROUP)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await start_application(application, poll_timeout=1)
    sender = application.bot_data.get(_SENDER_KEY)
    print("ready", flush=True)
    try:
        await stop.wait()
    finally:
        await stop_application(application)
        clock.close()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"peak_rss_kib": own_peak_kib(), "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "updates": updates["handled"], "sender": dict(sender.stats) if isinstance(sender, OutboxSender) else {}}


def main(argv: list[str]) -> int:
    """Read the configuration, run the bot, write the figures."""
    config = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    logging.basicConfig(level=logging.WARNING, filename=config["log_path"], format=LOG_FORMAT)
    logging.getLogger("apscheduler").setLevel(logging.ERROR)  # skipped ticks: the tick is short on purpose
    if config.get("profile"):  # the bot under cProfile: one stats file per bot process
        profiler = cProfile.Profile()
        figures = profiler.runcall(asyncio.run, run(config))
        profiler.dump_stats(Path(argv[1]).with_suffix(".prof"))
    else:
        figures = asyncio.run(run(config))
    Path(argv[1]).write_text(json.dumps(figures), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
