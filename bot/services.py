"""Everything handlers need, built once at start and closed at shutdown."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlite_utils import Database

from bot.config import Settings
from bot.core.consent import CONSENT_VERSION as CONSENT_VERSION  # raised with each new consent text (bot.core.consent)
from bot.core.tips import Tips
from bot.i18n import Catalogs, Gettext
from bot.usecases.scripts import ScriptRegistry

Clock = Callable[[], datetime]

MONTHLY_SCRIPT = "monthly_checkin"
ONBOARDING_SCRIPT = "onboarding_checkin"  # offered once, right after a partner joins (if dialogs/ has it)
EXIT_SCRIPT = "exit_checkin"  # started when a partner leaves with /leave (if dialogs/ has it)
COACHING_SCRIPT = "coaching"  # the coordination's /coach dialog
USED_SCRIPTS = (MONTHLY_SCRIPT, ONBOARDING_SCRIPT, EXIT_SCRIPT, COACHING_SCRIPT)  # every script id the bot runs


def system_clock() -> datetime:
    """The real time, timezone-aware (UTC)."""
    return datetime.now(UTC)


def wall_clock(clock: Clock) -> Clock:
    """The clock for what people wait through in real time (stalled updates, the hourly grouping of error reports):
    the injected clock, except that a simulated one, which runs many times faster, gives way to the real time."""
    return system_clock if isinstance(clock, SimulatedClock) else clock


class SimulatedClock:
    """A clock that starts at `start` and runs `speed` times faster than real time (demos, acceptance runs).

    It can be told to stop at a moment (`hold_at`): the rounds job holds it at the next due time, so what is due at
    09:00 is decided at 09:00 however fast the clock runs; the time it stands still is skipped, not made up.
    """

    def __init__(self, start: datetime, speed: float = 1.0) -> None:
        if start.tzinfo is None:
            raise ValueError("the simulated clock needs a start time with a UTC offset, e.g. 2027-01-04T08:00+01:00")
        self._start = start.astimezone(UTC)
        self.speed = speed
        self._origin = time.monotonic()
        self._stop: datetime | None = None

    def __call__(self) -> datetime:
        running = self._start + timedelta(seconds=(time.monotonic() - self._origin) * self.speed)
        return running if self._stop is None else min(running, self._stop)

    def hold_at(self, moment: datetime | None) -> None:
        """Stand still on reaching `moment` (at once if it has passed); None: run on freely."""
        self._start, self._origin = self(), time.monotonic()
        self._stop = None if moment is None else max(moment.astimezone(UTC), self._start)


@dataclass
class Services:
    """Settings, database, scripts, catalogs, the clock and the coaching tips, shared by all handlers."""

    settings: Settings
    db: Database
    scripts: ScriptRegistry
    catalogs: Catalogs
    clock: Clock
    tips: Tips
    bot_username: str = ""
    wake_sender: Callable[[], None] = field(default=lambda: None)

    def tr(self, locale: str) -> Gettext:
        """The translation function for one locale."""
        return self.catalogs.gettext(locale)

    def invite_link(self, token: str) -> str:
        """The t.me deep link that opens the bot with this invite token."""
        return f"https://t.me/{self.bot_username}?start={token}"
