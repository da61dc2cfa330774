"""Liveness and readiness over plain HTTP (GET /healthz, GET /readyz) for Docker and orchestrators, on aiohttp.web."""

from __future__ import annotations

import asyncio
import http.client
import logging
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiohttp import web

from bot.config import Settings

log = logging.getLogger(__name__)

_DB_TIMEOUT = 1.0  # seconds SQLite waits for a lock before the database counts as not answering
_CHECK_TIMEOUT = 5.0  # seconds the whole readiness check may take
_PATHS = ("/healthz", "/readyz")


def database_answers(db_path: Path) -> str | None:
    """None if a fresh read-only connection can query the meta table; else why not, in one line."""
    try:
        uri = f"{db_path.resolve().as_uri()}?mode=ro"
        connection = sqlite3.connect(uri, uri=True, timeout=_DB_TIMEOUT)
        try:
            connection.execute("SELECT 1 FROM meta LIMIT 1").fetchall()
        finally:
            connection.close()
    except (sqlite3.Error, OSError) as error:
        return f"database: {error}"
    return None


class HealthServer:
    """A tiny HTTP server: /healthz while the event loop runs, /readyz while the database and sender work and updates
    come."""

    def __init__(self, db_path: Path, sender_running: Callable[[], bool],
                 stalled: Callable[[], str | None] = lambda: None) -> None:
        self._db_path = db_path
        self._sender_running = sender_running
        self._stalled = stalled
        self._runner: web.AppRunner | None = None

    async def start(self, host: str, port: int) -> None:
        """Listen on host:port in the running event loop."""
        from aiohttp import web  # here, not at import: aiohttp.web costs ~130 ms of every start, also with health off

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)  # one handler: anything else is 404, as 405 is not
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner

    @property
    def port(self) -> int:
        """The port it listens on."""
        assert self._runner is not None and self._runner.addresses, "not started"
        return int(self._runner.addresses[0][1])

    async def close(self) -> None:
        """Stop listening; requests under way are answered."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def readiness(self) -> str | None:
        """None when ready; else the reason, in one line."""
        if not self._sender_running():
            return "outbox sender is not running"
        if (stall := self._stalled()) is not None:  # getting updates has failed for NETZPULS_STALL_MINUTES
            return stall
        try:
            return await asyncio.wait_for(asyncio.to_thread(database_answers, self._db_path), _CHECK_TIMEOUT)
        except TimeoutError:
            return f"database: no answer within {_CHECK_TIMEOUT:g}s"

    async def _handle(self, request: web.Request) -> web.Response:
        from aiohttp import web

        status, body = await self._answer(request.method, request.raw_path.split("?", 1)[0])
        response = web.Response(status=status, text=body + "\n", content_type="text/plain", charset="utf-8",
                                headers={"Cache-Control": "no-store"})
        response.force_close()  # one request per connection, as before
        return response

    async def _answer(self, method: str, path: str) -> tuple[int, str]:
        """(status, one-line body) for a request; aiohttp leaves out the body of a HEAD request."""
        if method not in ("GET", "HEAD") or path not in _PATHS:
            return 404, "not found"
        if path == "/healthz":
            return 200, "ok"
        reason = await self.readiness()
        if reason is not None:
            log.warning("not ready: %s", reason)
            return 503, reason
        return 200, "ready"


async def start_health(settings: Settings, sender_running: Callable[[], bool],
                       stalled: Callable[[], str | None] = lambda: None) -> HealthServer | None:
    """The health server on NETZPULS_HEALTH_LISTEN:PORT; None when it is off or the port cannot be had.
    `stalled` tells why getting updates fails for too long (None: it works)."""
    if settings.health_port == 0:
        return None
    server = HealthServer(settings.db_path, sender_running, stalled)
    try:
        await server.start(settings.health_listen, settings.health_port)
    except OSError as error:
        # The bot itself works without it; a HEALTHCHECK then reports the container unhealthy.
        log.error("health server cannot listen on %s:%d: %s", settings.health_listen, settings.health_port, error)
        return None
    log.info("health checks on http://%s:%d/healthz and /readyz", settings.health_listen, server.port)
    return server


async def stop_health(server: object) -> None:
    """Close a health server from start_health (None or anything else: nothing to do)."""
    if isinstance(server, HealthServer):
        await server.close()


def health_command(settings: Settings) -> int:
    """`python -m bot health`: 0 if /readyz answers 200, else 1 with the reason on stderr (Docker's HEALTHCHECK)."""
    if settings.health_port == 0:
        print("not ready: the health server is off (NETZPULS_HEALTH_PORT=0)", file=sys.stderr)
        return 1
    # A server listening on every address is asked on loopback.
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(settings.health_listen,
                                                                      settings.health_listen)
    connection = http.client.HTTPConnection(host, settings.health_port, timeout=_CHECK_TIMEOUT + 2)
    try:
        connection.request("GET", "/readyz")
        response = connection.getresponse()
        body = response.read().decode("utf-8", "replace").strip()
    except (OSError, http.client.HTTPException) as error:
        print(f"not ready: no answer from http://{host}:{settings.health_port}/readyz: {error}", file=sys.stderr)
        return 1
    finally:
        connection.close()
    if response.status != 200:
        print(f"not ready: {response.status} {body}", file=sys.stderr)
        return 1
    return 0
