"""Different people's updates at the same time, each person's in the order they came (bot/telegram/update_order.py)."""

from __future__ import annotations

import asyncio
import inspect
from datetime import UTC, datetime

import pytest
from telegram import CallbackQuery, Chat, Message, Update, User

from bot.telegram import update_order
from bot.telegram.update_order import FLOOD_COUNT, PerChatUpdateProcessor

_NOW = datetime(2027, 1, 5, tzinfo=UTC)


def _update(update_id: int, chat_id: int) -> Update:
    user = User(chat_id, "P", is_bot=False)
    return Update(update_id, message=Message(update_id, _NOW, Chat(chat_id, "private"), from_user=user, text="x"))


async def _run(processor: PerChatUpdateProcessor, updates: list[Update], log: list[tuple[str, int]],
               pause: float = 0.01) -> None:
    """Hand every update to the processor as PTB does (a task each, in arrival order); each logs start and end."""
    async def handle(update: Update) -> None:
        log.append(("start", update.update_id))
        await asyncio.sleep(pause)
        log.append(("end", update.update_id))

    await asyncio.gather(*(asyncio.create_task(processor.process_update(u, handle(u))) for u in updates))


async def test_one_chats_updates_run_one_after_another_in_arrival_order() -> None:
    log: list[tuple[str, int]] = []
    await _run(PerChatUpdateProcessor(8), [_update(n, 7) for n in range(1, 6)], log)
    assert log == [(kind, n) for n in range(1, 6) for kind in ("start", "end")]


async def test_different_chats_run_at_the_same_time_up_to_the_limit() -> None:
    log: list[tuple[str, int]] = []
    await _run(PerChatUpdateProcessor(3), [_update(n, 100 + n) for n in range(1, 7)], log)
    running, most = 0, 0
    for kind, _n in log:
        running += 1 if kind == "start" else -1
        most = max(most, running)
    assert most == 3


async def test_a_chat_waits_for_its_own_earlier_update_but_not_for_others() -> None:
    log: list[tuple[str, int]] = []
    updates = [_update(1, 7), _update(2, 8), _update(3, 7)]
    await _run(PerChatUpdateProcessor(8), updates, log)
    assert log.index(("start", 2)) < log.index(("end", 1))  # chat 8 did not wait for chat 7
    assert log.index(("start", 3)) > log.index(("end", 1))  # chat 7's second update waited for its first


async def test_with_one_slot_interleaved_chats_each_keep_their_order_and_all_are_handled() -> None:
    log: list[tuple[str, int]] = []
    chat_of = {n: 100 + n % 3 for n in range(1, 10)}  # three chats, three updates each, arriving in turns
    await _run(PerChatUpdateProcessor(1), [_update(n, chat) for n, chat in chat_of.items()], log)
    starts, ends = log[::2], log[1::2]
    assert starts == [("start", n) for _, n in starts] and ends == [("end", n) for _, n in starts]  # one at a time
    assert sorted(n for _, n in starts) == sorted(chat_of)  # each handled, once
    for chat in set(chat_of.values()):
        arrived = [n for n in chat_of if chat_of[n] == chat]
        assert [n for kind, n in log if kind == "start" and chat_of[n] == chat] == arrived


async def test_with_two_slots_two_chats_really_run_at_the_same_time() -> None:
    # Each handler waits for the other chat's to have begun: handled one after the other, neither would finish.
    begun = {7: asyncio.Event(), 8: asyncio.Event()}

    async def handle(mine: int, other: int) -> None:
        begun[mine].set()
        await begun[other].wait()

    processor = PerChatUpdateProcessor(2)
    both = asyncio.gather(processor.process_update(_update(1, 7), handle(7, 8)),
                          processor.process_update(_update(2, 8), handle(8, 7)))
    await asyncio.wait_for(both, timeout=5)  # only against hanging
    assert processor._chats == {}


async def test_an_update_cancelled_while_waiting_for_its_turn_is_closed_not_left_unawaited() -> None:
    processor = PerChatUpdateProcessor(1)
    begun, release = asyncio.Event(), asyncio.Event()

    async def first() -> None:
        begun.set()
        await release.wait()

    async def second() -> None:
        """Never runs."""

    waiting_handler = second()
    running = asyncio.create_task(processor.process_update(_update(1, 7), first()))
    waiting = asyncio.create_task(processor.process_update(_update(2, 7), waiting_handler))
    await begun.wait()
    await asyncio.sleep(0)
    assert processor._chats[7].pending == 2  # the second update waits for the first
    waiting.cancel()
    await asyncio.gather(waiting, return_exceptions=True)
    assert waiting.cancelled()
    assert inspect.getcoroutinestate(waiting_handler) == inspect.CORO_CLOSED
    release.set()
    await running
    assert processor._chats == {}


async def test_nothing_is_kept_once_a_chats_updates_are_done() -> None:
    processor = PerChatUpdateProcessor(4)
    await _run(processor, [_update(n, 100 + n % 3) for n in range(1, 10)], [], pause=0)
    assert processor._chats == {}
    assert processor.current_concurrent_updates == 0


def test_an_update_without_chat_or_user_waits_in_one_shared_queue() -> None:
    assert PerChatUpdateProcessor.key(Update(1)) is None
    assert PerChatUpdateProcessor.key(_update(2, 9)) == 9


def _tap(update_id: int, chat_id: int) -> Update:
    user = User(chat_id, "P", is_bot=False)
    message = Message(1, _NOW, Chat(chat_id, "private"), from_user=user, text="Frage")
    return Update(update_id, callback_query=CallbackQuery(str(update_id), user, "i", message=message, data="a:1"))


async def test_a_flood_is_told_once_and_only_its_first_and_latest_messages_are_handled(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(update_order, "CALM", 0.05)
    told: list[int] = []

    async def notice(update: Update) -> None:
        told.append(update.update_id)

    processor = PerChatUpdateProcessor(4, notice)
    log: list[tuple[str, int]] = []
    flood = [_update(n, 7) for n in range(1, 201)]
    # A button tap inside the flood (an answer in a check-in) and another person's message are never skipped.
    await _run(processor, [*flood[:100], _tap(500, 7), _update(600, 8), *flood[100:]], log)
    handled = [n for kind, n in log if kind == "start"]
    assert told == [FLOOD_COUNT + 1]  # once, when the flood began
    assert sorted(handled) == [1, 200, 500, 600]
    assert handled.index(600) < handled.index(200)  # the other chat did not wait for the flood to calm
    assert processor._chats == {}


async def test_a_few_quick_messages_are_no_flood() -> None:
    told: list[int] = []

    async def notice(update: Update) -> None:
        told.append(update.update_id)

    log: list[tuple[str, int]] = []
    await _run(PerChatUpdateProcessor(4, notice), [_update(n, 7) for n in range(1, FLOOD_COUNT + 1)], log)
    assert told == [] and [n for kind, n in log if kind == "start"] == list(range(1, FLOOD_COUNT + 1))
