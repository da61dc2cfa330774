"""Spacing of outgoing messages so that Telegram's limits are kept; time is passed in, nothing sleeps here."""

from __future__ import annotations

import math
from bisect import bisect_left, insort
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Telegram's limits: messages per second overall, per private chat, per group chat per minute."""

    per_second: float = 30.0
    per_chat_per_second: float = 1.0
    group_per_minute: int = 20
    margin: float = 0.95  # aim a little below the limit: network jitter bunches requests together
    catch_up: int = 0  # slots lost to a stall that may be made up at once


_EASE = 1.15  # a 429 slows the overall rate by this factor ...
_SLOWEST = 2.0  # ... down to half of it at most
_CALM = 30.0  # seconds without a 429 before each step back up


class Pacer:
    """Hands out send times: overall slots at least one interval apart, each send in the first free one at or after
    its chat's own next time (a chat waiting for its gap holds up no other chat), at most the limit in any second of
    departures; after a 429 it holds everything and eases off for a while."""

    def __init__(self, limits: Limits) -> None:
        self._per_second = limits.per_second * limits.margin
        self._private_gap = 1.0 / (limits.per_chat_per_second * limits.margin)
        self._group_gap = 60.0 / (limits.group_per_minute * limits.margin)
        # A stall (GC, a commit, a busy loop) may cost some slots; the sender may catch up on `catch_up` of them.
        # Sends that wake late bunch up on the way to Telegram already, so the default is none: the bench showed
        # that catching up on half the margin tips the busiest second over the limit.
        self._slack = limits.catch_up / self._per_second  # in slots of the full rate, also while eased off
        # A calendar of booked overall slots, each at least one interval from the next: a send takes the first free
        # slot at or after its chat's own next time, so a chat waiting for its own second leaves the slots before
        # it to the other chats instead of pushing everyone behind it.
        self._booked: list[float] = []
        self._now = 0.0  # the latest `now` seen: the monotonic clock never runs back, a caller's may lag a little
        self._hold_any = 0.0
        self._next_chat: dict[int, float] = {}
        # Booked slots are evenly spaced, but sends that wake late (a busy event loop) leave together: a sliding
        # window of actual departures, the way Telegram counts, keeps any one second under the limit anyway.
        self._limit = max(1, math.floor(limits.per_second))
        self._departures: deque[float] = deque()
        # Jitter beyond our control (a busy machine, the network) can still bunch sends on Telegram's side: after a
        # 429 the rate eases off, and comes back step by step once it has been quiet for a while.
        self._slower = 1.0
        self._hold_until = 0.0
        self._recover_at = 0.0

    @property
    def rate(self) -> float:
        """Sends per second the pacer aims at now (below the limit by the margin, and eased off after a 429)."""
        return self._per_second / self._slower

    @property
    def _interval(self) -> float:
        return 1.0 / self.rate

    def _window_cap(self) -> int:
        """As many as evenly spaced slots put into one second, never more than the limit itself."""
        return max(1, min(self._limit, math.ceil(self.rate)))

    def _recover(self, now: float) -> None:
        while self._slower > 1.0 and now >= self._recover_at:
            self._slower = max(1.0, self._slower / _EASE)
            self._recover_at += _CALM

    def chat_ready(self, chat_id: int) -> float:
        """The earliest time the chat may get its next message."""
        return self._next_chat.get(chat_id, 0.0)

    def _free_slot(self, earliest: float) -> float:
        """The first time at or after `earliest` that is at least one interval away from every booked slot."""
        interval = self._interval
        at = earliest
        i = bisect_left(self._booked, at - interval + 1e-9)
        while i < len(self._booked) and self._booked[i] < at + interval - 1e-9:
            at = self._booked[i] + interval
            i += 1
        return at

    def _book(self, chat_id: int | None, now: float, own_gap: bool) -> float:
        """Book the first free overall slot (at or after the chat's own next time if `own_gap`); when it may go."""
        now = self._now = max(self._now, now)
        self._recover(now)
        # Slots lost to a stall may be caught up on (up to `slack`), but never the ones held after a 429.
        earliest = max(now - self._slack, self._hold_any)
        if own_gap and chat_id is not None:
            earliest = max(earliest, self.chat_ready(chat_id))
        slot = self._free_slot(earliest)
        insort(self._booked, slot)
        stale = bisect_left(self._booked, now - self._slack - 2 * self._interval)
        if stale:
            del self._booked[:stale]  # slots long gone can no longer be taken
        at = max(now, slot)
        if chat_id is not None:
            gap = self._group_gap if chat_id < 0 else self._private_gap
            self._next_chat[chat_id] = max(self.chat_ready(chat_id), at + gap)
        return at

    def reserve(self, chat_id: int, now: float) -> float:
        """Book the next send to `chat_id` and return when it may go (never before `now`): the first free overall
        slot at or after the chat's own next allowed time; other chats keep the slots before it."""
        return self._book(chat_id, now, own_gap=True)

    def reserve_overall(self, chat_id: int | None, now: float) -> float:
        """Book a send that waits only for the overall rate (an edit of a message already there); it still moves
        the chat's next allowed time on."""
        return self._book(chat_id, now, own_gap=False)

    def depart(self, now: float) -> float:
        """Seconds to wait before a booked send may leave (0.0: it leaves now and is counted); ask again after
        waiting, since other sends may have left meanwhile."""
        if now < self._hold_until:  # a send booked before the 429 came waits out the hold too
            return self._hold_until - now
        while self._departures and self._departures[0] <= now - 1.0:
            self._departures.popleft()
        cap = self._window_cap()
        if len(self._departures) >= cap:
            # Never 0.0 here, even if rounding says so: 0.0 means "counted, go".
            return max(self._departures[-cap] + 1.0 - now, 1e-4)
        self._departures.append(now)
        return 0.0

    def hold_chat(self, chat_id: int, until: float) -> None:
        """Send nothing to this chat before `until` (Telegram said retry_after)."""
        self._next_chat[chat_id] = max(self.chat_ready(chat_id), until)

    def hold_all(self, until: float) -> None:
        """Send nothing at all before `until`."""
        self._hold_any = max(self._hold_any, until)

    def too_many(self, now: float, retry_after: float) -> None:
        """Telegram answered 429: hold everything for `retry_after`, and ease off the rate, once per hold (the
        other sends already under way when it came are answered 429 for the same burst)."""
        self.hold_all(now + retry_after)
        if now >= self._hold_until:
            self._slower = min(_SLOWEST, self._slower * _EASE)
        self._hold_until = max(self._hold_until, now + retry_after)
        self._recover_at = self._hold_until + _CALM

    def forget_before(self, now: float) -> None:
        """Drop bookkeeping of chats that may already get messages again (keeps memory flat)."""
        self._next_chat = {chat: t for chat, t in self._next_chat.items() if t > now}


def backoff(attempts: int, base: float = 1.0, cap: float = 300.0) -> float:
    """Seconds to wait before the next try after `attempts` failed ones: doubling, capped."""
    return float(min(cap, base * 2.0 ** min(max(0, attempts - 1), 64)))  # cap the exponent: no overflow
