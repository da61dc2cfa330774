"""Everything handlers need, built once at start and closed at shutdown."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlite_utils import Database

from bot.config import Settings
from bot.i18n import Catalogs, Gettext
from bot.scripts import ScriptRegistry

Clock = Callable[[], datetime]

MONTHLY_SCRIPT = "monthly_checkin"
CONSENT_VERSION = 1


def system_clock() -> datetime:
    """The real time, timezone-aware (UTC)."""
    return datetime.now(UTC)


@dataclass
class Services:
    """Settings, database, scripts, catalogs and the clock, shared by all handlers."""

    settings: Settings
    db: Database
    scripts: ScriptRegistry
    catalogs: Catalogs
    clock: Clock
    bot_username: str = ""

    def tr(self, locale: str) -> Gettext:
        """The translation function for one locale."""
        return self.catalogs.gettext(locale)

    def invite_link(self, token: str) -> str:
        """The t.me deep link that opens the bot with this invite token."""
        return f"https://t.me/{self.bot_username}?start={token}"
