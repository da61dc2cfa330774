"""PTB's rate limiter for the handlers' replies, drawing on the same budget as the outbox sender (one Pacer); it also
tries a reply again after a 429, a 5xx or a broken connection."""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

from bot.core.pacing import Pacer

log = logging.getLogger(__name__)

_COUNTED = ("send", "edit", "copy", "forward")  # methods that put a message into a chat
_NEW_MESSAGE = ("send", "copy", "forward")  # ... a new one: these keep the chat's one message a second


def retry_seconds(error: RetryAfter) -> float:
    """Seconds Telegram asked to wait (PTB 22 gives an int or, opted in, a timedelta; both are taken)."""
    with warnings.catch_warnings():  # PTB 22 warns that retry_after will become a timedelta
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: Any = error.retry_after
    total = getattr(value, "total_seconds", None)
    return float(total()) if callable(total) else float(value)


def transient(error: NetworkError) -> bool:
    """A server error (5xx) or a connection that broke: worth another try. Refusals (400 and the like) and
    timeouts are not."""
    return type(error) is NetworkError


class SharedRateLimiter(BaseRateLimiter[None]):
    """Replies wait for the overall rate shared with the outbox, and a new message also for its chat's own gap; after
    a 429 everything waits retry_after; a 5xx or a broken connection is tried again after a short backoff."""

    def __init__(self, pacer: Pacer, max_retries: int = 2, network_backoff: float = 0.5) -> None:
        self._pacer = pacer
        self._max_retries = max_retries
        self._network_backoff = network_backoff

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Wait for a slot if the request puts a message into a chat, then make it; retry after a 429."""
        counted = endpoint.startswith(_COUNTED)
        if counted:
            value = data.get("chat_id")
            chat = int(value) if isinstance(value, int | str) and str(value).lstrip("-").isdigit() else None
            # A new message keeps the chat's pace (a flood of replies would burst into one chat); an edit changes a
            # message already there: it waits only for the overall rate, and does not make the chat's next message
            # wait (a tapped answer's edit and the next question go together).
            if chat is not None and endpoint.startswith(_NEW_MESSAGE):
                at = self._pacer.reserve(chat, time.monotonic())
            else:
                at = self._pacer.reserve_overall(None, time.monotonic())
            if (delay := at - time.monotonic()) > 0:
                await asyncio.sleep(delay)
        for attempt in range(self._max_retries + 1):
            while counted and (wait := self._pacer.depart(time.monotonic())) > 0:
                await asyncio.sleep(wait)  # every try leaves as a send: it must fit the window too
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                if attempt == self._max_retries:
                    raise
                wait = retry_seconds(error) + 0.1
                log.warning("Telegram asked to wait %.1fs (%s); every sender waits", wait, endpoint)
                self._pacer.too_many(time.monotonic(), wait)
                await asyncio.sleep(wait)
            except NetworkError as error:
                if not transient(error) or attempt == self._max_retries:
                    raise
                # A 5xx or a broken connection: the person waits for this reply (the next question, say), and a
                # reply sent twice is better than none. A timeout is not retried: it waited long enough already.
                wait = self._network_backoff * 2 ** attempt
                log.warning("%s failed (%s); trying again in %.1fs", endpoint, error, wait)
                await asyncio.sleep(wait)
        raise AssertionError("unreachable")
