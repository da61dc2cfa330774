"""The broadcast benchmark's baseline sender: every queued prompt at once through Bot.send_message, no pacing; it only
reacts to 429s (sleeping retry_after) and network errors (sleeping a second), as a naive bot would.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import NetworkError, RetryAfter

from storage.outbox import Queued


async def send_naively(sender: Bot, rows: Sequence[Queued], concurrency: int, tally: Counter[str]) -> None:
    """Send every row at once (at most `concurrency` under way); after a 429 sleep retry_after and try again."""
    slots = asyncio.Semaphore(concurrency)

    async def one(row: Queued) -> None:
        markup = InlineKeyboardMarkup.de_json(row.reply_markup, sender) if row.reply_markup else None
        async with slots:
            while True:
                try:
                    await sender.send_message(row.chat_id, row.text, reply_markup=markup)
                    return
                except RetryAfter as error:
                    tally["retry_after"] += 1
                    wait = error.retry_after
                    await asyncio.sleep(wait if isinstance(wait, int) else wait.total_seconds())
                except NetworkError:
                    tally["network_error"] += 1
                    await asyncio.sleep(1.0)

    await asyncio.gather(*(one(row) for row in rows))
