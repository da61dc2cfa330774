"""The one sender of queued messages: keeps Telegram's limits, retries what may pass, never sends twice knowingly."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
from sqlite_utils import Database
from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.core.calendar import Schedule, is_quiet
from bot.core.pacing import Limits, Pacer, backoff
from bot.i18n import Catalogs
from bot.jobs import outbox_recovery
from bot.telegram.quiet_send import send_quietly
from bot.telegram.ratelimit import retry_seconds
from storage.db import open_db
from storage.outbox import (
    Outgoing,
    Queued,
    claim,
    enqueue,
    mark_failed,
    mark_retry,
    mark_sent,
    mark_uncertain,
    photo_of,
    queued,
)
from storage.outbox_delivery import expect_delivery
from storage.people import Membership, coordinators_of, mark_unreachable, membership_by_id
from storage.rounds import schedule_of

T = TypeVar("T")

log = logging.getLogger(__name__)

_PAGE = 100  # rows per read: a pass mostly ends in its first page (every send slot taken), so pages stay small
_IDLE = 0.5  # seconds to wait for new work when nothing is due
_CHAT_GONE = ("chat not found", "user is deactivated", "peer_id_invalid")


class OutboxSender:
    """Sends queued rows oldest first, paced by a Pacer, with at most `concurrency` requests under way."""

    def __init__(self, bot: Bot, db_path: Path, catalogs: Catalogs, clock: Callable[[], datetime],
                 pacer: Pacer | None = None, concurrency: int = 16, admins: Collection[int] = ()) -> None:
        self._bot, self._db_path, self._catalogs, self._clock = bot, db_path, catalogs, clock
        self._admins = admins  # told about a send cut short by a stop that cannot be checked
        # The sender's own connection lives on one thread, so a commit's fsync never stalls the event loop's pacing.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-db")
        self._db: Database | None = None
        self._pacer = pacer or Pacer(Limits())
        self._slots = asyncio.Semaphore(concurrency)
        self._wake = asyncio.Event()
        self._held: dict[int, float] = {}  # row id -> monotonic time before which it waits (after a failure)
        self._running: set[asyncio.Task[None]] = set()
        self._launched: set[int] = set()  # row ids whose send task has not finished
        # Chats with a send under way: one message at a time per chat, so a chat gets its messages in the order they
        # were queued (the digest before its chart and map) whatever each send takes.
        self._busy_chats: set[int] = set()
        self._next_due = 0.0  # the earliest moment a chat skipped in the last pass may get its next message
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._stop = asyncio.Event()
        self._closed = False
        self.stats: Counter[str] = Counter()

    async def _call(self, function: Callable[..., T], *args: Any) -> T:
        """Run a storage function with the sender's connection on the sender's database thread."""
        def call() -> T:
            assert self._db is not None
            return function(self._db, *args)
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    async def start(self) -> None:
        """Open the connection, settle what was in flight at the last stop, then send in the background."""
        def connect() -> None:
            self._db = open_db(self._db_path)
        await asyncio.get_running_loop().run_in_executor(self._executor, connect)
        checked = await outbox_recovery.check_in_flight(self._bot, self._call, self._catalogs, self._admins,
                                                        self._clock)
        self.stats.update({f"in_flight_{outcome}": count for outcome, count in checked.items()})
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="outbox-sender")

    @property
    def running(self) -> bool:
        """Whether the sender is sending (started, not stopping, its loop alive)."""
        return self._task is not None and not self._task.done() and not self._stopping

    async def stop(self) -> None:
        """Claim no more rows; let the sends under way finish (what is left stays queued). Again: nothing."""
        if self._closed:
            return
        self._closed = True
        self._stopping = True
        self._stop.set()
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None
        finishing = len(self._running)
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

        def close() -> None:
            if self._db is not None:
                self._db.close()
                self._db = None
        await asyncio.get_running_loop().run_in_executor(self._executor, close)
        self._executor.shutdown(wait=True)
        log.info("outbox: sender stopped after finishing %d send(s) under way; the rest stays queued", finishing)

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
                # A chat waiting for its own second is looked at again when its second has come, not a tick later.
                wait = min(_IDLE, max(0.0, self._next_due - time.monotonic())) if self._next_due else _IDLE
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=wait)

    async def _pass(self) -> int:
        """One pass over all queued rows; returns how many sends it started."""
        launched, after = 0, 0
        self._next_due = 0.0
        schedules: dict[int, Schedule] = {}
        busy_later: set[int] = set()
        full = False
        while not self._stopping and not full:
            rows = await self._call(queued, _PAGE, after)
            if not rows:
                break
            after = rows[-1].id
            for row in rows:
                if self._stopping:
                    break
                if row.network_id is not None and row.network_id not in schedules:
                    schedules[row.network_id] = await self._call(schedule_of, row.network_id)
                # The clock is read per row: a long pass (or a fast simulated clock) may run into quiet hours.
                quiet = row.network_id is not None and is_quiet(schedules[row.network_id], self._clock())
                if quiet:
                    continue
                if not self._may_send(row):
                    # A later row of this chat must not overtake this one; other chats' rows go meanwhile.
                    busy_later.add(row.chat_id)
                    continue
                if row.chat_id in busy_later:
                    continue
                if self._slots.locked():
                    # Every send slot is taken: the pass ends rather than wait here, and the next one (woken when a
                    # send finishes) starts again from the oldest row. Waiting in the middle would hand the freed
                    # slots to the newer rows and leave a chat whose second came meanwhile (a digest's next part)
                    # until the pass had gone through every later row.
                    full = True
                    break
                await self._slots.acquire()  # free: at once
                self._launched.add(row.id)
                self._busy_chats.add(row.chat_id)
                busy_later.add(row.chat_id)
                task = asyncio.create_task(self._send(row))
                self._running.add(task)
                task.add_done_callback(self._running.discard)
                launched += 1
        self._pacer.forget_before(time.monotonic())
        return launched

    def _may_send(self, row: Queued) -> bool:
        """Whether the row may be launched now: not under way, not held, its chat free and due (the pacer books
        the first free overall slot from the chat's time on, so a row launched early would only sit on a slot)."""
        mono = time.monotonic()
        if row.id in self._launched or row.chat_id in self._busy_chats or self._held.get(row.id, 0.0) > mono:
            return False
        ready = self._pacer.chat_ready(row.chat_id)
        if ready <= mono + 0.05:
            return True
        self._next_due = ready if not self._next_due else min(self._next_due, ready)
        return False

    async def _send(self, row: Queued) -> None:
        try:
            if self._stopping or not await self._call(claim, row.id, self._clock()):
                return
            # The slot is booked once the row is ours: a claim that waited must not make sends bunch up later.
            at = self._pacer.reserve(row.chat_id, time.monotonic())
            photo = await self._call(photo_of, row.id) if row.has_photo else None
            delay = at - time.monotonic()  # reading the photo took some of the wait already
            if (delay > 0 and await self._stopped_within(delay)) or not await self._departed():
                await self._call(mark_retry, row.id, "not sent: the bot stopped")  # queued again, nothing went out
                return
            await self._call(expect_delivery, row.id)  # in flight from here: after a crash it is checked, not resent
            try:
                message_id: int | None
                if photo is not None:
                    markup = InlineKeyboardMarkup.de_json(row.reply_markup, self._bot) if row.reply_markup else None
                    message_id = (await self._bot.send_photo(row.chat_id, photo, caption=row.text or None,
                                                             parse_mode=row.parse_mode,
                                                             reply_markup=markup)).message_id
                else:
                    message_id = await send_quietly(self._bot, row.chat_id, row.text, row.reply_markup or None,
                                                    row.parse_mode)
            except RetryAfter as error:
                wait = retry_seconds(error)
                self.stats["retry_after"] += 1
                # Telegram does not say which limit was hit: hold everything, then go on a little slower.
                self._pacer.too_many(time.monotonic(), wait)
                await self._retry(row, f"429 retry after {wait:g}s", wait)
            except Forbidden as error:
                self.stats["forbidden"] += 1
                await self._call(unreachable, self._catalogs, row, str(error), self._clock())
            except BadRequest as error:
                if any(part in str(error).lower() for part in _CHAT_GONE):
                    await self._call(unreachable, self._catalogs, row, str(error), self._clock())
                else:
                    self.stats["failed"] += 1
                    log.error("outbox: Telegram refused message %d for good: %s", row.id, error)
                    await self._call(mark_failed, row.id, str(error))
            except TimedOut as error:
                self.stats["timed_out"] += 1
                await self._uncertain(row, "timed out", f"timeout: {error}")
            except NetworkError as error:
                if lost_in_flight(error):
                    self.stats["connection_lost"] += 1
                    await self._uncertain(row, "lost its connection", f"connection lost: {error}")
                else:
                    self.stats["network_error"] += 1
                    await self._retry(row, f"network: {error}", backoff(row.attempts + 1))
            else:
                self.stats["sent"] += 1
                self._held.pop(row.id, None)
                await self._call(mark_sent, row.id, message_id, self._clock())
        except Exception as error:  # anything unforeseen: keep the row, retry later, tell the log
            log.exception("outbox: unexpected error while sending message %d", row.id)
            await self._retry(row, f"unexpected: {type(error).__name__}", backoff(row.attempts + 1))
        finally:
            self._launched.discard(row.id)
            self._busy_chats.discard(row.chat_id)
            self._slots.release()
            self._wake.set()  # the chat's next message may go now

    async def _departed(self) -> bool:
        """Wait until the send fits the pacer's window of actual departures; False if stop() came meanwhile."""
        while (wait := self._pacer.depart(time.monotonic())) > 0:
            if await self._stopped_within(wait):
                return False
        return True

    async def _stopped_within(self, seconds: float) -> bool:
        """Wait the pacing delay; True as soon as stop() is called meanwhile."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), timeout=seconds)
        return self._stopping

    async def _uncertain(self, row: Queued, what: str, error: str) -> None:
        """The message may or may not have arrived: sending again risks a duplicate, not sending a loss."""
        log.warning("outbox: message %d %s; sending it again (it may arrive twice)", row.id, what)
        self._held[row.id] = time.monotonic() + backoff(row.attempts + 1)
        await self._call(mark_uncertain, row.id, error)
        self._wake.set()

    async def _retry(self, row: Queued, error: str, wait: float) -> None:
        self._held[row.id] = time.monotonic() + wait
        await self._call(mark_retry, row.id, error)
        self._wake.set()


def lost_in_flight(error: NetworkError) -> bool:
    """Whether the connection broke after the request went out (reset, closed without an answer): Telegram may
    have carried it out. A refusal with an HTTP status, or a connection that never opened, did nothing."""
    return isinstance(error.__cause__, httpx.ReadError | httpx.RemoteProtocolError)


def unreachable(db: Database, catalogs: Catalogs, row: Queued, error: str, now: datetime) -> None:
    """Blocked or deactivated: stop, mark the partner unreachable and tell the coordination, in one transaction."""
    with db.atomic():
        mark_failed(db, row.id, error)
        partner = membership_by_id(db, row.membership_id) if row.membership_id else None
        if partner is not None and partner.role == "partner" and mark_unreachable(db, partner.id, now):
            notices = [unreachable_notice(catalogs, c, partner, now) for c in coordinators_of(db, partner.network_id)]
            enqueue(db, notices, now)
            log.info("outbox: partner membership %d is unreachable; coordination told", partner.id)


def unreachable_notice(catalogs: Catalogs, coordinator: Membership, partner: Membership, now: datetime) -> Outgoing:
    """Tell a coordinator that a partner's contact person can no longer be reached."""
    _ = catalogs.gettext(coordinator.locale)
    text = _("{organisation} in \"{network}\" can no longer be reached: {name} has blocked Netzpuls or left "
             "Telegram. Please find out who the contact person is now and send a new link with /invite "
             "{organisation}.").format(organisation=partner.organisation_name, network=partner.network_name,
                                       name=partner.first_name)
    return Outgoing(f"unreachable:{partner.id}:{now.isoformat()}:{coordinator.id}", "notice", coordinator.user_id,
                    text, None, partner.network_id, coordinator.id, None)
