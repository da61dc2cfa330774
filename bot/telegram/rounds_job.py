"""When the rounds job looks next: at the next due moment, with a simulated clock held there until it has looked."""

from __future__ import annotations

import logging
import time
import weakref
from datetime import datetime

from bot.clock_anchor import note_clock
from bot.jobs.look_ahead import look_ahead, wait_seconds
from bot.services import Services, SimulatedClock

log = logging.getLogger(__name__)

LONGEST_BUSY_HOLD = 30.0  # real seconds a simulated clock waits for the outbox before it runs on regardless
_busy_since: weakref.WeakKeyDictionary[SimulatedClock, float] = weakref.WeakKeyDictionary()


def next_look(svc: Services, looked: datetime | None) -> float:
    """Real seconds until the rounds job looks again, after it did what was due at `looked` (None: it failed).

    A simulated clock stands still at the next due moment (and while messages are due or on their way), so what is
    due at 09:00 is decided, and sent, at 09:00 at any speed.
    """
    clock, longest = svc.clock, svc.settings.tick_seconds
    try:
        now = looked or clock()
        # What fell due while the job worked is still ahead of `looked`: the clock stands there, as it cannot pass it.
        ahead = look_ahead(svc.db, now)
        note_clock(svc.db, clock)
    except Exception:  # a failed look must not end the rounds job: it looks again after the usual tick
        log.exception("could not work out when the rounds are due next")
        if isinstance(clock, SimulatedClock):
            clock.hold_at(None)
        return longest
    if isinstance(clock, SimulatedClock):
        if not ahead.busy:
            _busy_since.pop(clock, None)
        moment = now if ahead.busy and _may_wait(clock) else ahead.due
        clock.hold_at(moment)
        return wait_seconds(clock(), moment, clock.speed, longest)
    return wait_seconds(clock(), ahead.due, 1.0, longest)


def _may_wait(clock: SimulatedClock) -> bool:
    """Whether the clock may stand still for the outbox any longer: a row that never goes out must not stop it."""
    since = _busy_since.setdefault(clock, time.monotonic())
    if time.monotonic() - since <= LONGEST_BUSY_HOLD:
        return True
    log.warning("the simulated clock waited %gs for the outbox and runs on", LONGEST_BUSY_HOLD)
    _busy_since[clock] = time.monotonic()
    return False
