"""One clock for the bot and the command line: a simulated clock's reading, kept in the database's meta table."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlite_utils import Database

from bot.services import Clock, SimulatedClock, system_clock
from storage.db import get_meta, set_meta

ANCHOR_KEY = "simulated_clock"


def save_anchor(db: Database, simulated: datetime, speed: float, real: datetime | None = None) -> None:
    """Remember that the simulated clock read `simulated` at the real moment `real` (now) and runs `speed` times
    real time (0: it stands still, e.g. after the bot stopped)."""
    stamp = (real or system_clock()).isoformat()
    set_meta(db, ANCHOR_KEY, json.dumps({"simulated": simulated.isoformat(), "real": stamp, "speed": speed}))


def clear_anchor(db: Database) -> None:
    """The bot runs on the real clock: forget any simulated clock."""
    with db.atomic():
        db.execute("DELETE FROM meta WHERE key = ?", [ANCHOR_KEY])


def anchored_now(db: Database, real: datetime | None = None) -> datetime | None:
    """What the remembered simulated clock shows at the real moment `real` (now); None if there is none."""
    value = get_meta(db, ANCHOR_KEY)
    if value is None:
        return None
    anchor = json.loads(value)
    elapsed = (real or system_clock()) - datetime.fromisoformat(anchor["real"])
    return datetime.fromisoformat(anchor["simulated"]) + elapsed * float(anchor["speed"])


def note_clock(db: Database, clock: Clock) -> None:
    """Keep the remembered clock in step with the bot's: rewritten when a simulated clock drifted from it by more
    than a real second's worth (it stands still while due work is done), removed on the real clock."""
    if not isinstance(clock, SimulatedClock):
        if get_meta(db, ANCHOR_KEY) is not None:
            clear_anchor(db)
        return
    now, real = clock(), system_clock()
    remembered = anchored_now(db, real)
    if remembered is None or abs(remembered - now) > timedelta(seconds=clock.speed):
        save_anchor(db, now, clock.speed, real)


def command_now(db: Database, start: datetime | None) -> datetime:
    """The time for a command-line command: a given `--clock-start` (remembered for the bot and later commands),
    else what the simulated clock of the bot on this database shows, else the real time."""
    if start is not None:
        save_anchor(db, start, 0.0)
        return start.astimezone(UTC)
    return anchored_now(db) or system_clock()
