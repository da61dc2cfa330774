"""The benchmark's fake Bot API server, in a process of its own: `python -m bench._server`.

In production Telegram is remote: its CPU is not the bot's. Run in the bot's process and event loop, the fake server's
own work (HTTP parsing, validation against the API spec, JSON) takes most of a core at a scaled-up rate and the bot's
pacing pays for it. Here it has its own process (and, on a machine with two cores or more, its own core).

It talks to its parent in JSON lines, stdin for commands and stdout for events (logging goes to stderr):

1. parent → child: the configuration, one line: {"rate": messages/s, "users": [[user_id, first_name, language], ...],
   "timeout": s, "grace": s}. Every user has started the bot. The timeout is a safety net: the parent keeps its own
   and says "finish" when it stops waiting.
2. child → parent: {"event": "ready", "base_url", "token", "port"} once the server listens.
3. child → parent: {"event": "complete", "at"} as soon as every user has a message (not said if that never happens).
4. After every user has a message, a "finish" line from the parent or the timeout (whichever comes first), and then
   the grace seconds: {"event": "report", ...} with the figures of `Deliveries.figures()`, the 429 count and the
   requests per method. Times are time.monotonic(): CLOCK_MONOTONIC, the same clock in every process on Linux.
5. After a "stop" line (or the end of stdin): the server stops, {"event": "stopped", "peak_rss_kib", "cpu_seconds"},
   and the process exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import resource
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from bench._figures import own_peak_kib
from localapi.limits import RateLimits
from localapi.server import LocalBotApi

Handler = Callable[[dict[str, Any]], Awaitable[Any]]
_LINE_LIMIT = 64 * 1024 * 1024


class Deliveries:
    """Watches the server's sendMessage handler: which chats got how many messages, and when (time.monotonic)."""

    def __init__(self, api: LocalBotApi, expected: Sequence[int]) -> None:
        self.expected = frozenset(expected)
        self.per_chat: Counter[int] = Counter()
        self.stamps: list[float] = []
        self.cpu_at_first: float | None = None  # this process's CPU seconds at the first accepted send
        self.delivered = 0  # expected chats with at least one message
        self.complete_at: float | None = None
        self.cpu_at_complete: float | None = None
        self.done = asyncio.Event()
        original: Handler = api.implemented["sendMessage"]

        async def send_message(params: dict[str, Any]) -> Any:
            result = await original(params)
            self._accepted(params.get("chat_id"))
            return result

        api.implemented["sendMessage"] = send_message

    def _accepted(self, chat_id: object) -> None:
        """Note one accepted send to this chat: its time, and the moment every expected chat has one."""
        now = time.monotonic()
        if not self.stamps:
            self.cpu_at_first = time.process_time()
        self.stamps.append(now)
        if not isinstance(chat_id, int):
            return
        self.per_chat[chat_id] += 1
        if self.per_chat[chat_id] == 1 and chat_id in self.expected:
            self.delivered += 1
            if self.delivered == len(self.expected):
                self.complete_at = now
                self.cpu_at_complete = time.process_time()
                self.done.set()

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

    def figures(self) -> dict[str, Any]:
        """What the report line carries."""
        busy = (None if self.cpu_at_first is None or self.cpu_at_complete is None
                else self.cpu_at_complete - self.cpu_at_first)
        return {"complete_at": self.complete_at, "first_send_at": self.stamps[0] if self.stamps else None,
                "accepted": len(self.stamps), "duplicates": self.duplicates, "missing": self.missing,
                "peak_per_second": self.peak_per_second(), "longest_pause": self.longest_pause(),
                "cpu_first_to_complete": busy}


def server_limits(rate: float) -> RateLimits:
    """Telegram's limits with the overall rate scaled to `rate` (per chat and per group as Telegram has them)."""
    return RateLimits(overall_per_second=rate)


def say(event: str, **fields: Any) -> None:
    """One JSON line to the parent (nothing if it has gone)."""
    with contextlib.suppress(BrokenPipeError):
        sys.stdout.write(json.dumps({"event": event, **fields}) + "\n")
        sys.stdout.flush()


async def read_commands(reader: asyncio.StreamReader, finish: asyncio.Event, stop: asyncio.Event) -> None:
    """Set `finish` on a "finish" line, both on a "stop" line or the end of stdin."""
    while True:
        line = await reader.readline()
        command = line.decode().strip()
        if command == "finish":
            finish.set()
        elif not line or command == "stop":
            finish.set()
            stop.set()
            return


async def first_of(events: Sequence[asyncio.Event], timeout: float) -> None:
    """Wait until one of the events is set, or the timeout passes."""
    waits = [asyncio.create_task(event.wait()) for event in events]
    try:
        await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()


async def serve() -> int:
    """Read the configuration, serve, report, stop; see the module's docstring."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=_LINE_LIMIT)  # the configuration line lists every user
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    line = await reader.readline()
    if not line:
        return 1
    config = json.loads(line)
    users: list[tuple[int, str, str]] = [(int(u), str(name), str(language)) for u, name, language in config["users"]]
    api = LocalBotApi(limits=server_limits(float(config["rate"])))
    await api.start()
    try:
        for user_id, first_name, language in users:
            api.add_user(user_id, first_name, language_code=language, started=True)
        deliveries = Deliveries(api, [user_id for user_id, _, _ in users])
        finish, stop = asyncio.Event(), asyncio.Event()
        commands = asyncio.create_task(read_commands(reader, finish, stop))
        say("ready", base_url=api.base_url, token=api.token, port=api.port)
        await first_of([deliveries.done, finish], float(config["timeout"]))
        if deliveries.complete_at is not None:
            say("complete", at=deliveries.complete_at)
        await asyncio.sleep(float(config["grace"]))
        say("report", **deliveries.figures(), throttled=api.throttled,
            requests=dict(Counter(request.method for request in api.requests)))
        await stop.wait()
        await commands
    finally:
        await api.stop()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    say("stopped", peak_rss_kib=own_peak_kib(), cpu_seconds=usage.ru_utime + usage.ru_stime)
    return 0


def main() -> int:
    """Serve until the parent says stop."""
    logging.basicConfig(level=logging.WARNING, format="server %(levelname)s %(name)s: %(message)s")
    return asyncio.run(serve())


if __name__ == "__main__":
    sys.exit(main())
