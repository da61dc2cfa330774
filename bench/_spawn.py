"""Shared by bench.startup and bench.memory: the real bot (`python -m bot run`, as production starts it) or the bare
PTB echo bot (`python -m bench._echo_bot`) in a child process, against a LocalBotApi in the benchmark's own process
(so the server's CPU and memory are not charged to the bot); the first getUpdates it receives; memory from /proc.

`python -m bench._spawn steps OUT.json` runs `python -m bot run` in this process with its start-up steps timed
(wall clock; nothing else is imported first) and writes them to OUT.json when the bot stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import os
import signal
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the steps child imports nothing but the bot
    from localapi.server import LocalBotApi

PROJECT_ROOT = Path(__file__).resolve().parent.parent

ECHO = "bare PTB echo bot"
ROUND_DUE = "2027-01-05T09:00+01:00"  # the first Tuesday of January 2027, 09:00 in Berlin: the rounds are due
MIB = 1024 * 1024
GOAL_BYTES = 150 * 10**6  # "150 MB", read conservatively as 10^6 bytes: 143.1 MiB
_SETTINGS_PREFIXES = ("TELEGRAM_", "NETZPULS_")


def bot_env(api: LocalBotApi, db_path: Path, folder: Path, *, send_rate: float = 30.0,
            bytecode: Path | None = None) -> dict[str, str]:
    """The child's environment: this one without any Netzpuls setting of the shell, plus the benchmark's settings
    (token and URL of the local server, the database, no health server, no .env file, WARNING logs). With
    `bytecode`, modules are byte-compiled into that folder, as the Docker image has them (`compileall`)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_SETTINGS_PREFIXES)}
    env.update({"TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_URL": api.base_url, "NETZPULS_DB": str(db_path),
                "NETZPULS_HEALTH_PORT": "0", "NETZPULS_ENV_FILE": str(folder / "no-such.env"),
                "NETZPULS_LOG_LEVEL": "WARNING", "NETZPULS_SEND_RATE": f"{send_rate:g}",
                "PYTHONPATH": str(PROJECT_ROOT)})
    if bytecode is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(bytecode)
    return env


def ours_command(clock_start: str | None = None, speed: float = 1.0, python: Sequence[str] = ()) -> list[str]:
    """`python [python options] -m bot run [--clock-start T --clock-speed N]`."""
    clock = ["--clock-start", clock_start, "--clock-speed", f"{speed:g}"] if clock_start else []
    return [sys.executable, *python, "-m", "bot", "run", *clock]


def echo_command(api: LocalBotApi, result: Path | None = None, python: Sequence[str] = ()) -> list[str]:
    """`python [python options] -m bench._echo_bot TOKEN API_URL [RESULT.json]`."""
    return [sys.executable, *python, "-m", "bench._echo_bot", api.token, api.base_url,
            *([str(result)] if result else [])]


def exit_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit, so that the benchmark's finally blocks stop its children."""
    signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(143))


def proc_status(pid: int) -> dict[str, int]:
    """The memory lines of /proc/PID/status in bytes (VmHWM, VmRSS, RssAnon, RssFile, RssShmem); {} if gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return {}
    wanted = ("VmHWM", "VmRSS", "RssAnon", "RssFile", "RssShmem")
    return {key: int(rest.split()[0]) * 1024 for key, _, rest in (line.partition(":") for line in text.splitlines())
            if key in wanted}


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a running process, from /proc/PID/stat."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class FirstPoll:
    """Notes time.monotonic() of the first getUpdates the server receives (and the child's memory then)."""

    def __init__(self, api: LocalBotApi) -> None:
        self.at: float | None = None
        self.memory: dict[str, int] = {}
        self.pid: int | None = None
        self.event = asyncio.Event()
        original = api.implemented["getUpdates"]

        async def get_updates(params: dict[str, Any]) -> Any:
            if self.at is None:
                self.at = time.monotonic()
                self.memory = proc_status(self.pid) if self.pid else {}
                self.event.set()
            return await original(params)

        api.implemented["getUpdates"] = get_updates

    def reset(self) -> None:
        """Wait for the next child's first poll."""
        self.at, self.memory, self.pid = None, {}, None
        self.event.clear()


class Child:
    """One child process: started with its output in a log file, stopped with SIGTERM, killed if it must be."""

    def __init__(self, command: Sequence[str], env: dict[str, str], log_path: Path) -> None:
        self.command, self.env, self.log_path = list(command), env, log_path
        self.process: asyncio.subprocess.Process | None = None
        self.started_at = 0.0
        self.last_memory: dict[str, int] = {}  # /proc status read last while it stopped

    async def start(self) -> int:
        """Spawn the process; time.monotonic() is taken right before; its pid."""
        with self.log_path.open("ab") as log:
            self.started_at = time.monotonic()
            self.process = await asyncio.create_subprocess_exec(
                *self.command, env=self.env, cwd=PROJECT_ROOT, stdin=asyncio.subprocess.DEVNULL, stdout=log,
                stderr=asyncio.subprocess.STDOUT)
        return self.process.pid

    @property
    def pid(self) -> int:
        """The process id."""
        assert self.process is not None
        return self.process.pid

    @property
    def running(self) -> bool:
        """Whether the process is still alive."""
        return self.process is not None and self.process.returncode is None

    async def until(self, event: asyncio.Event, timeout: float) -> None:
        """Wait for an event; fail with the log's tail if the process ends first or the timeout passes."""
        assert self.process is not None
        waiter, ended = asyncio.create_task(event.wait()), asyncio.create_task(self.process.wait())
        try:
            await asyncio.wait([waiter, ended], timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
            ended.cancel()
        if not event.is_set():
            why = "ended" if not self.running else f"did not get there in {timeout:g} s"
            raise RuntimeError(f"{' '.join(self.command[1:4])}… {why}; its log ends:\n{self.tail()}")

    async def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM, as a service manager stops it; killed after `timeout` seconds; the exit code. Its memory is read
        until it exits (last_memory): ru_maxrss would not do, as Linux carries the forking parent's peak into it."""
        process = self.process
        if process is None:
            return 0
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while process.returncode is None and time.monotonic() < deadline:  # the last VmHWM before it exits
                if "VmHWM" in (memory := proc_status(process.pid)):
                    self.last_memory = memory
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(process.wait(), 0.01)
            if process.returncode is None:
                process.kill()
                await process.wait()
        return int(process.returncode or 0)

    async def kill(self) -> None:
        """Make sure the process is gone (after an error)."""
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()

    def tail(self, lines: int = 15) -> str:
        """The last lines of the child's output."""
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        return ""

    def errors(self) -> list[str]:
        """Lines of the child's output that report an error or a traceback."""
        with contextlib.suppress(OSError):
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
            return [line for line in text.splitlines() if " ERROR " in line or line.startswith("Traceback")]
        return []


def read_json(path: Path) -> dict[str, Any]:
    """A result file the child wrote ({} if none)."""
    with contextlib.suppress(OSError, ValueError):
        loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return loaded
    return {}


def mib(value: float | None) -> str:
    """Bytes as MiB, one decimal."""
    return "—" if value is None else f"{value / MIB:.1f}"


def _timed(owner: Any, name: str, label: str, marks: list[tuple[str, float, float]]) -> None:
    """Replace owner.name by a wrapper that appends (label, start, end) in time.monotonic() to marks."""
    original: Callable[..., Any] = getattr(owner, name)
    if inspect.iscoroutinefunction(original):
        async def timed_async(*args: Any, **kwargs: Any) -> Any:
            began = time.monotonic()
            try:
                return await original(*args, **kwargs)
            finally:
                marks.append((label, began, time.monotonic()))
        setattr(owner, name, timed_async)
    else:
        def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.monotonic()
            try:
                return original(*args, **kwargs)
            finally:
                marks.append((label, began, time.monotonic()))
        setattr(owner, name, timed)


def steps_main(out: Path) -> int:
    """Run the bot (`bot run`) with its start-up steps timed; the marks go to `out` when it stops."""
    marks = [("python started, bench._spawn imported", 0.0, time.monotonic())]
    began = time.monotonic()
    import telegram
    import telegram.ext
    import telegram.request

    import bot.cli.main
    import bot.jobs.backup
    import bot.jobs.outbox
    import bot.telegram.app
    import bot.telegram.webhook  # as `bot run` imports it
    import bot.usecases.scripts
    marks.append(("imports (bot.cli.main, bot.telegram.app, bot.telegram.webhook and all)", began, time.monotonic()))
    for owner, name, label in (
            (bot.jobs.backup, "check_integrity", "check_integrity (PRAGMA quick_check)"),
            (bot.telegram.app, "check_integrity", "check_integrity (PRAGMA quick_check)"),
            (bot.telegram.app, "build_application", "build_application (builder, handlers, HTTP clients)"),
            (telegram.ext.Application, "initialize", "Application.initialize"),
            (telegram.Bot, "initialize", "Bot.initialize (getMe)"),
            (telegram.request.HTTPXRequest, "__init__", "HTTPXRequest (an httpx client: SSL context, CA file)"),
            (bot.telegram.app, "post_init", "post_init"),
            (bot.telegram.app, "open_db", "open_db (WAL, migrations)"),
            (bot.telegram.app, "compile_catalogs", "compile_catalogs"),
            (bot.usecases.scripts.ScriptRegistry, "load_directory", "load scripts (YAML, validate, store)"),
            (bot.telegram.app, "Catalogs", "Catalogs (load .mo)"),
            (bot.telegram.app, "set_default_menus", "set_default_menus (setMyCommands)"),
            (bot.telegram.app, "introduce", "introduce (getMyDescription, setMyDescription if changed)"),
            (bot.telegram.app, "queue_consent_renewals", "queue_consent_renewals"),
            (bot.jobs.outbox.OutboxSender, "start", "OutboxSender.start"),
            (bot.telegram.app, "start_health", "start_health"),
            (telegram.ext.Updater, "start_polling", "Updater.start_polling (deleteWebhook, first getUpdates)")):
        _timed(owner, name, label, marks)
    code = bot.cli.main.main(["run"])
    out.write_text(json.dumps(marks), encoding="utf-8")
    return code


if __name__ == "__main__":
    if sys.argv[1:2] != ["steps"] or len(sys.argv) != 3:
        sys.exit("usage: python -m bench._spawn steps OUT.json")
    sys.exit(steps_main(Path(sys.argv[2])))
