"""The rate limiter of the handlers' replies shares its budget with the outbox and waits after a 429."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.core.pacing import Limits, Pacer
from bot.telegram import ratelimit
from bot.telegram.ratelimit import SharedRateLimiter, retry_seconds

START = 100.0
INTERVAL = 1 / 95  # Limits(per_second=100) less the 5 % margin


class Clock:
    """The limiter's clock and asyncio.sleep, faked: a sleep is recorded and moves the clock on at once."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = START
        self.sleeps: list[float] = []
        monkeypatch.setattr(ratelimit, "time", self)  # the limiter reads time.monotonic()
        monkeypatch.setattr(asyncio, "sleep", self.sleep)

    def monotonic(self) -> float:
        """The fake 'now'."""
        return self.now

    async def sleep(self, delay: float) -> None:
        """Record the delay and let it pass."""
        self.sleeps.append(delay)
        self.now += max(0.0, delay)


class Calls:
    """A request stand-in for PTB's callback: records when it ran; fails with 429 a given number of times."""

    def __init__(self, clock: Clock, failures: int = 0) -> None:
        self.clock = clock
        self.times: list[float] = []
        self.failures = failures

    async def __call__(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self.times.append(self.clock.now)
        if self.failures:
            self.failures -= 1
            raise RetryAfter(1)
        return {"ok": True}


async def test_replies_are_spaced_by_the_shared_overall_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock(monkeypatch)
    pacer = Pacer(Limits(per_second=100))
    limiter = SharedRateLimiter(pacer)
    calls = Calls(clock)
    for chat in range(10):
        await limiter.process_request(calls, (), {}, "sendMessage", {"chat_id": chat}, None)
    assert clock.sleeps == pytest.approx([INTERVAL] * 9)  # the first went at once, each later one waited its slot
    assert calls.times == pytest.approx([START + n * INTERVAL for n in range(10)])
    # The outbox sees the replies: its next slot and the chats' gaps moved on.
    assert pacer.reserve(99, clock.now) == pytest.approx(calls.times[-1] + INTERVAL)
    assert pacer.chat_ready(9) > clock.now


async def test_requests_that_send_nothing_are_not_paced(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock(monkeypatch)
    pacer = Pacer(Limits(per_second=1))
    limiter = SharedRateLimiter(pacer)
    calls = Calls(clock)
    for _ in range(5):
        await limiter.process_request(calls, (), {}, "answerCallbackQuery", {}, None)
    assert len(calls.times) == 5 and clock.sleeps == []  # none waited
    assert pacer.reserve_overall(None, clock.now) == clock.now  # nor took a slot of the shared rate


async def test_a_429_holds_everyone_then_the_reply_goes_out(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock(monkeypatch)
    pacer = Pacer(Limits(per_second=100))
    limiter = SharedRateLimiter(pacer, max_retries=2)
    calls = Calls(clock, failures=1)
    assert await limiter.process_request(calls, (), {}, "sendMessage", {"chat_id": 5}, None) == {"ok": True}
    assert clock.sleeps == [pytest.approx(1.1)]  # retry_after and a tenth of a second, then the second try
    assert calls.times == pytest.approx([START, START + 1.1])
    assert pacer.reserve(99, START) == pytest.approx(START + 1.1)  # the outbox was held as long
    assert retry_seconds(RetryAfter(3)) == 3.0


async def test_a_reply_waits_while_sends_that_left_fill_the_last_second(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock(monkeypatch)
    pacer = Pacer(Limits(per_second=2, margin=1.0))
    assert pacer.depart(START - 0.5) == 0.0 and pacer.depart(START - 0.2) == 0.0  # the outbox's, late and bunched
    calls = Calls(clock)
    await SharedRateLimiter(pacer).process_request(calls, (), {}, "sendMessage", {"chat_id": 5}, None)
    assert calls.times == pytest.approx([START + 0.5])  # when the first of them left the window


async def test_the_try_after_a_429_counts_in_the_window_too(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock(monkeypatch)
    pacer = Pacer(Limits(per_second=2, margin=1.0))
    calls = Calls(clock, failures=1)
    await SharedRateLimiter(pacer).process_request(calls, (), {}, "sendMessage", {"chat_id": 5}, None)
    assert calls.times == pytest.approx([START, START + 1.1])
    assert pacer.depart(START + 1.2) == 0.0
    assert pacer.depart(START + 1.3) == pytest.approx(0.8)  # two in the window: the second try and this one


async def test_a_429_beyond_the_retries_is_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    limiter = SharedRateLimiter(Pacer(Limits(per_second=100)), max_retries=0)
    with pytest.raises(RetryAfter):
        await limiter.process_request(Calls(Clock(monkeypatch), failures=1), (), {}, "sendMessage", {"chat_id": 5},
                                      None)


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


async def test_new_messages_keep_the_chats_pace_but_edits_wait_only_for_the_overall_rate(
        monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock(monkeypatch)
    pacer = Pacer(Limits(per_second=100))
    limiter = SharedRateLimiter(pacer)
    calls = Calls(clock)
    for endpoint in ("sendMessage", "editMessageText", "sendMessage", "sendPhoto"):
        await limiter.process_request(calls, (), {}, endpoint, {"chat_id": 5}, None)
    chat_gap = 1 / 0.95
    # The edit went in the next overall slot; each new message waited for the chat's one message a second.
    assert calls.times == pytest.approx([START, START + INTERVAL, START + chat_gap, START + 2 * chat_gap])
