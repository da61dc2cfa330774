"""A simulated clock at 20000×: the round due at 09:00 opens at 09:00, and its prompts reach the server at 09:00."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.services import CONSENT_VERSION, SimulatedClock
from localapi.server import LocalBotApi
from storage.db import open_db
from storage.people import create_invite, create_network, organisation_for, redeem_invite
from tests.e2e import Harness

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2027, 1, 4, 9, 0, tzinfo=BERLIN)  # a Monday; the round of January is due on Tuesday, 5 January
DUE = datetime(2027, 1, 5, 9, 0, tzinfo=BERLIN)
SPEED = 20_000.0  # a simulated day in 4.3 real seconds
PARTNERS = 10
FIRST_ID = 700


def _network_joined_before(db_path: Path) -> None:
    """A network with PARTNERS partners (ids from FIRST_ID), created and joined on the Sunday before."""
    joined = START - timedelta(days=1)
    db = open_db(db_path)
    with db.atomic():
        network = create_network(db, "Netzwerk Alleinerziehende Musterstadt", joined)
        for n in range(PARTNERS):
            organisation = organisation_for(db, network, f"Organisation {n}", joined)
            token = create_invite(db, network, "partner", organisation, joined, 14).token
            redeem_invite(db, token, FIRST_ID + n, f"Person {n}", "de", CONSENT_VERSION, joined)
    db.close()


async def _stamp_arrivals(api: LocalBotApi, clock: SimulatedClock, stamps: dict[int, datetime]) -> None:
    """The server's log of arrivals, by the simulated clock: when each partner's first message got there."""
    while True:
        for n in range(PARTNERS):
            if FIRST_ID + n not in stamps and api.sent_count(FIRST_ID + n):
                stamps[FIRST_ID + n] = clock()
        await api.wait_for_change(1.0)


async def test_at_20000x_the_round_due_at_nine_opens_and_prompts_at_nine(api: LocalBotApi, settings: Settings) -> None:
    _network_joined_before(settings.db_path)
    for n in range(PARTNERS):
        api.add_user(FIRST_ID + n, f"Person {n}", language_code="de", started=True)
    clock = SimulatedClock(START, SPEED)
    clock.hold_at(START)  # as `bot run --clock-start` does: the clock starts when the rounds job first looks
    # `bot run --clock-start ... --clock-speed 20000` looks every 0.05 s (a thousand simulated seconds) at most.
    harness = Harness(api, replace(settings, tick_seconds=0.05), clock)  # type: ignore[arg-type]
    stamps: dict[int, datetime] = {}
    watcher = asyncio.create_task(_stamp_arrivals(api, clock, stamps))
    await harness.start()
    try:
        await api.wait_until(lambda: len(stamps) == PARTNERS, timeout=30, message="every partner's prompt")
    finally:
        watcher.cancel()
        await harness.stop()
    opened = harness.db.execute("SELECT opened_at FROM rounds").fetchone()[0]
    harness.db.close()
    assert datetime.fromisoformat(opened) == DUE.astimezone(UTC)
    late = {user: f"{moment.astimezone(BERLIN):%H:%M:%S}" for user, moment in stamps.items()
            if not DUE <= moment <= DUE + timedelta(minutes=5)}
    assert not late, f"prompts not stamped 09:00-09:05: {late}"
    assert all("Check-in" in api.messages(FIRST_ID + n)[0].text for n in range(PARTNERS))
