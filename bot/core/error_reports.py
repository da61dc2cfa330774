"""Which errors the admins are told of: one report per kind of error per hour, so a flood of one fault (a stranger
sending the same bad message five times, a job failing every tick) is one message; the ones held back are counted
and told with the next report of that kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

QUIET = timedelta(hours=1)


@dataclass
class ErrorReports:
    """Per kind of error: when the admins were last told, and how many of that kind came since."""

    quiet: timedelta = QUIET
    _told: dict[str, datetime] = field(default_factory=dict)
    _held: dict[str, int] = field(default_factory=dict)

    def report(self, kind: str, now: datetime) -> int | None:
        """An error of this kind happened now: None if the admins were told of this kind within `quiet` (it is
        counted), else how many errors of this kind the report stands for (this one and those held back)."""
        last = self._told.get(kind)
        if last is not None and now - last < self.quiet:
            self._held[kind] = self._held.get(kind, 0) + 1
            return None
        self._told[kind] = now
        return self._held.pop(kind, 0) + 1
