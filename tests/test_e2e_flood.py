"""A flood of messages from one person: one request to slow down, few replies at the chat's pace, nobody else held up
(issue 20, item 6)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from bot.config import Settings
from localapi.server import LocalBotApi
from tests.e2e import FakeClock, Harness

FLOODER, OTHER = 501, 502
SLOW_DOWN = "Bitte etwas langsamer"
NOT_EXPECTED = "Gerade habe ich keine Nachricht erwartet"


@pytest.fixture
async def paced(api: LocalBotApi, settings: Settings, clock: FakeClock) -> AsyncIterator[Harness]:
    """The bot with Telegram's own pace of one message a second into a chat (the other tests go faster)."""
    running = Harness(api, replace(settings, chat_rate=1.0), clock)
    await running.start()
    yield running
    await running.stop()
    running.db.close()


def most_in_one_second(times: list[float]) -> int:
    """The largest number of times inside any half-open window [t, t + 1)."""
    ordered = sorted(times)
    return max(bisect_left(ordered, t + 1.0) - i for i, t in enumerate(ordered))


def sends_to(api: LocalBotApi, chat: int, since: int) -> list[tuple[int, float, str]]:
    """(position in the server's log, when it came, text) of every sendMessage to `chat` after position `since`."""
    return [(n, r.at, str(r.params.get("text", ""))) for n, r in enumerate(api.requests)
            if n >= since and r.method == "sendMessage" and int(r.params["chat_id"]) == chat]


async def test_two_hundred_fast_messages_get_one_slow_down_notice_and_few_replies_at_the_chats_pace(
        paced: Harness) -> None:
    harness, api = paced, paced.api
    network = harness.network()
    await harness.join(FLOODER, "Anna", harness.invite(network, "Jobcenter Musterstadt"))
    await harness.join(OTHER, "Ben", harness.invite(network, "Kita Sonnenblume"))
    await harness.handled()
    api.new_messages(FLOODER)
    since = len(api.requests)
    for n in range(200):
        api.send_text(FLOODER, f"Nachricht {n + 1}")
    api.send_text(OTHER, "Hallo")
    [other_reply] = await api.wait_for_messages(OTHER, 1, timeout=10.0)
    assert NOT_EXPECTED in other_reply.text
    await harness.handled(timeout=30.0)
    flood = sends_to(api, FLOODER, since)
    texts = [text for _, _, text in flood]
    # One notice, in the person's language; the first message and the latest are answered, the rest skipped.
    assert sum(SLOW_DOWN in text for text in texts) == 1, texts
    assert len(texts) <= 4, texts
    assert sum(NOT_EXPECTED in text for text in texts) == len(texts) - 1
    # Never more than one message a second into the chat, as the server received them.
    assert most_in_one_second([at for _, at, _ in flood]) == 1
    # The other person was answered while the flood was still being handled, not behind it.
    [(other_at, _, _)] = sends_to(api, OTHER, since)
    assert other_at < flood[-1][0]


async def test_a_flood_inside_a_checkin_stores_the_answer_once_and_says_what_was_skipped(paced: Harness) -> None:
    harness, api = paced, paced.api
    member = await harness.partner(FLOODER)
    _intro, goals = await harness.send(FLOODER, "/checkin", count=2)
    await harness.tap(FLOODER, goals, "4")  # the next question asks for the goal in the partner's words
    since = len(api.requests)
    for n in range(30):
        api.send_text(FLOODER, f"Unser Ziel, Fassung {n + 1}")
    await api.wait_for_messages(FLOODER, 1, timeout=10.0)  # the bot has taken the flood in
    await harness.handled(timeout=30.0)
    texts = [text for _, _, text in sends_to(api, FLOODER, since)]
    assert sum(SLOW_DOWN in text for text in texts) == 1, texts
    steps = [step for step, _value, _version in harness.answers(member.id)]
    assert steps.count("goal_statement") == 1, steps  # one answer, stored once; the person was told the rest
    assert most_in_one_second([at for _, at, _ in sends_to(api, FLOODER, since)]) == 1
