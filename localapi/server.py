"""A local fake Telegram Bot API server on 127.0.0.1 for tests and offline demos, in the running loop."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import struct
import time
from collections import Counter
from types import TracebackType
from typing import Any

from aiohttp import web

from localapi.faults import Faults, Reset, Stall, too_many_requests
from localapi.limits import RateLimits, SendLimiter, sends_message
from localapi.methods import BotApiMethods
from localapi.objects import (
    CallbackAnswer,
    Failure,
    FakeUser,
    MessageVersion,
    RecordedRequest,
    RefusedRequest,
    SentMessage,
)
from localapi.spec import ApiError, ApiSpec, UploadedFile

__all__ = [
    "ApiError",
    "CallbackAnswer",
    "FakeUser",
    "LocalBotApi",
    "MessageVersion",
    "RateLimits",
    "RecordedRequest",
    "RefusedRequest",
    "SentMessage",
]

log = logging.getLogger(__name__)

DEFAULT_TOKEN = "123456:TEST-token-0123456789abcdefghijklmnopq"
_MAX_BODY = 64 * 1024 * 1024


class LocalBotApi(BotApiMethods):
    """The fake Bot API: HTTP on 127.0.0.1, validation against the spec, error injection, test helpers."""

    def __init__(self, token: str = DEFAULT_TOKEN, bot_username: str = "netzpuls_test_bot",
                 bot_id: int = 1000, *, host: str = "127.0.0.1", port: int = 0,
                 check_results: bool = True, limits: RateLimits | None = None) -> None:
        super().__init__(bot_username, bot_id)
        self.spec = ApiSpec.load()
        self.check_results = check_results
        self._token = token
        self._host = host
        self._requested_port = port
        self._port: int | None = None
        self._runner: web.AppRunner | None = None
        self.faults = Faults()
        self.throttled = 0  # sends refused with 429 by the rate limits
        self.stalls_processed = 0
        self.stalls_unprocessed = 0
        self.resets_processed = 0
        self.resets_unprocessed = 0
        self._limiter: SendLimiter | None = None
        self.limits = limits

    # --- lifecycle --------------------------------------------------------------------------------

    @property
    def token(self) -> str:
        """The bot token the server accepts."""
        return self._token

    @property
    def port(self) -> int:
        """The TCP port the server listens on (after start)."""
        if self._port is None:
            raise RuntimeError("LocalBotApi is not started")
        return self._port

    @property
    def url(self) -> str:
        """The server's root URL."""
        return f"http://{self._host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What ApplicationBuilder().base_url() takes; PTB appends the token."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """What ApplicationBuilder().base_file_url() takes; PTB appends the token and the file path."""
        return f"{self.url}/file/bot"

    async def start(self) -> None:
        """Listen on host:port (a free port by default) in the running event loop."""
        app = web.Application(client_max_size=_MAX_BODY)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self.closing = False
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self._host, self._requested_port)
        await site.start()
        self._runner = runner
        self._port = int(runner.addresses[0][1])
        self.start_delivery()  # posts updates while a webhook is set (see webhook_target)
        log.info("Local Bot API listening on %s", self.base_url)

    async def stop(self) -> None:
        """End pending long polls and stop listening."""
        self.closing = True
        self.notify()
        await self.stop_delivery()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> LocalBotApi:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        traceback: TracebackType | None) -> None:
        await self.stop()

    # --- error injection --------------------------------------------------------------------------

    def _method(self, method: str) -> str:
        try:
            return self.spec.method_name(method)
        except ApiError:
            raise ValueError(f"{method!r} is not a Bot API method") from None

    def fail_next(self, method: str, error_code: int, description: str, *, retry_after: int | None = None,
                  times: int = 1) -> None:
        """Refuse the next `times` valid calls of a method with this error (429, 500, 403...)."""
        self.faults.queue(self._method(method), Failure(error_code, description, retry_after, times))

    def stall_next(self, method: str, seconds: float, *, processed: bool, times: int = 1) -> None:
        """Hold the next `times` valid calls of a method for `seconds` before answering.

        processed=True carries the call out first (Telegram got it, the answer is lost in flight);
        processed=False never carries it out (the request did not reach Telegram).
        """
        self.faults.queue(self._method(method), Stall(seconds, processed, times))

    def reset_next(self, method: str, *, processed: bool, times: int = 1) -> None:
        """Reset the connection of the next `times` valid calls of a method instead of answering.

        processed=True carries the call out first (Telegram got it, the answer is lost in flight);
        processed=False never carries it out (the connection broke before the request reached Telegram).
        """
        self.faults.queue(self._method(method), Reset(processed, times))

    def chaos(self, probability: float, *, seed: int, method: str = "sendMessage",
              kinds: tuple[str, ...] = ("429", "500", "502", "stall"), retry_after: int = 1,
              stall_seconds: float = 2.0) -> None:
        """Let each valid call of a method fail at random (seeded) with the probability, in one of `kinds`."""
        self.faults.set_chaos(self._method(method), probability, seed=seed, kinds=kinds,
                              retry_after=retry_after, stall_seconds=stall_seconds)

    def chaos_off(self) -> None:
        """Stop the random faults of chaos()."""
        self.faults.chaos_off()

    @property
    def injected(self) -> Counter[str]:
        """What fail_next, stall_next, reset_next and chaos did, by kind: "429", "500", "502", "stall",
        "stall_processed", "reset", "reset_processed"."""
        return self.faults.injected

    @property
    def limits(self) -> RateLimits | None:
        """The enforced send limits; None (the default) enforces none."""
        return self._limiter.limits if self._limiter else None

    @limits.setter
    def limits(self, limits: RateLimits | None) -> None:
        self._limiter = SendLimiter(limits) if limits is not None else None

    async def _hold(self, seconds: float) -> None:
        """Sleep for a stall; cut short when the server stops."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not self.closing and (remaining := deadline - loop.time()) > 0:
            await self.wait_for_change(remaining)

    # --- HTTP -------------------------------------------------------------------------------------

    async def _handle_method(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self._token:
            return self._refuse(request, method, ApiError(401, "Unauthorized"))
        stall: Stall | None = None
        try:
            name = self.spec.method_name(method)
            params = self.spec.validate(name, await self._read_params(request))
            self.requests.append(RecordedRequest(name, params, time.monotonic()))
            self.notify()
            fault = self.faults.next(name)
            if isinstance(fault, ApiError):
                raise fault
            if isinstance(fault, Reset):
                return await self._reset(request, name, params, fault)
            stall = fault
            if stall is not None and not stall.processed:
                self.stalls_unprocessed += 1
                await self._hold(stall.seconds)
                raise ApiError(504, "Gateway Timeout")  # only seen by a client that waited this long
            result = await self._carry_out(name, params)
        except ApiError as err:
            response = self._refuse(request, method, err)
        except ConnectionResetError:  # the client died before its request was read (a SIGKILL): nothing was done
            log.info("a client went away before its %s request arrived", method)
            return web.Response(status=499, text="client closed request")  # nobody is left to read it
        except Exception as err:
            log.exception("Local Bot API crashed on %s", method)
            response = self._refuse(request, method, ApiError(500, f"Internal Server Error: {err!r}"))
        else:
            response = web.json_response({"ok": True, "result": result})
        if stall is not None and stall.processed:
            self.stalls_processed += 1
            await self._hold(stall.seconds)
        return response

    async def _reset(self, request: web.Request, name: str, params: dict[str, Any], reset: Reset) -> web.Response:
        """Carry the call out (if processed) and drop the connection with a TCP reset instead of answering."""
        if reset.processed:
            self.resets_processed += 1
            with contextlib.suppress(ApiError):  # refused or not: the client learns nothing either way
                await self._carry_out(name, params)
        else:
            self.resets_unprocessed += 1
        transport = request.transport
        if transport is not None:
            sock = transport.get_extra_info("socket")
            if sock is not None:  # linger 0: close() sends RST, the client reads "connection reset by peer"
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            transport.abort()
        return web.Response(status=500)  # never reaches the client: aiohttp drops it on the closed transport

    async def _carry_out(self, name: str, params: dict[str, Any]) -> Any:
        """Run a method's handler, within the send limits if they are on."""
        handler = self.implemented.get(name)
        if handler is None:
            log.warning("Local Bot API: %s is not supported (params %s)", name, sorted(params))
            raise ApiError(400, "Bad Request: method not supported by the local server")
        limiter = self._limiter if sends_message(name) else None
        chat_id = params.get("chat_id")
        if limiter is not None and isinstance(chat_id, int | str):
            if retry_after := limiter.acquire(chat_id):
                self.throttled += 1
                raise too_many_requests(retry_after)
            try:
                result = await handler(params)
            except BaseException:
                limiter.release(chat_id)
                raise
        else:
            result = await handler(params)
        if self.check_results:
            self.spec.check_result(name, result)
        return result

    def _refuse(self, request: web.Request, method: str, err: ApiError) -> web.Response:
        gone = request.transport is None or request.transport.is_closing()
        if not gone:  # a long poll whose client went away (a stopped bot) is nobody's error
            name = self.spec.method_name(method) if self.spec.has_method(method) else method
            self.errors.append(RefusedRequest(name, err.error_code, err.description))
            self.notify()
        return web.json_response(err.to_json(), status=err.error_code)

    @staticmethod
    async def _read_params(request: web.Request) -> dict[str, Any]:
        """Parameters from the query string and a form, multipart or JSON body."""
        params: dict[str, Any] = dict(request.query)
        if not request.body_exists:
            return params
        if request.content_type == "application/json":
            try:
                body = json.loads(await request.text())
            except ValueError:
                raise ApiError(400, "Bad Request: can't parse JSON request body") from None
            if not isinstance(body, dict):
                raise ApiError(400, "Bad Request: request body must be a JSON object")
            params.update(body)
            return params
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                params[key] = UploadedFile(value.filename, value.file.read(), value.content_type)
            else:
                params[key] = value if isinstance(value, str) else bytes(value).decode()
        return params

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self._token:
            raise web.HTTPNotFound()
        path = request.match_info["path"]
        stored = next((f for f in self.files.values() if f.file_path == path and f.content is not None), None)
        if stored is None or stored.content is None:
            raise web.HTTPNotFound()
        return web.Response(body=stored.content, content_type=stored.mime_type or "application/octet-stream")
