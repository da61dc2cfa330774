"""A local fake Telegram Bot API server on 127.0.0.1 for tests and offline demos, in the running loop."""

from __future__ import annotations

import json
import logging
from types import TracebackType
from typing import Any

from aiohttp import web

from bot.localapi.methods import BotApiMethods
from bot.localapi.objects import (
    CallbackAnswer,
    Failure,
    FakeUser,
    MessageVersion,
    RecordedRequest,
    RefusedRequest,
    SentMessage,
)
from bot.localapi.spec import ApiError, ApiSpec, UploadedFile

__all__ = [
    "ApiError",
    "CallbackAnswer",
    "FakeUser",
    "LocalBotApi",
    "MessageVersion",
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
                 check_results: bool = True) -> None:
        super().__init__(bot_username, bot_id)
        self.spec = ApiSpec.load()
        self.check_results = check_results
        self._token = token
        self._host = host
        self._requested_port = port
        self._port: int | None = None
        self._runner: web.AppRunner | None = None
        self._failures: dict[str, list[Failure]] = {}

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
        log.info("Local Bot API listening on %s", self.base_url)

    async def stop(self) -> None:
        """End pending long polls and stop listening."""
        self.closing = True
        self.notify()
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

    def fail_next(self, method: str, error_code: int, description: str, *, retry_after: int | None = None,
                  times: int = 1) -> None:
        """Refuse the next `times` valid calls of a method with this error (429, 500, 403...)."""
        try:
            name = self.spec.method_name(method)
        except ApiError:
            raise ValueError(f"{method!r} is not a Bot API method") from None
        self._failures.setdefault(name, []).append(Failure(error_code, description, retry_after, times))

    def _injected(self, method: str) -> None:
        queue = self._failures.get(method)
        if not queue:
            return
        failure = queue[0]
        failure.times -= 1
        if failure.times <= 0:
            queue.pop(0)
        raise ApiError(failure.error_code, failure.description, failure.retry_after)

    # --- HTTP -------------------------------------------------------------------------------------

    async def _handle_method(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self._token:
            return self._refuse(request, method, ApiError(401, "Unauthorized"))
        try:
            name = self.spec.method_name(method)
            params = self.spec.validate(name, await self._read_params(request))
            self.requests.append(RecordedRequest(name, params))
            self.notify()
            self._injected(name)
            handler = self.implemented.get(name)
            if handler is None:
                log.warning("Local Bot API: %s is not supported (params %s)", name, sorted(params))
                raise ApiError(400, "Bad Request: method not supported by the local server")
            result = await handler(params)
            if self.check_results:
                self.spec.check_result(name, result)
        except ApiError as err:
            return self._refuse(request, method, err)
        except Exception as err:
            log.exception("Local Bot API crashed on %s", method)
            return self._refuse(request, method, ApiError(500, f"Internal Server Error: {err!r}"))
        return web.json_response({"ok": True, "result": result})

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
