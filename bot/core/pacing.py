"""Spacing of outgoing messages so that Telegram's limits are kept; time is passed in, nothing sleeps here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Telegram's limits: messages per second overall, per private chat, per group chat per minute."""

    per_second: float = 30.0
    per_chat_per_second: float = 1.0
    group_per_minute: int = 20
    margin: float = 0.95  # aim a little below the limit: network jitter bunches requests together
    catch_up: int = 0  # slots lost to a stall that may be made up at once


class Pacer:
    """Hands out send times: evenly spaced overall, with a minimum gap per chat, and holds after a 429."""

    def __init__(self, limits: Limits) -> None:
        self._interval = 1.0 / (limits.per_second * limits.margin)
        self._private_gap = 1.0 / (limits.per_chat_per_second * limits.margin)
        self._group_gap = 60.0 / (limits.group_per_minute * limits.margin)
        # A stall (GC, a commit, a busy loop) may cost some slots; the sender may catch up on `catch_up` of them.
        # Sends that wake late bunch up on the way to Telegram already, so the default is none: the bench showed
        # that catching up on half the margin tips the busiest second over the limit.
        self._slack = limits.catch_up * self._interval
        self._next_any = 0.0
        self._next_chat: dict[int, float] = {}

    def chat_ready(self, chat_id: int) -> float:
        """The earliest time the chat may get its next message."""
        return self._next_chat.get(chat_id, 0.0)

    def reserve(self, chat_id: int, now: float) -> float:
        """Book the next send to `chat_id` and return when it may go (never before `now`)."""
        slot = max(self._next_any, now - self._slack)
        at = max(now, slot, self.chat_ready(chat_id))
        self._next_any = max(slot, at - self._slack) + self._interval
        self._next_chat[chat_id] = at + (self._group_gap if chat_id < 0 else self._private_gap)
        return at

    def reserve_overall(self, chat_id: int | None, now: float) -> float:
        """Book a reply (to a person who just wrote): it counts against the overall rate and the chat's gap,
        but waits only for the overall rate, since a short burst in one chat is allowed."""
        at = max(now, self._next_any)
        self._next_any = at + self._interval
        if chat_id is not None:
            gap = self._group_gap if chat_id < 0 else self._private_gap
            self._next_chat[chat_id] = max(self.chat_ready(chat_id), at + gap)
        return at

    def hold_chat(self, chat_id: int, until: float) -> None:
        """Send nothing to this chat before `until` (Telegram said retry_after)."""
        self._next_chat[chat_id] = max(self.chat_ready(chat_id), until)

    def hold_all(self, until: float) -> None:
        """Send nothing at all before `until`."""
        self._next_any = max(self._next_any, until)

    def forget_before(self, now: float) -> None:
        """Drop bookkeeping of chats that may already get messages again (keeps memory flat)."""
        self._next_chat = {chat: t for chat, t in self._next_chat.items() if t > now}


def backoff(attempts: int, base: float = 1.0, cap: float = 300.0) -> float:
    """Seconds to wait before the next try after `attempts` failed ones: doubling, capped."""
    return float(min(cap, base * 2.0 ** min(max(0, attempts - 1), 64)))  # cap the exponent: no overflow
