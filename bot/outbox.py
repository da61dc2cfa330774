"""The one sender of queued messages: keeps Telegram's limits, retries what may pass, never sends twice knowingly."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import warnings
from collections import Counter
from collections.abc import Callable
from datetime import datetime

from sqlite_utils import Database
from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.warnings import PTBDeprecationWarning

from bot.core.calendar import Schedule, is_quiet
from bot.core.pacing import Limits, Pacer, backoff
from bot.i18n import Catalogs
from storage.outbox import (
    Outgoing,
    Queued,
    enqueue,
    mark_failed,
    mark_retry,
    mark_sending,
    mark_sent,
    queued,
    recover_in_flight,
)
from storage.people import Membership, coordinators_of, mark_unreachable, membership_by_id
from storage.rounds import schedule_of

log = logging.getLogger(__name__)

_PAGE = 500
_IDLE = 0.5  # seconds to wait for new work when nothing is due
_CHAT_GONE = ("chat not found", "user is deactivated", "peer_id_invalid")


def _seconds(value: object) -> float:
    total = getattr(value, "total_seconds", None)
    return float(total()) if callable(total) else float(value)  # type: ignore[arg-type]


class OutboxSender:
    """Sends queued rows oldest first, paced by a Pacer, with at most `concurrency` requests under way."""

    def __init__(self, bot: Bot, db: Database, catalogs: Catalogs, clock: Callable[[], datetime],
                 limits: Limits | None = None, concurrency: int = 16) -> None:
        self._bot, self._db, self._catalogs, self._clock = bot, db, catalogs, clock
        self._pacer = Pacer(limits or Limits())
        self._slots = asyncio.Semaphore(concurrency)
        self._wake = asyncio.Event()
        self._held: dict[int, float] = {}  # row id -> monotonic time before which it waits (after a failure)
        self._running: set[asyncio.Task[None]] = set()
        self._launched: set[int] = set()  # row ids whose send task has not finished
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.stats: Counter[str] = Counter()

    async def start(self) -> None:
        """Requeue what was in flight at the last stop, then start sending in the background."""
        recovered = recover_in_flight(self._db)
        if recovered:
            self.stats["in_flight_at_stop"] += recovered
            log.warning("outbox: %d message(s) were in flight when the bot stopped; they are sent again and may "
                        "arrive twice", recovered)
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="outbox-sender")

    async def stop(self) -> None:
        """Take no new rows; let the sends under way finish (what is left stays queued)."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    @property
    def bot(self) -> Bot:
        """The Bot this sender sends with."""
        return self._bot

    def wake(self) -> None:
        """New rows were queued: look now instead of at the next idle tick."""
        self._wake.set()

    async def _run(self) -> None:
        while not self._stopping:
            try:
                launched = await self._pass()
            except Exception:  # a broken pass must not end sending for good; the rows stay queued
                log.exception("outbox: a send pass failed; trying again shortly")
                launched = 0
            if launched == 0 and not self._stopping:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=_IDLE)

    async def _pass(self) -> int:
        """One pass over all queued rows; returns how many sends it started."""
        launched, after = 0, 0
        schedules: dict[int, Schedule] = {}
        quiet: dict[int, bool] = {}
        now = self._clock()
        while not self._stopping:
            rows = queued(self._db, _PAGE, after)
            if not rows:
                break
            after = rows[-1].id
            for row in rows:
                if self._stopping:
                    break
                if not self._may_send(row, now, schedules, quiet):
                    continue
                at = self._pacer.reserve(row.chat_id, time.monotonic())
                delay = at - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                await self._slots.acquire()
                self._launched.add(row.id)
                task = asyncio.create_task(self._send(row))
                self._running.add(task)
                task.add_done_callback(self._running.discard)
                launched += 1
        self._pacer.forget_before(time.monotonic())
        return launched

    def _may_send(self, row: Queued, now: datetime, schedules: dict[int, Schedule], quiet: dict[int, bool]) -> bool:
        mono = time.monotonic()
        if row.id in self._launched or self._held.get(row.id, 0.0) > mono:
            return False
        if self._pacer.chat_ready(row.chat_id) > mono + 0.05:
            return False
        if row.network_id is None:
            return True
        if row.network_id not in quiet:
            schedules[row.network_id] = schedule_of(self._db, row.network_id)
            quiet[row.network_id] = is_quiet(schedules[row.network_id], now)
        return not quiet[row.network_id]

    async def _send(self, row: Queued) -> None:
        try:
            if not mark_sending(self._db, row.id):
                return
            markup = InlineKeyboardMarkup.de_json(row.reply_markup, self._bot) if row.reply_markup else None
            try:
                sent = await self._bot.send_message(row.chat_id, row.text, reply_markup=markup)
            except RetryAfter as error:
                with warnings.catch_warnings():  # PTB 22 warns that retry_after will become a timedelta
                    warnings.simplefilter("ignore", PTBDeprecationWarning)
                    wait = _seconds(error.retry_after)
                self.stats["retry_after"] += 1
                self._pacer.hold_chat(row.chat_id, time.monotonic() + wait)
                self._retry(row, f"429 retry after {wait:g}s", wait)
            except Forbidden as error:
                self.stats["forbidden"] += 1
                self._unreachable(row, str(error))
            except BadRequest as error:
                if any(part in str(error).lower() for part in _CHAT_GONE):
                    self._unreachable(row, str(error))
                else:
                    self.stats["failed"] += 1
                    log.error("outbox: Telegram refused message %d for good: %s", row.id, error)
                    mark_failed(self._db, row.id, str(error))
            except TimedOut as error:
                # The message may or may not have arrived; sending again risks a duplicate, not sending a loss.
                self.stats["timed_out"] += 1
                self._retry(row, f"timeout: {error}", backoff(row.attempts + 1))
            except NetworkError as error:
                self.stats["network_error"] += 1
                self._retry(row, f"network: {error}", backoff(row.attempts + 1))
            else:
                self.stats["sent"] += 1
                self._held.pop(row.id, None)
                mark_sent(self._db, row.id, sent.message_id, self._clock())
        except Exception as error:  # anything unforeseen: keep the row, retry later, tell the log
            log.exception("outbox: unexpected error while sending message %d", row.id)
            self._retry(row, f"unexpected: {type(error).__name__}", backoff(row.attempts + 1))
        finally:
            self._launched.discard(row.id)
            self._slots.release()

    def _retry(self, row: Queued, error: str, wait: float) -> None:
        self._held[row.id] = time.monotonic() + wait
        mark_retry(self._db, row.id, error)
        self._wake.set()

    def _unreachable(self, row: Queued, error: str) -> None:
        """Blocked or deactivated: stop, mark the partner unreachable and tell the coordination, in one go."""
        now = self._clock()
        with self._db.atomic():
            mark_failed(self._db, row.id, error)
            partner = membership_by_id(self._db, row.membership_id) if row.membership_id else None
            if partner is not None and partner.role == "partner" and mark_unreachable(self._db, partner.id, now):
                notices = [unreachable_notice(self._catalogs, c, partner, now)
                           for c in coordinators_of(self._db, partner.network_id)]
                enqueue(self._db, notices, now)
                log.info("outbox: partner membership %d is unreachable; coordination told", partner.id)
        self._wake.set()


def unreachable_notice(catalogs: Catalogs, coordinator: Membership, partner: Membership, now: datetime) -> Outgoing:
    """Tell a coordinator that a partner's contact person can no longer be reached."""
    _ = catalogs.gettext(coordinator.locale)
    text = _("{organisation} can no longer be reached: {name} has blocked Netzpuls or left Telegram. Please find "
             "out who the contact person is now and send a new link with /invite {organisation}.").format(
        organisation=partner.organisation_name, name=partner.first_name)
    return Outgoing(f"unreachable:{partner.id}:{now.isoformat()}:{coordinator.id}", "notice", coordinator.user_id,
                    text, None, partner.network_id, coordinator.id, None)
