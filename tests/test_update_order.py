"""Different people's updates at the same time, each person's in the order they came (bot/update_order.py)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import Chat, Message, Update, User

from bot.update_order import PerChatUpdateProcessor

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


async def test_nothing_is_kept_once_a_chats_updates_are_done() -> None:
    processor = PerChatUpdateProcessor(4)
    await _run(processor, [_update(n, 100 + n % 3) for n in range(1, 10)], [], pause=0)
    assert processor._chats == {}
    assert processor.current_concurrent_updates == 0


def test_an_update_without_chat_or_user_waits_in_one_shared_queue() -> None:
    assert PerChatUpdateProcessor.key(Update(1)) is None
    assert PerChatUpdateProcessor.key(_update(2, 9)) == 9
