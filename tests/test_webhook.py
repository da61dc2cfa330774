"""Webhook mode: the real bot receives updates that the local Bot API POSTs, and only with the secret token."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from telegram.error import Conflict
from telegram.ext import Application

from bot.config import Settings
from bot.telegram.app import build_application, stop_application
from bot.telegram.webhook import WEBHOOK_PATH, webhook_options
from localapi.server import LocalBotApi
from localapi.webhook import SECRET_HEADER, WebhookPost
from tests.e2e import ROOT, FakeClock, updates_handled

SECRET = "Netzpuls_webhook-secret_0123456789"
PUBLIC_URL = "https://netzpuls.example.org/telegram"
STRANGER = 777
App = Application[Any, Any, Any, Any, Any, Any]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def hook_settings(settings: Settings) -> Settings:
    """The e2e settings in webhook mode, the bot receiving on a free loopback port."""
    return replace(settings, webhook_url=PUBLIC_URL, webhook_secret=SECRET, webhook_listen="127.0.0.1",
                   webhook_port=free_port())


@pytest.fixture
async def bot(api: LocalBotApi, hook_settings: Settings, clock: FakeClock,
              caplog: pytest.LogCaptureFixture) -> AsyncIterator[App]:
    """The real bot started the way run_webhook starts it, with the local server posting to its port."""
    caplog.set_level(logging.DEBUG)  # the most the log ever says; the secret must not be in it
    api.webhook_target = f"http://127.0.0.1:{hook_settings.webhook_port}/{WEBHOOK_PATH}"  # the TLS proxy
    app = build_application(hook_settings, clock)
    await app.initialize()
    assert app.post_init is not None and app.updater is not None
    await app.post_init(app)
    await app.updater.start_webhook(**webhook_options(hook_settings))
    await app.start()
    yield app
    await stop_application(app)


async def post_to_bot(settings: Settings, update: dict[str, object], secret: str | None) -> int:
    """POST an update straight to the bot's webhook port, as anyone on the network could; the HTTP status."""
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    url = f"http://127.0.0.1:{settings.webhook_port}/{WEBHOOK_PATH}"
    async with aiohttp.ClientSession() as session, session.post(url, json=update, headers=headers) as response:
        return response.status


async def test_a_stranger_is_answered_through_the_webhook(api: LocalBotApi, bot: App) -> None:
    assert api.webhook is not None and api.webhook["url"] == PUBLIC_URL
    assert api.webhook["secret_token"] == SECRET
    assert api.allowed_updates == ["message", "edited_message", "callback_query"]
    api.add_user(STRANGER, "Fremd", language_code="de")
    api.send_text(STRANGER, "/start")
    [reply] = await api.wait_for_messages(STRANGER, 1)
    assert "Einladungslink" in reply.text
    assert [p.status for p in api.webhook_posts] == [200]
    assert not any(r.method == "getUpdates" for r in api.requests)
    info = await bot.bot.get_webhook_info()
    assert (info.url, info.pending_update_count, info.last_error_message) == (PUBLIC_URL, 0, None)


async def test_get_updates_is_refused_while_the_webhook_is_set(api: LocalBotApi, bot: App) -> None:
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.bot.get_updates()
    assert api.errors[-1].error_code == 409


async def test_a_post_without_the_right_secret_is_refused_and_not_processed(
        api: LocalBotApi, bot: App, hook_settings: Settings,
        caplog: pytest.LogCaptureFixture) -> None:
    forger = api.add_user(778, "Mallory", language_code="de", started=True)
    forged = {"update_id": 900_001, "message": {"message_id": 1, "date": 0, "text": "/help",
                                                "from": forger.to_dict(), "chat": forger.chat_dict(),
                                                "entities": [{"type": "bot_command", "offset": 0, "length": 5}]}}
    assert await post_to_bot(hook_settings, forged, None) == 403
    assert await post_to_bot(hook_settings, {**forged, "update_id": 900_002}, "wrong-secret") == 403
    assert await post_to_bot(hook_settings, {**forged, "update_id": 900_003}, SECRET.lower()) == 403
    # The forged posts were refused before reaching the bot's queue; a real update is still answered.
    api.add_user(STRANGER, "Fremd", language_code="de")
    api.send_text(STRANGER, "/help")
    await api.wait_for_messages(STRANGER, 1)
    await updates_handled(bot)  # updates of different chats are handled at the same time: the answer proves no more
    assert api.sent_count(forger.id) == 0
    assert SECRET not in caplog.text
    assert api.token not in caplog.text


async def test_an_update_the_bot_cannot_read_is_refused_without_logging_its_content(
        api: LocalBotApi, bot: App, hook_settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    unreadable = {"update_id": 900_010, "message": {"message_id": 1, "date": "gestern", "text": "Geheimtext Mallory",
                                                    "chat": {"id": 778, "type": "private", "first_name": "Mallory"}}}
    assert await post_to_bot(hook_settings, unreadable, SECRET) == 400
    assert any(r.levelno == logging.CRITICAL and "not* processed" in r.getMessage() for r in caplog.records)
    assert "Mallory" not in caplog.text and "Geheimtext" not in caplog.text


async def test_a_refused_delivery_is_retried_until_the_bot_takes_it(api: LocalBotApi, bot: App,
                                                                    hook_settings: Settings) -> None:
    await bot.bot.set_webhook(PUBLIC_URL, secret_token="a-stale-secret")  # e.g. set by an old instance
    api.add_user(STRANGER, "Fremd", language_code="de")
    api.send_text(STRANGER, "/help")
    await api.wait_until(lambda: len(api.webhook_posts) >= 2, message="two refused deliveries")
    [update_id] = {p.update_id for p in api.webhook_posts}
    assert {p.status for p in api.webhook_posts} == {403}
    info = await bot.bot.get_webhook_info()
    assert info.pending_update_count == 1
    assert info.last_error_message == "Wrong response from the webhook: 403 Forbidden"
    await bot.bot.set_webhook(PUBLIC_URL, secret_token=SECRET)
    [reply] = await api.wait_for_messages(STRANGER, 1)
    assert "Einladungslink" in reply.text
    assert api.webhook_posts[-1] == WebhookPost(update_id, 200)
    assert [p.status for p in api.webhook_posts].count(200) == 1


@pytest.mark.parametrize("secret", ["", "with space", "ümlaut", "x" * 257, "semi;colon"])
async def test_set_webhook_refuses_a_secret_token_telegram_refuses(api: LocalBotApi, secret: str) -> None:
    async with aiohttp.ClientSession() as session, session.post(
            f"{api.base_url}{api.token}/setWebhook", json={"url": PUBLIC_URL, "secret_token": secret}) as response:
        assert response.status == 400
        assert "secret" in (await response.json())["description"]
    assert api.webhook is None


def test_the_webhook_target_must_be_on_this_machine() -> None:
    api = LocalBotApi()
    for target in ("http://127.0.0.1:8443/telegram", "http://localhost:1/x", "http://[::1]:2/telegram"):
        api.webhook_target = target
    for target in ("https://netzpuls.example.org/telegram", "http://10.0.0.1/telegram", "ftp://127.0.0.1/x"):
        with pytest.raises(ValueError, match="only to this machine"):
            api.webhook_target = target


async def test_python_m_bot_run_serves_the_webhook_and_stops_on_sigterm(api: LocalBotApi, tmp_path: Path) -> None:
    port = free_port()
    api.webhook_target = f"http://127.0.0.1:{port}/{WEBHOOK_PATH}"
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "NETZPULS_"))}
    env = {**keep, "PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_URL": api.base_url,
           "NETZPULS_DB": str(tmp_path / "netzpuls.db"), "NETZPULS_ENV_FILE": str(tmp_path / "none.env"),
           "NETZPULS_WEBHOOK_URL": PUBLIC_URL, "NETZPULS_WEBHOOK_SECRET": SECRET,
           "NETZPULS_WEBHOOK_LISTEN": "127.0.0.1", "NETZPULS_WEBHOOK_PORT": str(port), "NETZPULS_HEALTH_PORT": "0",
           "NETZPULS_LOG_LEVEL": "DEBUG"}
    log_path = tmp_path / "bot.log"
    with log_path.open("ab") as log_file:
        process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
                                                       stdout=asyncio.subprocess.DEVNULL, stderr=log_file)
    try:
        api.add_user(STRANGER, "Fremd", language_code="de")
        api.send_text(STRANGER, "/start")
        [reply] = await api.wait_for_messages(STRANGER, 1, timeout=60)
        assert "Einladungslink" in reply.text
    finally:
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), timeout=30)
    log = log_path.read_text()
    assert code == 0, log[-3000:]
    assert f"Netzpuls starting in webhook mode: Telegram posts to {PUBLIC_URL}" in log
    assert "Netzpuls stopped" in log
    assert SECRET not in log and api.token not in log
