"""Injected faults of the local Bot API: queued refusals, stalls and resets for the next calls, and random chaos."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

from localapi.objects import Failure
from localapi.spec import ApiError

CHAOS_KINDS = ("429", "500", "502", "stall", "stall_processed", "reset", "reset_processed")
_DESCRIPTIONS = {500: "Internal Server Error", 502: "Bad Gateway"}


@dataclass
class Stall:
    """Hold a call before answering; processed: carried out first (the answer is lost), else never done."""

    seconds: float
    processed: bool
    times: int = 1

    @property
    def kind(self) -> str:
        """The key in `injected`: "stall_processed" or "stall"."""
        return "stall_processed" if self.processed else "stall"


@dataclass
class Reset:
    """Close the connection without an answer; processed: carried out first (the answer is lost), else never done."""

    processed: bool
    times: int = 1

    @property
    def kind(self) -> str:
        """The key in `injected`: "reset_processed" or "reset"."""
        return "reset_processed" if self.processed else "reset"


Fault = ApiError | Stall | Reset


@dataclass(frozen=True)
class _Chaos:
    probability: float
    method: str
    kinds: tuple[str, ...]
    retry_after: int
    stall_seconds: float
    rng: random.Random


def too_many_requests(retry_after: int) -> ApiError:
    """A 429 refusal worded like Telegram's."""
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)


class Faults:
    """What goes wrong with the next calls: queued failures, stalls and resets per method, then chaos; counted."""

    def __init__(self) -> None:
        self.injected: Counter[str] = Counter()
        self._queues: dict[str, list[Failure | Stall | Reset]] = {}
        self._chaos: _Chaos | None = None

    def queue(self, method: str, fault: Failure | Stall | Reset) -> None:
        """Add a fault for the next `fault.times` calls of a method, after those queued before."""
        if fault.times < 1:
            raise ValueError("times must be at least 1")
        if isinstance(fault, Stall) and fault.seconds < 0:
            raise ValueError("a stall cannot take negative seconds")
        self._queues.setdefault(method, []).append(fault)

    def set_chaos(self, method: str, probability: float, *, seed: int, kinds: tuple[str, ...],
                  retry_after: int, stall_seconds: float) -> None:
        """Let each call of a method fail with the probability, in a kind drawn from `kinds`."""
        if not 0 <= probability <= 1:
            raise ValueError("probability must be between 0 and 1")
        unknown = [kind for kind in kinds if kind not in CHAOS_KINDS]
        if unknown or not kinds:
            raise ValueError(f"chaos kinds must be some of {CHAOS_KINDS}, got {kinds!r}")
        if retry_after < 1 or stall_seconds < 0:
            raise ValueError("retry_after must be at least 1 and stall_seconds not negative")
        self._chaos = _Chaos(probability, method, tuple(kinds), retry_after, stall_seconds, random.Random(seed))

    def clear(self, method: str) -> None:
        """Drop the faults still queued for a method."""
        self._queues.pop(method, None)

    def chaos_off(self) -> None:
        """No more random faults."""
        self._chaos = None

    def next(self, method: str) -> Fault | None:
        """The fault for this call of a method, if any: a refusal to raise, a stall or a reset."""
        fault = self._queued(method)
        if fault is None:
            fault = self._random(method)
        if fault is not None:
            self.injected[str(fault.error_code) if isinstance(fault, ApiError) else fault.kind] += 1
        return fault

    def _queued(self, method: str) -> Fault | None:
        queue = self._queues.get(method)
        if not queue:
            return None
        fault = queue[0]
        fault.times -= 1
        if fault.times <= 0:
            queue.pop(0)
        if isinstance(fault, Stall):
            return Stall(fault.seconds, fault.processed)
        if isinstance(fault, Reset):
            return Reset(fault.processed)
        return ApiError(fault.error_code, fault.description, fault.retry_after)

    def _random(self, method: str) -> Fault | None:
        chaos = self._chaos
        if chaos is None or chaos.method != method or chaos.rng.random() >= chaos.probability:
            return None
        kind = chaos.rng.choice(chaos.kinds)
        if kind == "429":
            return too_many_requests(chaos.retry_after)
        if kind in ("stall", "stall_processed"):
            return Stall(chaos.stall_seconds, processed=kind == "stall_processed")
        if kind in ("reset", "reset_processed"):
            return Reset(processed=kind == "reset_processed")
        return ApiError(int(kind), _DESCRIPTIONS[int(kind)])
