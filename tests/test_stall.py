"""Getting updates failing for minutes (long polling, or the webhook's deliveries): the admins are told once per
outage and once when it works again, and /readyz answers 503 with the reason meanwhile."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import aiohttp
import pytest

from bot.config import Settings
from bot.telegram.stall import WATCH_KEY, StallWatch
from localapi.server import LocalBotApi
from tests.e2e import ADMIN_ID, FakeClock, Harness
from tests.test_health import free_port, get
from tests.test_webhook import STRANGER, App, bot, hook_settings  # noqa: F401 (fixtures)


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


async def _webhook_info(api: LocalBotApi) -> dict[str, Any]:
    """getWebhookInfo asked over HTTP, as Telegram answers it."""
    async with aiohttp.ClientSession() as session, session.post(f"{api.base_url}{api.token}/getWebhookInfo") as reply:
        found: dict[str, Any] = (await reply.json())["result"]
        return found


async def test_webhook_deliveries_failing_for_minutes_tell_the_admins_once(
        api: LocalBotApi, bot: App, hook_settings: Settings, clock: FakeClock) -> None:  # noqa: F811 (fixtures)
    api.add_user(ADMIN_ID, "Admin", language_code="de", started=True)
    watch = bot.bot_data[WATCH_KEY]
    assert isinstance(watch, StallWatch)
    reachable, api.webhook_target = api.webhook_target, f"http://127.0.0.1:{free_port()}/telegram"  # proxy down
    api.send_text(STRANGER, "Hallo")
    for _ in range(100):
        if "last_error_message" in await _webhook_info(api):
            break
        await asyncio.sleep(0.05)
    clock.advance(minutes=1, seconds=1)  # the bot asks getWebhookInfo once a minute
    await api.wait_until(lambda: watch.failing_since is not None, message="the failing deliveries went unnoticed")
    clock.advance(minutes=3)
    [told] = await api.wait_for_messages(ADMIN_ID, 1)
    assert told.text.startswith("Netzpuls bekommt seit 3 Minuten keine Updates von Telegram: webhook deliveries "
                                "fail: ")
    status, body = await get(hook_settings, "/readyz")
    assert status == 503 and body.startswith("no updates from Telegram for 3 min: webhook deliveries fail: ")
    api.webhook_target = reachable  # the proxy is back: the update arrives, nothing is pending
    [_answer] = await api.wait_for_messages(STRANGER, 1, timeout=30)
    clock.advance(minutes=1, seconds=1)
    [back] = await api.wait_for_messages(ADMIN_ID, 1)
    assert back.text == "Netzpuls bekommt wieder Updates von Telegram."
    assert await get(hook_settings, "/readyz") == (200, "ready")
