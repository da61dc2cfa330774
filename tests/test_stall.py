"""Getting updates failing for minutes (long polling here): the admins are told once per outage and once when it
works again, and /readyz answers 503 with the reason meanwhile."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.config import Settings
from tests.e2e import ADMIN_ID, FakeClock, Harness
from tests.test_health import free_port, get


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The e2e settings with the health server on (on a free port)."""
    return replace(settings, health_port=free_port())


async def test_polls_failing_for_minutes_tell_the_admins_once_and_readyz_says_why(
        harness: Harness, settings: Settings, clock: FakeClock) -> None:
    api = harness.api
    api.add_user(ADMIN_ID, "Admin", language_code="de", started=True)
    api.fail_next("getUpdates", 502, "Bad Gateway", times=10_000)
    # A second failed poll: the bot has taken in the first one's answer (PTB polls one at a time).
    await api.wait_until(lambda: api.injected["502"] >= 2, timeout=10, message="no second poll met the fault")
    clock.advance(minutes=2, seconds=59)  # not yet long enough
    assert await get(settings, "/readyz") == (200, "ready")
    clock.advance(seconds=1)
    [told] = await api.wait_for_messages(ADMIN_ID, 1)
    assert told.text.startswith("Netzpuls bekommt seit 3 Minuten keine Updates von Telegram: HTTP 502: Bad Gateway.")
    assert await get(settings, "/readyz") == (503, "no updates from Telegram for 3 min: HTTP 502: Bad Gateway")
    # The outage goes on: no second message about it.
    clock.advance(minutes=30)
    failed = api.injected["502"]
    await api.wait_until(lambda: api.injected["502"] > failed, timeout=30, message="polling stopped")
    status, body = await get(settings, "/readyz")
    assert (status, body) == (503, "no updates from Telegram for 33 min: HTTP 502: Bad Gateway")
    assert len(api.messages(ADMIN_ID)) == 1
    # Telegram answers the polls again: the admins hear so, once, and the bot is ready.
    api.faults.clear("getUpdates")
    [back] = await api.wait_for_messages(ADMIN_ID, 1, timeout=30)
    assert back.text == "Netzpuls bekommt wieder Updates von Telegram."
    assert await get(settings, "/readyz") == (200, "ready")
