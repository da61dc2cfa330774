"""Whether Telegram answers before the bot starts: one log line per failed try and a growing pause between tries;
a token Telegram refuses (401/404) ends the start with one line instead."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from telegram import Bot
from telegram.error import InvalidToken, TelegramError

from bot.config import Settings
from bot.logsafe import hide_in_logs

log = logging.getLogger(__name__)

FIRST_PAUSE = 5.0  # seconds before the second try; doubled after each failed try
LONGEST_PAUSE = 300.0  # ... up to five minutes
TOKEN_REFUSED = 2  # the exit code when Telegram does not know the token


def origin(api_url: str) -> str:
    """The scheme and host of the Bot API URL (no path, so never a token): what the operator must reach."""
    parts = urlsplit(api_url)
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else api_url


def one_line(error: BaseException) -> str:
    """An error as one short line: its type and message, without the chain of causes."""
    text = " ".join(str(error).split()) or "no details"
    return f"{type(error).__name__}: {text}"[:300]


async def _ask(settings: Settings) -> None:
    """One getMe with the token; raises what PTB raises."""
    async with Bot(settings.token or "", base_url=settings.api_url, base_file_url=settings.file_url):
        pass  # entering the context asks getMe


async def wait_until_reachable(settings: Settings, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                               ask: Callable[[Settings], Awaitable[None]] = _ask) -> bool:
    """Ask getMe until Telegram answers (True); False once it refuses the token. Each failed try logs one line."""
    pause = FIRST_PAUSE
    where = origin(settings.api_url)
    failed = False
    while True:
        try:
            await ask(settings)
        except InvalidToken:
            return False
        except TelegramError as error:
            failed = True
            reason = one_line(error).replace(settings.token or "\0", "[hidden]")  # our own logger: no filter
            log.warning("Telegram not reachable (%s): %s; check the network, DNS and proxy (HTTPS_PROXY); "
                        "trying again in %g s", where, reason, pause)
            await sleep(pause)
            pause = min(pause * 2, LONGEST_PAUSE)
            continue
        if failed:
            log.info("Telegram reachable again (%s)", where)
        return True


def reach_telegram(settings: Settings) -> int | None:
    """Wait for Telegram before the bot starts; None when it answers, else the exit code (said in one line)."""
    hide_in_logs(settings.token, settings.webhook_secret)  # PTB logs URLs with the token at DEBUG
    # A loop of its own, not asyncio.run: that would leave no current loop for run_polling and run_webhook.
    loop = asyncio.new_event_loop()
    try:
        reachable = loop.run_until_complete(wait_until_reachable(settings))
    except KeyboardInterrupt:
        print("Stopped while waiting for Telegram.", file=sys.stderr)
        return 0
    finally:
        loop.close()
    if reachable:
        return None
    print(f"Telegram refused the bot token ({origin(settings.api_url)} answered 401/404): check TELEGRAM_BOT_TOKEN "
          "(from @BotFather; /token there shows it again).", file=sys.stderr)
    return TOKEN_REFUSED
