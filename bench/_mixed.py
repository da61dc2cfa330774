"""The broadcast benchmark's mixed run: single prompts and multi-message digests queued together, sent by the real
OutboxSender to a local Bot API with Telegram's limits (the overall rate, one message a second per chat).

The digests are queued first (a digest held over a holiday, a round's close), the single messages (prompts, a
partner's results; sent as notices here, since a prompt without its round would be dropped as moot) behind them. A
chat waiting for its own second must not hold the others: the whole run should take about (all messages) / rate. Two
senders send the same rows, one after the other, in this process (the server too: at 30/s it costs little):

- ours: the OutboxSender and Pacer as they are: a slot calendar (a chat takes the first free overall slot from its own
  next time on), and a pass that ends when every send slot is taken, so the next one starts again from the oldest row;
- before: as before issue 20: the reservation moved the overall next slot behind the chat's own gap, and a pass
  waited for a free slot in the middle of 500-row pages, so a digest's next part waited until the pass had gone
  through every later row (BeforePacer, BeforeSender: the old code, kept here as the baseline).

Figures: the time from the sender's start to the last message accepted, over the bound (all messages) / rate; the
429 answers; and the longest pause in the overall stream while a prompt still waited, less one overall interval
(how long a prompt waited behind another chat's gap).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

from telegram import Bot
from telegram.request import HTTPXRequest

from bench._figures import Figure
from bench._server import server_limits
from bot.config import PROJECT_ROOT
from bot.core.pacing import Limits, Pacer
from bot.i18n import Catalogs, compile_catalogs
from bot.jobs.outbox import OutboxSender
from localapi.server import LocalBotApi
from storage.db import open_db
from storage.outbox import Outgoing, enqueue, queued

SENT_AT = datetime(2027, 1, 5, 8, 0, tzinfo=UTC)
FIRST_DIGEST_CHAT, FIRST_PROMPT_CHAT = 200_000, 300_000
GOAL_RATIO = 1.10


class BeforePacer(Pacer):
    """The pacer before issue 20: a send booked for a chat that must wait its second moved the overall next slot
    behind that second, so every chat booked after it waited too."""

    def __init__(self, limits: Limits) -> None:
        super().__init__(limits)
        self._next_overall = 0.0

    def reserve(self, chat_id: int, now: float) -> float:
        """Book as before: the overall next slot follows the chat's own time."""
        slot = max(self._next_overall, self._hold_any, now - self._slack)
        at = max(now, slot, self.chat_ready(chat_id))
        self._next_overall = max(slot, at - self._slack) + self._interval
        gap = self._group_gap if chat_id < 0 else self._private_gap
        self._next_chat[chat_id] = at + gap
        return at


class BeforeSender(OutboxSender):
    """The sender's pass before issue 20: it waits for a free send slot in the middle of a pass over 500-row pages."""

    async def _pass(self) -> int:
        """One pass over all queued rows, as before issue 20 (no quiet hours here: the rows have no network)."""
        launched, after = 0, 0
        busy_later: set[int] = set()
        while not self._stopping:
            rows = await self._call(queued, 500, after)
            if not rows:
                break
            after = rows[-1].id
            for row in rows:
                if self._stopping:
                    break
                if not self._may_send(row):
                    busy_later.add(row.chat_id)
                    continue
                if row.chat_id in busy_later:
                    continue
                await self._slots.acquire()
                if self._stopping:
                    self._slots.release()
                    break
                self._launched.add(row.id)
                self._busy_chats.add(row.chat_id)
                busy_later.add(row.chat_id)
                task = asyncio.create_task(self._send(row))
                self._running.add(task)
                task.add_done_callback(self._running.discard)
                launched += 1
        self._pacer.forget_before(time.monotonic())
        return launched


@dataclass
class Mixed:
    """What one mixed run measured."""

    pacer: str
    prompts: int
    digests: int
    parts: int
    rate: float
    elapsed: float | None  # sender start → last message accepted; None: not all arrived before the timeout
    throttled: int
    prompt_wait: float  # longest pause in the overall stream while a prompt waited, less one interval (s)
    digest_spread: float  # longest time from a digest's first part to its last (s)
    extra: dict[str, Any]

    @property
    def total(self) -> int:
        """Messages in all."""
        return self.prompts + self.digests * self.parts

    @property
    def bound(self) -> float:
        """The overall bound: every message at the overall rate, or one digest at one a second if that is longer."""
        return max(self.total / self.rate, (self.parts - 1) / 1.0)

    @property
    def ratio(self) -> float | None:
        """Elapsed over the bound."""
        return None if self.elapsed is None else self.elapsed / self.bound


async def run_mixed(pacer_name: str, prompts: int, digests: int, parts: int, rate: float, timeout: float) -> Mixed:
    """Queue the digests, then the prompts; send them with the real OutboxSender and this pacer; measure."""
    compile_catalogs(PROJECT_ROOT / "locales")
    catalogs = Catalogs(PROJECT_ROOT / "locales")
    digest_chats = [FIRST_DIGEST_CHAT + n for n in range(digests)]
    prompt_chats = [FIRST_PROMPT_CHAT + n for n in range(prompts)]
    rows = [Outgoing(f"digest:{chat}:{part}", "digest", chat, f"Digest Teil {part + 1} von {parts}")
            for chat in digest_chats for part in range(parts)]
    rows += [Outgoing(f"single:{chat}", "notice", chat, "Eure Ergebnisse der Runde") for chat in prompt_chats]
    accepted: list[tuple[float, int]] = []
    api = LocalBotApi()
    api.limits = server_limits(rate)
    original = api.implemented["sendMessage"]

    async def send_message(params: dict[str, Any]) -> Any:
        result = await original(params)
        accepted.append((time.monotonic(), int(params["chat_id"])))
        return result

    api.implemented["sendMessage"] = send_message
    for chat in digest_chats + prompt_chats:
        api.add_user(chat, f"P{chat}", started=True)
    limits = Limits(per_second=rate)
    pacer = Pacer(limits) if pacer_name == "ours" else BeforePacer(limits)
    with tempfile.TemporaryDirectory(prefix="netzpuls-bench-") as tmp:
        db_path = Path(tmp) / "netzpuls.db"
        db = open_db(db_path)
        enqueue(db, rows, SENT_AT)
        db.close()
        await api.start()
        bot = Bot(api.token, base_url=api.base_url, request=HTTPXRequest(connection_pool_size=20))
        await bot.initialize()
        kind = OutboxSender if pacer_name == "ours" else BeforeSender
        sender = kind(bot, db_path, catalogs, lambda: SENT_AT, pacer)
        began = time.monotonic()
        await sender.start()
        deadline = began + timeout
        while len(accepted) < len(rows) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await sender.stop()
        await bot.shutdown()
        await api.stop()
    done = len(accepted) >= len(rows)
    return Mixed(pacer_name, prompts, digests, parts, rate, accepted[-1][0] - began if done else None,
                 api.throttled, _prompt_wait(accepted, set(prompt_chats), pacer.rate, began),
                 _digest_spread(accepted, set(digest_chats)), {"sender_stats": dict(sender.stats),
                                                               "accepted": len(accepted)})


def _prompt_wait(accepted: Sequence[tuple[float, int]], prompts: set[int], rate: float, began: float) -> float:
    """The longest pause between accepted sends (from the start) while a prompt was still to come, less one
    interval of the pacer's rate: the time a prompt stood waiting with the overall rate unused."""
    last_prompt = max((at for at, chat in accepted if chat in prompts), default=began)
    stamps = [began] + [at for at, _ in accepted if at <= last_prompt]
    return max(0.0, max((b - a for a, b in pairwise(stamps)), default=0.0) - 1.0 / rate)


def _digest_spread(accepted: Sequence[tuple[float, int]], digests: set[int]) -> float:
    """The longest time from one digest's first part to its last."""
    first: dict[int, float] = {}
    last: dict[int, float] = {}
    for at, chat in accepted:
        if chat in digests:
            first.setdefault(chat, at)
            last[chat] = at
    return max((last[chat] - first[chat] for chat in first), default=0.0)


def mixed_table(results: Sequence[Mixed]) -> str:
    """The mixed runs, one line each."""
    lines = []
    for r in results:
        ratio = "—" if r.ratio is None else f"{r.ratio:.3f}"
        elapsed = "not all sent" if r.elapsed is None else f"{r.elapsed:.2f} s"
        lines.append(f"  {r.pacer:<7} {elapsed:>12}  bound {r.bound:.2f} s  ratio {ratio}  429s {r.throttled}  "
                     f"longest wait of a prompt behind another chat {r.prompt_wait * 1000:.0f} ms  "
                     f"longest digest {r.digest_spread:.2f} s  {r.extra}")
    return "\n".join(lines)


def mixed_verdict(ours: Mixed) -> str:
    """GOAL MET, or GOAL MISSED with the reasons."""
    reasons = []
    if ours.ratio is None:
        reasons.append("not every message was sent before the timeout")
    elif ours.ratio > GOAL_RATIO:
        reasons.append(f"ratio {ours.ratio:.3f} > {GOAL_RATIO:.2f}")
    if ours.throttled:
        reasons.append(f"{ours.throttled} answers were 429")
    return "GOAL MET" if not reasons else "GOAL MISSED: " + "; ".join(reasons)


def mixed_figures(ours: Mixed, before: Mixed) -> list[Figure]:
    """The suite's figures of the mixed run, each beside the pacer before issue 20."""
    what = f"{ours.prompts} prompts + {ours.digests} digests × {ours.parts} at {ours.rate:g}/s"
    met = ours.ratio is not None and ours.ratio <= GOAL_RATIO
    return [
        Figure("broadcast", f"mixed: time to send {what}", "s",
               ours.elapsed if ours.elapsed is not None else float("nan"), ours.bound, "bound (all messages)/rate",
               ours.ratio, f"≤ {GOAL_RATIO:.2f} × bound", met,
               f"pacer before issue 20: {before.elapsed or float('nan'):.2f} s, ratio "
               f"{before.ratio or float('nan'):.3f}"),
        Figure("broadcast", f"mixed: 429 answers ({what})", "count", float(ours.throttled), float(before.throttled),
               "pacer before issue 20", None, "0", ours.throttled == 0),
        Figure("broadcast", f"mixed: longest wait of a prompt behind another chat's gap ({what})", "ms",
               ours.prompt_wait * 1000, before.prompt_wait * 1000, "pacer before issue 20", None,
               "no wait for another chat's gap", None),
    ]
