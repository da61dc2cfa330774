"""The broadcast benchmark's server process (bench._server), seen from the bot's side: start it, configure it, wait
for its events, stop it. It talks JSON lines: configuration and commands on its stdin, events on its stdout.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from collections.abc import Sequence
from typing import Any

from bot.config import PROJECT_ROOT


class ServerProcess:
    """The rate-limited LocalBotApi in a child process of its own (bench._server), seen from the bot's side.

    Every partner is a user who has started the bot. The child records the deliveries itself and reports the figures
    once every partner has a prompt (or the timeout passed, or `finish()` was called) and the grace second is over.
    """

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self._process = process
        self._seen: dict[str, tuple[dict[str, Any], float]] = {}  # event name -> (event, CPU seconds at reading)
        self._changed = asyncio.Condition()
        self._ended = False
        self._reading = asyncio.create_task(self._read(), name="server-process-reader")
        self.base_url = ""
        self.token = ""
        self.stopped: dict[str, Any] | None = None

    @classmethod
    async def start(cls, rate: float, users: Sequence[int], timeout: float, grace: float) -> ServerProcess:
        """Start the child, configure it and wait until it listens; it gives up waiting for deliveries after
        `timeout` seconds on its own (a safety net: the runs say finish() when they stop waiting)."""
        process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bench._server", cwd=PROJECT_ROOT,
                                                       stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                                                       limit=1024 * 1024)
        server = cls(process)
        try:
            named = [[user_id, f"Partner{i + 1}", "en" if i % 4 == 3 else "de"] for i, user_id in enumerate(users)]
            await server._say(json.dumps({"rate": rate, "users": named, "timeout": timeout, "grace": grace}))
            ready = await server._expect("ready", 60.0)
        except BaseException:
            await server.close()
            raise
        server.base_url, server.token = str(ready["base_url"]), str(ready["token"])
        return server

    async def __aenter__(self) -> ServerProcess:
        """The server itself (already started by start())."""
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Make sure the child is gone (close())."""
        await self.close()

    async def _read(self) -> None:
        """Keep each JSON line the child prints, by event name, with this process's CPU seconds at reading."""
        assert self._process.stdout is not None
        try:
            while line := await self._process.stdout.readline():
                event = json.loads(line)
                async with self._changed:
                    self._seen[str(event["event"])] = (event, time.process_time())
                    self._changed.notify_all()
        finally:
            async with self._changed:
                self._ended = True
                self._changed.notify_all()

    async def _say(self, line: str) -> None:
        """Write one line to the child's stdin."""
        assert self._process.stdin is not None
        self._process.stdin.write(line.encode() + b"\n")
        await self._process.stdin.drain()

    async def _expect(self, name: str, timeout: float) -> dict[str, Any]:
        """The event of this name, once the child has said it."""
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: name in self._seen or self._ended)
        if name not in self._seen:
            code = await self._process.wait()
            raise RuntimeError(f"the server process ended (exit code {code}) before saying {name!r}")
        return self._seen[name][0]

    @property
    def cpu_at_complete(self) -> float | None:
        """This process's CPU seconds when the child said every partner has a message."""
        seen = self._seen.get("complete")
        return None if seen is None else seen[1]

    async def complete(self, timeout: float) -> bool:
        """Wait until every partner has a message (True), or the timeout passes (False)."""
        try:
            await self._expect("complete", timeout)
        except TimeoutError:
            return False
        return True

    async def finish(self) -> None:
        """Stop waiting for missing partners (if any) and report after the grace period."""
        await self._say("finish")

    async def report(self, timeout: float) -> dict[str, Any]:
        """The figures, after finish() (or every partner has a prompt, or the child's timeout) and the grace."""
        return await self._expect("report", timeout)

    async def stop(self) -> dict[str, Any]:
        """Stop the server; its peak RSS and CPU seconds."""
        if self.stopped is None:
            await self._say("stop")
            self.stopped = await self._expect("stopped", 30.0)
            await self._process.wait()
        return self.stopped

    async def close(self) -> None:
        """Make sure the child is gone: ask it to stop, kill it if it does not."""
        if self._process.returncode is None:
            try:
                with contextlib.suppress(Exception):  # a failed stop must not hide why the run ended
                    await self.stop()
            finally:
                if self._process.returncode is None:
                    self._process.kill()
                    await self._process.wait()
        self._reading.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reading
