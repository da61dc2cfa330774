"""Send limits, stalls and random faults of the local Bot API, seen by real HTTP clients."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from telegram import Bot
from telegram.error import Forbidden, NetworkError, RetryAfter, TimedOut

from localapi.limits import RateLimits, SendLimiter, sends_message
from localapi.server import LocalBotApi

USERS = list(range(601, 641))  # 40 partners who have all started the bot
USER = USERS[0]
# Limits loose enough not to interfere with the one a test is about.
LOOSE = RateLimits(overall_per_second=1000, per_chat_per_second=1000, chat_burst=1000, group_per_minute=1000)


@pytest.fixture
async def server() -> AsyncIterator[LocalBotApi]:
    """A fresh local Bot API server whose users have all started the bot."""
    async with LocalBotApi() as running:
        for user_id in USERS:
            running.add_user(user_id, f"Partner{user_id}", started=True)
        yield running


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain HTTP client."""
    async with aiohttp.ClientSession() as client:
        yield client


@pytest.fixture
async def bot(server: LocalBotApi) -> AsyncIterator[Bot]:
    """A real python-telegram-bot Bot talking to the server."""
    async with Bot(server.token, base_url=server.base_url) as ptb_bot:
        yield ptb_bot


async def _send(session: aiohttp.ClientSession, server: LocalBotApi, chat_id: int, text: str = "Hallo",
                method: str = "sendMessage") -> tuple[int, Any]:
    """One call over raw HTTP; the status and the JSON body."""
    async with session.post(f"{server.base_url}{server.token}/{method}",
                            json={"chat_id": chat_id, "text": text}) as response:
        return response.status, await response.json()


def _too_many(retry_after: int) -> dict[str, Any]:
    return {"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after {retry_after}",
            "parameters": {"retry_after": retry_after}}


# --- send limits ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("overall", "accepted"), [(3, 3), (5.5, 5), (30, 30)])
async def test_overall_limit_refuses_the_excess_with_retry_after(server: LocalBotApi,
                                                                 session: aiohttp.ClientSession,
                                                                 overall: float, accepted: int) -> None:
    server.limits = RateLimits(overall_per_second=overall)
    targets = USERS[:accepted + 4]  # one message per partner: only the overall limit matters
    results = await asyncio.gather(*(_send(session, server, user_id) for user_id in targets))
    assert sorted(status for status, _ in results) == [200] * accepted + [429] * 4
    assert [body for status, body in results if status == 429] == [_too_many(1)] * 4
    assert server.throttled == 4
    assert sum(server.sent_count(user_id) for user_id in targets) == accepted
    assert [(e.method, e.error_code) for e in server.errors] == [("sendMessage", 429)] * 4
    assert server.injected == Counter()


async def test_a_private_chat_takes_a_burst_then_is_refused(server: LocalBotApi,
                                                            session: aiohttp.ClientSession) -> None:
    server.limits = RateLimits(per_chat_per_second=1, chat_burst=3)
    statuses = [(await _send(session, server, USER, f"m{i}"))[0] for i in range(3)]
    status, body = await _send(session, server, USER, "zu viel")
    assert statuses == [200, 200, 200] and (status, body) == (429, _too_many(3))
    assert (await _send(session, server, USERS[1]))[0] == 200  # other chats are not affected
    assert [m.text for m in server.messages(USER)] == ["m0", "m1", "m2"]
    assert server.sent_count(USER) == 3 and server.throttled == 1


async def test_the_chat_window_frees_up_and_refusals_do_not_count(server: LocalBotApi,
                                                                  session: aiohttp.ClientSession) -> None:
    server.limits = RateLimits(per_chat_per_second=5, chat_burst=2)  # 2 per 0.4 s
    assert [(await _send(session, server, USER))[0] for _ in range(2)] == [200, 200]
    for _ in range(5):  # refused sends do not prolong the wait
        assert await _send(session, server, USER) == (429, _too_many(1))
    await asyncio.sleep(0.41)
    assert [(await _send(session, server, USER))[0] for _ in range(3)] == [200, 200, 429]
    assert server.sent_count(USER) == 4 and server.throttled == 6


async def test_sends_refused_for_other_reasons_do_not_count(server: LocalBotApi,
                                                            session: aiohttp.ClientSession) -> None:
    server.add_user(700, "Neu")
    server.limits = RateLimits(overall_per_second=2)
    assert (await _send(session, server, -100))[0] == 400  # the server knows no groups: chat not found
    assert (await _send(session, server, 700))[0] == 403  # never started the bot
    assert (await _send(session, server, USER, text=""))[0] == 400  # invalid: never reaches the limits
    assert [(await _send(session, server, user_id))[0] for user_id in USERS[:3]] == [200, 200, 429]
    assert server.throttled == 1


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
@pytest.mark.parametrize(("method", "api_name"), [("send_message", "sendMessage"), ("send_photo", "sendPhoto"),
                                                  ("send_document", "sendDocument")])
async def test_every_kind_of_send_is_limited_in_ptb(server: LocalBotApi, bot: Bot, method: str,
                                                    api_name: str) -> None:
    server.limits = RateLimits(chat_burst=2)

    async def send() -> None:
        if method == "send_message":
            await bot.send_message(USER, "Hallo")
        elif method == "send_photo":
            await bot.send_photo(USER, b"\x89PNG fake")
        else:
            await bot.send_document(USER, b"Inhalt", filename="a.txt")

    await send()
    await bot.send_chat_action(USER, "typing")  # not a message: not limited, not counted
    await send()
    with pytest.raises(RetryAfter, match=r"^Flood control exceeded. Retry in 2 seconds$"):
        await send()
    assert server.sent_count(USER) == 2 and server.throttled == 1
    assert server.errors == [(api_name, 429, "Too Many Requests: retry after 2")]


async def test_without_limits_nothing_is_refused(server: LocalBotApi, session: aiohttp.ClientSession) -> None:
    assert server.limits is None
    results = await asyncio.gather(*(_send(session, server, USER, f"{i}") for i in range(60)))
    assert {status for status, _ in results} == {200} and server.sent_count(USER) == 60
    server.limits = RateLimits(chat_burst=1)
    assert [(await _send(session, server, USER))[0] for _ in range(2)] == [200, 429]
    server.limits = None
    assert (await _send(session, server, USER))[0] == 200
    assert server.throttled == 1


async def test_limits_given_to_the_constructor_apply() -> None:
    async with LocalBotApi(limits=RateLimits(chat_burst=1)) as running, aiohttp.ClientSession() as client:
        running.add_user(USER, "Anna", started=True)
        assert [(await _send(client, running, USER))[0] for _ in range(2)] == [200, 429]
        assert running.limits == RateLimits(chat_burst=1)


class _Clock:
    """A hand-moved clock for the limiter."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(("chat_id", "limits", "steps"), [
    # a group: 3 per minute
    (-100123, RateLimits(group_per_minute=3), [(0, 0), (1, 0), (2, 0), (3, 57), (30.5, 30), (60, 0), (60, 1)]),
    # a channel addressed by username counts as a group
    ("@netzpuls", RateLimits(group_per_minute=1), [(0, 0), (59.2, 1), (60, 0)]),
    # a private chat: bursts of 3, then 1 per second on average
    (601, RateLimits(), [(0, 0), (0, 0), (0.5, 0), (0.5, 3), (2.9, 1), (3, 0), (3, 0), (3, 1)]),
    # overall: 2.9 per second is 2 in any second
    (601, RateLimits(overall_per_second=2.9, per_chat_per_second=100, chat_burst=100),
     [(0, 0), (0.2, 0), (0.4, 1), (0.9999, 1), (1.0, 0), (1.0, 1)]),
])
def test_the_limiter_windows(chat_id: int | str, limits: RateLimits, steps: list[tuple[float, int]]) -> None:
    clock = _Clock()
    limiter = SendLimiter(limits, clock)
    start = clock.now
    for at, expected in steps:
        clock.now = start + at
        assert limiter.acquire(chat_id) == expected, f"at {at}s"


def test_the_limiter_releases_and_knows_the_send_methods() -> None:
    limiter = SendLimiter(RateLimits(chat_burst=1), _Clock())
    assert limiter.acquire(601) == 0 and limiter.acquire(601) == 1
    limiter.release(601)
    assert limiter.acquire(601) == 0
    assert [m for m in ("sendMessage", "sendPhoto", "sendChatAction", "copyMessage", "editMessageText")
            if sends_message(m)] == ["sendMessage", "sendPhoto", "copyMessage"]
    with pytest.raises(ValueError, match="overall_per_second"):
        RateLimits(overall_per_second=0.5)


# --- stalls ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("processed", [True, False])
async def test_a_stall_times_the_ptb_client_out(server: LocalBotApi, bot: Bot, processed: bool,
                                                caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    server.stall_next("sendMessage", 0.4, processed=processed)
    with pytest.raises(TimedOut):
        await bot.send_message(USER, "verloren?", read_timeout=0.1)
    assert server.sent_count(USER) == (1 if processed else 0)
    await asyncio.sleep(0.4)  # the held response is written to a client that has gone away
    assert (server.stalls_processed, server.stalls_unprocessed) == ((1, 0) if processed else (0, 1))
    assert server.injected == Counter({"stall_processed" if processed else "stall": 1})
    await bot.send_message(USER, "nochmal", read_timeout=0.1)  # the next call goes through
    assert [m.text for m in server.messages(USER)] == (["verloren?"] if processed else []) + ["nochmal"]
    assert server.errors == []
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


@pytest.mark.parametrize(("processed", "status", "recorded"), [(True, 200, 1), (False, 504, 0)])
async def test_a_client_that_waits_out_the_stall(server: LocalBotApi, session: aiohttp.ClientSession,
                                                 processed: bool, status: int, recorded: int) -> None:
    server.stall_next("sendmessage", 0.15, processed=processed, times=2)
    results = await asyncio.gather(*(_send(session, server, USER) for _ in range(3)))
    assert (server.stalls_processed, server.stalls_unprocessed) == ((2, 0) if processed else (0, 2))
    assert sorted(s for s, _ in results) == sorted([status, status, 200])
    assert server.sent_count(USER) == 2 * recorded + 1
    assert [e.error_code for e in server.errors] == ([] if processed else [504, 504])


async def test_stopping_the_server_ends_a_stall() -> None:
    running = LocalBotApi()
    await running.start()
    running.add_user(USER, "Anna", started=True)
    running.stall_next("sendMessage", 30, processed=False)
    async with aiohttp.ClientSession() as client:
        pending = asyncio.create_task(_send(client, running, USER))
        await running.wait_until(lambda: running.stalls_unprocessed == 1)
        await running.stop()
        # The held call was answered (had the stall gone on, shutting down would have cut the connection instead).
        assert (await pending)[0] == 504


@pytest.mark.parametrize("processed", [True, False])
async def test_a_reset_breaks_the_connection_without_an_answer(server: LocalBotApi, bot: Bot,
                                                               session: aiohttp.ClientSession, processed: bool) -> None:
    server.reset_next("sendMessage", processed=processed, times=2)
    with pytest.raises(NetworkError, match=r"^httpx\.ReadError") as raised:  # what a connection reset looks like in PTB
        await bot.send_message(USER, "verloren?")
    assert type(raised.value) is NetworkError
    with pytest.raises(aiohttp.ClientConnectionError):
        await _send(session, server, USER, "auch verloren?")
    assert server.sent_count(USER) == (2 if processed else 0)
    assert (server.resets_processed, server.resets_unprocessed) == ((2, 0) if processed else (0, 2))
    assert server.injected == Counter({"reset_processed" if processed else "reset": 2})
    await bot.send_message(USER, "nochmal")  # the next call goes through on a new connection
    assert server.messages(USER)[-1].text == "nochmal" and server.errors == []


# --- chaos and fail_next ---------------------------------------------------------------------------------


async def _chaos_run(seed: int, calls: int, probability: float, **options: Any) -> tuple[list[int], LocalBotApi]:
    """Statuses of `calls` sequential sends to a fresh server under chaos."""
    async with LocalBotApi() as running, aiohttp.ClientSession() as client:
        running.add_user(USER, "Anna", started=True)
        running.chaos(probability, seed=seed, **options)
        statuses = [(await _send(client, running, USER, f"{i}"))[0] for i in range(calls)]
        return statuses, running


@pytest.mark.parametrize(("seed", "probability"), [(1, 0.3), (42, 0.1), (7, 0.6)])
async def test_chaos_is_reproducible_and_injects_about_the_share(seed: int, probability: float) -> None:
    kinds = ("429", "500", "502")
    first, running = await _chaos_run(seed, 150, probability, kinds=kinds, retry_after=2)
    again, _ = await _chaos_run(seed, 150, probability, kinds=kinds, retry_after=2)
    assert first == again
    failed = [s for s in first if s != 200]
    assert abs(len(failed) / 150 - probability) < 0.1
    assert set(failed) <= {429, 500, 502} and len(set(failed)) == 3
    assert running.injected == Counter(str(s) for s in failed)
    assert running.sent_count(USER) == first.count(200) and running.throttled == 0
    descriptions = {e.error_code: e.description for e in running.errors}
    assert descriptions == {429: "Too Many Requests: retry after 2", 500: "Internal Server Error",
                            502: "Bad Gateway"}
    other, _ = await _chaos_run(seed + 1, 150, probability, kinds=kinds)
    assert other != first


@pytest.mark.parametrize(("kind", "status", "recorded"), [("stall", 504, 0), ("stall_processed", 200, 1)])
async def test_chaos_stalls(kind: str, status: int, recorded: int) -> None:
    statuses, running = await _chaos_run(3, 2, 1.0, kinds=(kind,), stall_seconds=0.05)
    assert statuses == [status, status] and running.sent_count(USER) == 2 * recorded
    assert running.injected == Counter({kind: 2})
    assert (running.stalls_processed, running.stalls_unprocessed) == (2 * recorded, 2 - 2 * recorded)


async def test_chaos_hits_only_its_method_and_can_be_switched_off(server: LocalBotApi, bot: Bot) -> None:
    server.chaos(1.0, seed=5, method="sendPhoto", kinds=("502",))
    await bot.send_message(USER, "Text geht")
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_photo(USER, b"\x89PNG fake")
    server.chaos_off()
    await bot.send_photo(USER, b"\x89PNG fake")
    assert server.sent_count(USER) == 2 and server.injected == Counter({"502": 1})
    with pytest.raises(ValueError, match="chaos kinds"):
        server.chaos(0.5, seed=1, kinds=("404",))
    with pytest.raises(ValueError, match="probability"):
        server.chaos(1.5, seed=1)
    with pytest.raises(ValueError, match="not a Bot API method"):
        server.chaos(0.5, seed=1, method="sendMesage")


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_fail_next_and_stall_next_queue_in_order(server: LocalBotApi, bot: Bot) -> None:
    server.fail_next("sendMessage", 429, "Too Many Requests: retry after 4", retry_after=4)
    server.stall_next("sendMessage", 0.3, processed=False)
    server.fail_next("sendMessage", 500, "Internal Server Error", times=2)
    with pytest.raises(RetryAfter, match="Retry in 4 seconds"):
        await bot.send_message(USER, "eins")
    with pytest.raises(TimedOut):
        await bot.send_message(USER, "zwei", read_timeout=0.05)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.send_message(USER, "drei")
    await bot.send_message(USER, "vier")
    assert [m.text for m in server.messages(USER)] == ["vier"]
    assert server.injected == Counter({"429": 1, "stall": 1, "500": 2})
    assert server.throttled == 0


async def test_only_started_users_can_be_messaged_first(server: LocalBotApi, bot: Bot) -> None:
    server.add_user(800, "Fremd")
    with pytest.raises(Forbidden, match="bot can't initiate conversation"):
        await bot.send_message(800, "Hallo")
    server.add_user(800, "Fremd", started=True)
    server.add_user(800, "Fremd")  # naming a user again does not forget that they started the bot
    await bot.send_message(800, "Hallo")
    assert server.sent_count(800) == 1 and server.sent_count(999) == 0
