"""The rate limiter of the handlers' replies shares its budget with the outbox and waits after a 429."""

from __future__ import annotations

import time
from typing import Any

import pytest
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.core.pacing import Limits, Pacer
from bot.ratelimit import SharedRateLimiter, retry_seconds


class Calls:
    """A request stand-in for PTB's callback: records when it ran; fails with 429 a given number of times."""

    def __init__(self, failures: int = 0) -> None:
        self.times: list[float] = []
        self.failures = failures

    async def __call__(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self.times.append(time.monotonic())
        if self.failures:
            self.failures -= 1
            raise RetryAfter(1)
        return {"ok": True}


async def test_replies_are_spaced_by_the_shared_overall_rate() -> None:
    pacer = Pacer(Limits(per_second=100))
    limiter = SharedRateLimiter(pacer)
    calls = Calls()
    for chat in range(10):
        await limiter.process_request(calls, (), {}, "sendMessage", {"chat_id": chat}, None)
    spacing = (calls.times[-1] - calls.times[0]) / 9
    assert spacing == pytest.approx(1 / 95, rel=0.3)
    # The outbox sees the replies: its next slot and the chats' gaps moved on.
    assert pacer.reserve(99, time.monotonic()) >= calls.times[-1]
    assert pacer.chat_ready(9) > time.monotonic()


async def test_requests_that_send_nothing_are_not_paced() -> None:
    pacer = Pacer(Limits(per_second=1))
    limiter = SharedRateLimiter(pacer)
    calls = Calls()
    start = time.monotonic()
    for _ in range(5):
        await limiter.process_request(calls, (), {}, "answerCallbackQuery", {}, None)
    assert time.monotonic() - start < 0.5


async def test_a_429_holds_everyone_then_the_reply_goes_out() -> None:
    pacer = Pacer(Limits(per_second=100))
    limiter = SharedRateLimiter(pacer, max_retries=2)
    calls = Calls(failures=1)
    assert await limiter.process_request(calls, (), {}, "sendMessage", {"chat_id": 5}, None) == {"ok": True}
    assert calls.times[1] - calls.times[0] >= 1.0
    assert retry_seconds(RetryAfter(3)) == 3.0


async def test_a_429_beyond_the_retries_is_raised() -> None:
    limiter = SharedRateLimiter(Pacer(Limits(per_second=100)), max_retries=0)
    with pytest.raises(RetryAfter):
        await limiter.process_request(Calls(failures=1), (), {}, "sendMessage", {"chat_id": 5}, None)


class Failing:
    """A request stand-in that raises `error` the first `failures` times, then succeeds."""

    def __init__(self, error: Exception, failures: int) -> None:
        self.error, self.failures, self.calls = error, failures, 0

    async def __call__(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return {"ok": True}


@pytest.mark.parametrize("error", [NetworkError("Bad Gateway"), NetworkError("httpx.ReadError: ")])
async def test_a_5xx_or_a_broken_connection_is_tried_again(error: NetworkError) -> None:
    limiter = SharedRateLimiter(Pacer(Limits(per_second=100)), max_retries=2, network_backoff=0.01)
    request = Failing(error, failures=2)
    assert await limiter.process_request(request, (), {}, "sendMessage", {"chat_id": 5}, None) == {"ok": True}
    assert request.calls == 3
    with pytest.raises(NetworkError):  # a third failure in a row is the handler's
        await limiter.process_request(Failing(error, failures=3), (), {}, "sendMessage", {"chat_id": 5}, None)


@pytest.mark.parametrize("error", [TimedOut(), BadRequest("Message is not modified")])
async def test_a_timeout_or_a_refusal_is_not_tried_again(error: NetworkError) -> None:
    limiter = SharedRateLimiter(Pacer(Limits(per_second=100)), network_backoff=0.01)
    request = Failing(error, failures=1)
    with pytest.raises(type(error)):
        await limiter.process_request(request, (), {}, "editMessageText", {"chat_id": 5}, None)
    assert request.calls == 1
