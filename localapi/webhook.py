"""Webhooks on the local Bot API: setWebhook, deleteWebhook, getWebhookInfo, and posting updates like Telegram."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import logging
import re
import time
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import urlsplit

import aiohttp

from localapi.objects import JSON
from localapi.spec import ApiError
from localapi.world import TelegramWorld

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_NOT_DEFAULT_UPDATES = {"chat_member", "message_reaction", "message_reaction_count"}
_IDLE = 1.0  # seconds between looks for work when nothing changes
_RETRY = 0.05  # seconds before the first retry of a refused delivery; doubles up to _MAX_RETRY
_MAX_RETRY = 1.0
_POST_TIMEOUT = 10.0


@dataclass(frozen=True)
class WebhookPost:
    """One delivery attempt: which update, and the HTTP status it got (None: no answer)."""

    update_id: int
    status: int | None


def _phrase(status: int) -> str:
    """The standard reason phrase of a status, as Telegram quotes it (not the server's own wording)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _loopback(url: str) -> bool:
    """Whether a URL is http(s) on this machine: the only place the local server posts to."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


class WebhookMethods(TelegramWorld):
    """The webhook methods and the delivery loop; while a webhook is set, getUpdates is refused (409)."""

    def __init__(self, bot_username: str, bot_id: int) -> None:
        super().__init__(bot_username, bot_id)
        self.webhook: JSON | None = None
        self.allowed_updates: list[str] | None = None
        self.closing = False
        self.webhook_posts: list[WebhookPost] = []
        self._webhook_target: str | None = None
        self._last_webhook_error: tuple[int, str] | None = None
        self._delivery: asyncio.Task[None] | None = None

    @property
    def webhook_target(self) -> str | None:
        """Where updates are really posted while a webhook is set; stands for a TLS-terminating reverse proxy.

        setWebhook takes only HTTPS URLs and the server keeps and reports that URL, but posts to this plain
        loopback URL (e.g. "http://127.0.0.1:PORT/telegram"); without it nothing is posted.
        """
        return self._webhook_target

    @webhook_target.setter
    def webhook_target(self, url: str | None) -> None:
        if url is not None and not _loopback(url):
            raise ValueError(f"the local server posts only to this machine (http://127.0.0.1:...), not to {url!r}")
        self._webhook_target = url
        self.notify()

    def _deliverable(self) -> list[JSON]:
        """Pending updates of the allowed kinds; updates of other kinds are dropped, as on Telegram."""
        def allowed(update: JSON) -> bool:
            kind = next(k for k in update if k != "update_id")
            return kind in self.allowed_updates if self.allowed_updates else kind not in _NOT_DEFAULT_UPDATES

        self.updates[:] = [u for u in self.updates if allowed(u)]
        return list(self.updates)

    # --- methods ----------------------------------------------------------------------------------

    async def _delete_webhook(self, params: JSON) -> bool:
        self.webhook = None
        self._last_webhook_error = None
        if params.get("drop_pending_updates"):
            self.updates.clear()
        self.notify()
        return True

    async def _set_webhook(self, params: JSON) -> bool:
        if not params["url"]:
            return await self._delete_webhook(params)
        if not params["url"].startswith("https://"):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        if "secret_token" in params and not _SECRET_TOKEN.fullmatch(str(params["secret_token"])):
            raise ApiError(400, "Bad Request: bad webhook: secret token contains unallowed characters or is "
                                "longer than 256 characters")
        if "allowed_updates" in params:
            self.allowed_updates = params["allowed_updates"] or None
        self.webhook = {k: v for k, v in params.items() if k != "certificate"}
        self._last_webhook_error = None
        if params.get("drop_pending_updates"):
            self.updates.clear()
        self.notify()
        return True

    async def _get_webhook_info(self, params: JSON) -> JSON:
        info: JSON = {"url": "", "has_custom_certificate": False, "pending_update_count": len(self._deliverable())}
        if self.webhook:
            info["url"] = self.webhook["url"]
            for key in ("max_connections", "ip_address", "allowed_updates"):
                if key in self.webhook:
                    info[key] = self.webhook[key]
            if self._last_webhook_error is not None:
                info["last_error_date"], info["last_error_message"] = self._last_webhook_error
        return info

    # --- delivery ---------------------------------------------------------------------------------

    def start_delivery(self) -> None:
        """Start the delivery loop in the running event loop (the server does, when it starts)."""
        self._delivery = asyncio.create_task(self.deliver_webhook_updates(), name="local-api-webhook")

    async def stop_delivery(self) -> None:
        """End the delivery loop, also in the middle of a POST."""
        task, self._delivery = self._delivery, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def deliver_webhook_updates(self) -> None:
        """Until the server closes: while a webhook is set, POST pending updates in order, one at a time."""
        failures = 0
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=_POST_TIMEOUT)) as session:
            while not self.closing:
                target = self._webhook_target
                pending = self._deliverable() if self.webhook and target else []
                if not pending or target is None:
                    await self.wait_for_change(_IDLE)
                    continue
                update = pending[0]
                if await self._post(session, target, update):
                    failures = 0
                    self.updates[:] = [u for u in self.updates if u["update_id"] != update["update_id"]]
                    self.notify()
                else:  # as Telegram does: the same update again after a pause, nothing after it meanwhile
                    failures += 1
                    await self._pause(min(_RETRY * 2 ** (failures - 1), _MAX_RETRY))

    async def _post(self, session: aiohttp.ClientSession, target: str, update: JSON) -> bool:
        """POST one update; True on a 2xx answer."""
        headers = {"Content-Type": "application/json"}
        secret = (self.webhook or {}).get("secret_token")
        if secret:
            headers[SECRET_HEADER] = str(secret)
        status: int | None = None
        try:
            async with session.post(target, data=json.dumps(update), headers=headers) as response:
                await response.read()
                status = response.status
                error = f"Wrong response from the webhook: {status} {_phrase(status)}".rstrip()
        except (aiohttp.ClientError, TimeoutError, OSError) as failure:
            error = f"Connection failed: {type(failure).__name__}"
        self.webhook_posts.append(WebhookPost(int(update["update_id"]), status))
        self.notify()
        if status is not None and 200 <= status < 300:
            return True
        self._last_webhook_error = (int(time.time()), error)
        log.debug("Local Bot API: webhook delivery of update %s failed: %s", update["update_id"], error)
        return False

    async def _pause(self, seconds: float) -> None:
        """Sleep; cut short when the server closes."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not self.closing and (remaining := deadline - loop.time()) > 0:
            await self.wait_for_change(remaining)
