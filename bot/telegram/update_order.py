"""Updates of different people are handled at the same time, each person's strictly in the order they came.

python-telegram-bot handles updates one after another by default, so one person's slow Telegram call or database
write holds up everyone else; with `concurrent_updates(True)` it would handle a person's double tap or two quick
messages out of order. This processor sits in between: one queue per chat, many chats at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# PTB's own semaphore is taken before our per-chat lock; asyncio does not promise to wake its waiters in order, so it
# is made wide enough never to make an update wait, and our own limit is taken once the chat's turn has come.
_NEVER_FULL = 100_000


@dataclass
class _Chat:
    """One chat's turn: its updates take the lock one after another; the entry lives while any of them waits or runs."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    pending: int = 0  # updates of this chat waiting or running; the entry goes when it drops to 0


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Up to `at_once` updates run concurrently, never two of the same chat (or, without a chat, the same user)."""

    def __init__(self, at_once: int) -> None:
        super().__init__(_NEVER_FULL)
        self._at_once = asyncio.Semaphore(at_once)
        self._chats: dict[int | None, _Chat] = {}

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
        """Wait for the chat's earlier updates, then for a free slot, then handle the update."""
        key = self.key(update)
        chat = self._chats.get(key)
        if chat is None:
            chat = self._chats[key] = _Chat()
        chat.pending += 1
        awaited = False
        try:
            async with chat.lock, self._at_once:
                awaited = True
                await coroutine
        finally:
            if not awaited and isinstance(coroutine, Coroutine):
                coroutine.close()  # cancelled while waiting for its turn: no "coroutine was never awaited" warning
            chat.pending -= 1
            if chat.pending == 0:
                del self._chats[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
