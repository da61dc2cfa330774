"""The demo's simulated clock, and waiting until the bot has done what is due at the time it shows."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlite_utils import Database

from bot.core.planner import plan_network
from bot.services import CONSENT_VERSION
from storage.reports import rounds_to_report
from storage.rounds import snapshot

SETTLE_TIMEOUT = 20.0  # seconds of real time: what is due takes a fraction of a second


class DemoError(RuntimeError):
    """The demo could not go on: the bot did not do what was due, or did not answer."""


class DemoClock:
    """The simulated clock: it stands still until the demo moves it forward (never back); deterministic."""

    def __init__(self, start: datetime) -> None:
        self.now = start.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> None:
        """Move the clock forward to this moment."""
        self.now = max(self.now, moment.astimezone(UTC))

    def advance(self, minutes: float) -> None:
        """Move the clock forward by some minutes."""
        self.now += timedelta(minutes=minutes)


def bot_is_idle(db: Database, now: datetime) -> bool:
    """Whether nothing is due at `now`: no round action (asked of the bot's own planner), no queued message and no
    closed round whose report is still to be queued."""
    if any(plan_network(network, now) for network in snapshot(db, now, CONSENT_VERSION)):
        return False
    queued = db.execute("SELECT COUNT(*) FROM outbox WHERE status IN ('queued', 'sending')").fetchone()[0]
    return not queued and not rounds_to_report(db)


async def settle(db: Database, clock: DemoClock, tick: float) -> None:
    """Wait until the bot has done everything due at the clock's time.

    A tick that has not run yet shows as something due; two looks a tick apart leave time for what a tick does after
    the rounds (urgent alerts).
    """
    loop = asyncio.get_running_loop()
    deadline, calm = loop.time() + SETTLE_TIMEOUT, 0
    while True:
        calm = calm + 1 if bot_is_idle(db, clock()) else 0
        if calm == 2:
            return
        if loop.time() > deadline:
            raise DemoError(f"the bot did not finish what was due at {clock().isoformat()}")
        await asyncio.sleep(tick)
