"""Updates of different people are handled at the same time, each person's strictly in the order they came.

python-telegram-bot handles updates one after another by default, so one person's slow Telegram call or database
write holds up everyone else; with `concurrent_updates(True)` it would handle a person's double tap or two quick
messages out of order. This processor sits in between: one queue per chat, many chats at once.

A flood (more messages of one chat waiting to be answered than anyone types by hand) is not answered message by
message: replies keep the chat's one message a second, so 200 replies would take minutes. The chat is asked once to
slow down, the messages waiting are skipped (the notice says so), and only the latest is answered once the chat has
been calm a moment. Someone who waits for each answer, however quick, never floods.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# PTB's own semaphore is taken before our per-chat lock; asyncio does not promise to wake its waiters in order, so it
# is made wide enough never to make an update wait, and our own limit is taken once the chat's turn has come.
_NEVER_FULL = 100_000
FLOOD_COUNT = 5  # more messages than this of one chat waiting or being answered at once are a flood
CALM = 2.0  # seconds without a new message before a flood's latest message is answered

log = logging.getLogger(__name__)

FloodNotice = Callable[[Update], Awaitable[None]]


@dataclass
class _Chat:
    """One chat's turn: its updates take the lock one after another; the entry lives while any of them waits or runs."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    pending: int = 0  # updates of this chat waiting or running; the entry goes when it drops to 0
    messages: int = 0  # of them, messages (not taps, not edits)
    last_arrival: float = 0.0  # when its latest message came (time.monotonic)
    flooding: bool = False  # (a flood's latest message is always pending: it ends with the entry at the latest)
    latest: object | None = None  # in a flood: the one message that will be answered
    skipped: int = 0  # messages of the flood not answered


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Up to `at_once` updates run concurrently, never two of the same chat (or, without a chat, the same user); a
    chat's flood of messages is answered with one notice (`on_flood`) and its latest message."""

    def __init__(self, at_once: int, on_flood: FloodNotice | None = None) -> None:
        super().__init__(_NEVER_FULL)
        self._at_once = asyncio.Semaphore(at_once)
        self._chats: dict[int | None, _Chat] = {}
        self.on_flood = on_flood
        self._notices: set[asyncio.Task[None]] = set()

    @staticmethod
    def key(update: object) -> int | None:
        """Whose turn an update waits for: its chat, else its user; None (one shared queue) for anything else."""
        if isinstance(update, Update):
            if update.effective_chat is not None:
                return update.effective_chat.id
            if update.effective_user is not None:
                return update.effective_user.id
        return None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the chat's earlier updates, then for a free slot, then handle the update (in a flood: only the
        latest message, once the chat is calm)."""
        key = self.key(update)
        chat = self._chats.get(key)
        if chat is None:
            chat = self._chats[key] = _Chat()
        message = isinstance(update, Update) and update.message is not None and key is not None
        if message:
            self._arrived(chat, update)
        chat.pending += 1
        awaited = False
        try:
            async with chat.lock:
                if message and chat.flooding and not await self._answer_in_flood(chat, update):
                    return
                async with self._at_once:
                    awaited = True
                    await coroutine
        finally:
            if not awaited and isinstance(coroutine, Coroutine):
                coroutine.close()  # cancelled or skipped: no "coroutine was never awaited" warning
            chat.pending -= 1
            chat.messages -= 1 if message else 0
            if chat.pending == 0:
                del self._chats[key]

    def _arrived(self, chat: _Chat, update: object) -> None:
        """Count the chat's message; one beyond the flood count waiting starts a flood and sends the notice."""
        chat.messages += 1
        chat.last_arrival = time.monotonic()
        if chat.flooding:
            chat.latest = update
        elif chat.messages > FLOOD_COUNT and isinstance(update, Update):
            chat.flooding, chat.latest = True, update
            log.info("a chat sends messages faster than it can be answered: only its latest one is answered")
            if self.on_flood is not None:
                task = asyncio.create_task(self._notify(update))
                self._notices.add(task)
                task.add_done_callback(self._notices.discard)

    async def _answer_in_flood(self, chat: _Chat, update: object) -> bool:
        """Whether this message of a flood is answered: only the latest, after CALM seconds without a new one."""
        while chat.latest is update and (calm_in := chat.last_arrival + CALM - time.monotonic()) > 0:
            await asyncio.sleep(calm_in)
        if chat.latest is not update:
            chat.skipped += 1
            return False
        log.info("a flood calmed down: %d message(s) were skipped, the latest is answered", chat.skipped)
        chat.flooding, chat.latest, chat.skipped = False, None, 0
        return True

    async def _notify(self, update: Update) -> None:
        """Ask the chat once to slow down; a failure is only logged (the flood is handled either way)."""
        assert self.on_flood is not None
        try:
            await self.on_flood(update)
        except Exception:
            log.exception("could not ask a flooding chat to slow down")

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Let a slow-down notice under way finish."""
        if self._notices:
            await asyncio.gather(*self._notices, return_exceptions=True)
