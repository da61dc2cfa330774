"""`python -m bot run` while Telegram cannot be reached or refuses the token: one line per try, then it starts once
Telegram answers; a refused token ends the start with exit code 2."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Any

from localapi.server import LocalBotApi
from tests.e2e import ROOT
from tests.test_health import free_port

WAIT = 60.0  # seconds at most for a line we expect (the first pause before a retry is 5 s)


def _env(token: str, api_url: str, tmp_path: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "NETZPULS_"))}
    return {**keep, "PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_URL": api_url,
            "NETZPULS_DB": str(tmp_path / "netzpuls.db"), "NETZPULS_ENV_FILE": str(tmp_path / "none.env"),
            "NETZPULS_HEALTH_PORT": "0", "NETZPULS_TICK_SECONDS": "1", "PTB_TIMEDELTA": "true"}


async def _bot(token: str, api_url: str, tmp_path: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=tmp_path,
                                                env=_env(token, api_url, tmp_path),
                                                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)


async def _until(bot: asyncio.subprocess.Process, seen: list[str], part: str) -> str:
    """Read stderr lines (kept in `seen`) until one holds `part`; that line."""
    assert bot.stderr is not None
    while True:
        raw = await asyncio.wait_for(bot.stderr.readline(), WAIT)
        assert raw, f"stderr ended before {part!r}:\n" + "".join(seen)
        seen.append(raw.decode())
        if part in seen[-1]:
            return seen[-1]


async def test_telegram_unreachable_at_start_one_line_per_try_then_the_bot_starts(tmp_path: Path) -> None:
    port = free_port()
    bot = await _bot(LocalBotApi().token, f"http://127.0.0.1:{port}/bot", tmp_path)
    seen: list[str] = []
    try:
        first = await _until(bot, seen, "Telegram not reachable")
        assert f"(http://127.0.0.1:{port}): NetworkError" in first
        assert "check the network" in first and "trying again in 5 s" in first
        # Telegram comes back on that port: the next try finds it and the bot starts.
        async with LocalBotApi(port=port) as api:
            polled = asyncio.Event()
            get_updates = api.implemented["getUpdates"]

            async def poll(params: dict[str, Any]) -> Any:
                polled.set()
                return await get_updates(params)

            api.implemented["getUpdates"] = poll
            await _until(bot, seen, "Netzpuls ready")
            await asyncio.wait_for(polled.wait(), WAIT)  # started: PTB stops cleanly only once it polls
            bot.send_signal(signal.SIGTERM)
            _out, rest = await asyncio.wait_for(bot.communicate(), WAIT)
            seen += rest.decode().splitlines(keepends=True)
            assert bot.returncode == 0, "".join(seen)
    finally:
        if bot.returncode is None:
            bot.kill()
            await bot.wait()
    text = "".join(seen)
    assert "Traceback" not in text, text
    assert [line for line in seen if "not reachable" in line] == [first]  # one line for the one failed try
    assert any("Telegram reachable again" in line for line in seen)


async def test_the_pause_between_tries_doubles_up_to_five_minutes(tmp_path: Path) -> None:
    port = free_port()
    bot = await _bot(LocalBotApi().token, f"http://127.0.0.1:{port}/bot", tmp_path)
    seen: list[str] = []
    try:
        await _until(bot, seen, "trying again in 5 s")
        await _until(bot, seen, "trying again in 10 s")
    finally:
        bot.kill()
        await bot.wait()
    assert "Traceback" not in "".join(seen)


async def test_a_token_telegram_refuses_ends_the_start_with_exit_code_2(api: LocalBotApi, tmp_path: Path) -> None:
    bot = await _bot("123456:not-the-servers-token", api.base_url, tmp_path)
    _out, err = await asyncio.wait_for(bot.communicate(), WAIT)
    lines = err.decode().splitlines()
    assert bot.returncode == 2
    assert lines == [
        f"Telegram refused the bot token ({api.url} answered 401/404): check TELEGRAM_BOT_TOKEN (from @BotFather; "
        "/token there shows it again)."]
