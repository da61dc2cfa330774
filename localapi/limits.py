"""Telegram's send limits for the local Bot API: sliding windows of accepted sends, overall and per chat."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

OVERALL_WINDOW = 1.0  # seconds
GROUP_WINDOW = 60.0  # seconds
# Methods that send something to a chat without being a message; never limited.
NOT_MESSAGES = frozenset({"sendChatAction", "sendMessageDraft"})
# Methods that create messages although their names do not start with "send".
OTHER_SENDS = frozenset({"copyMessage", "copyMessages", "forwardMessage", "forwardMessages"})


@dataclass(frozen=True)
class RateLimits:
    """Telegram's flood limits: overall per second, per private chat (with bursts), per group per minute."""

    overall_per_second: float = 30
    per_chat_per_second: float = 1
    chat_burst: int = 3
    group_per_minute: int = 20

    def __post_init__(self) -> None:
        if self.overall_per_second < 1:
            raise ValueError("overall_per_second must be at least 1")
        if self.per_chat_per_second <= 0 or self.chat_burst < 1 or self.group_per_minute < 1:
            raise ValueError("per_chat_per_second must be positive, chat_burst and group_per_minute at least 1")

    @property
    def chat_window(self) -> float:
        """Seconds of the window in which a private chat may take chat_burst sends."""
        return self.chat_burst / self.per_chat_per_second


def sends_message(method: str) -> bool:
    """Whether a Bot API method sends a message, and so counts towards the send limits."""
    return (method.startswith("send") and method not in NOT_MESSAGES) or method in OTHER_SENDS


def is_group(chat_id: int | str) -> bool:
    """Whether a chat id addresses a group, supergroup or channel (negative id or @username)."""
    return not isinstance(chat_id, int) or chat_id < 0


class _Window:
    """Times of accepted sends within the last `seconds`; at most `capacity` of them."""

    def __init__(self, capacity: float, seconds: float) -> None:
        self.capacity = capacity
        self.seconds = seconds
        self.stamps: deque[float] = deque()

    def wait(self, now: float) -> float:
        """Seconds until one more send fits (0.0: it fits now); drops stamps that left the window."""
        while self.stamps and self.stamps[0] <= now - self.seconds:
            self.stamps.popleft()
        excess = len(self.stamps) + 1 - math.floor(self.capacity)
        if excess <= 0:
            return 0.0
        return self.stamps[excess - 1] + self.seconds - now


class SendLimiter:
    """Decides whether a send is accepted under RateLimits, and remembers the accepted ones."""

    def __init__(self, limits: RateLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self._overall = _Window(limits.overall_per_second, OVERALL_WINDOW)
        self._chats: dict[int | str, _Window] = {}

    def _chat(self, chat_id: int | str) -> _Window:
        window = self._chats.get(chat_id)
        if window is None:
            if is_group(chat_id):
                window = _Window(self.limits.group_per_minute, GROUP_WINDOW)
            else:
                window = _Window(self.limits.chat_burst, self.limits.chat_window)
            self._chats[chat_id] = window
        return window

    def acquire(self, chat_id: int | str) -> int:
        """Record a send to a chat now and return 0, or return the whole seconds to wait (≥ 1), recording nothing."""
        now = self._clock()
        chat = self._chat(chat_id)
        wait = max(self._overall.wait(now), chat.wait(now))
        if wait > 0:
            return max(1, math.ceil(wait))
        self._overall.stamps.append(now)
        chat.stamps.append(now)
        return 0

    def release(self, chat_id: int | str) -> None:
        """Forget the latest accepted send to a chat: it was refused for another reason after all."""
        chat = self._chat(chat_id)
        if chat.stamps:
            chat.stamps.pop()
        if self._overall.stamps:
            self._overall.stamps.pop()
