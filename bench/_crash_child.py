"""The bot for bench.crash: `python -m bench._crash_child [--blind] run --clock-start …` is `python -m bot run …`;
with --blind, the sends in flight at the last stop are sent again unchecked, as before the delivery check (the
baseline the benchmark measures beside it)."""

from __future__ import annotations

import logging
import sys
from collections import Counter
from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any

from telegram import Bot

from bot.cli.main import main
from bot.i18n import Catalogs
from bot.jobs import outbox_recovery
from storage.outbox import recover_in_flight

log = logging.getLogger("bot.jobs.outbox_recovery")


async def resend_blindly(bot: Bot, call: Callable[..., Any], catalogs: Catalogs, admins: Collection[int],
                         clock: Callable[[], datetime]) -> Counter[str]:
    """The old start: every row left "sending" is queued again, whether it arrived or not."""
    resent = Counter(resent=await call(recover_in_flight))
    log.warning("outbox: checked the sends in flight at the last stop: %s", dict(resent))  # as bench.crash reads it
    return resent


if __name__ == "__main__":
    arguments = sys.argv[1:]
    if arguments[:1] == ["--blind"]:
        outbox_recovery.check_in_flight = resend_blindly
        arguments = arguments[1:]
    sys.exit(main(arguments))
