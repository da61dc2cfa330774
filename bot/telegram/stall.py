"""Whether the bot still gets its updates: long polls (each getUpdates) or, with a webhook, Telegram's deliveries
(getWebhookInfo). Failing longer than NETZPULS_STALL_MINUTES tells the admins once per outage, and once when it works
again, and makes /readyz answer 503 with the reason."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any

from telegram.error import TelegramError

from bot.services import Clock, wall_clock
from bot.telegram.context import BotContext
from bot.telegram.limited_request import LimitedRequest
from bot.telegram.reach import one_line
from bot.usecases.identity import locale_of_user
from storage.outbox import Outgoing, enqueue

log = logging.getLogger(__name__)

WATCH_KEY = "updates_watch"  # the StallWatch in bot_data
WEBHOOK_CHECK = timedelta(minutes=1)  # how often getWebhookInfo is asked (on the clock in use)


class StallWatch:
    """Since when getting updates fails (None: it works), why, and whether the admins were told of this outage."""

    def __init__(self, clock: Clock, minutes: float) -> None:
        self._clock = clock
        self._limit = timedelta(minutes=minutes)
        self.failing_since: datetime | None = None
        self.reason = ""
        self.told = False
        self.webhook_checked: datetime | None = None
        self.webhook_error_seen: datetime | None = None  # the last delivery error's date at the last look

    def worked(self) -> None:
        """Updates came (or a poll answered): any outage is over."""
        self.failing_since = None

    def failed(self, reason: str) -> None:
        """Getting updates failed; the outage starts now unless it runs already."""
        if self.failing_since is None:
            self.failing_since = self._clock()
        self.reason = reason

    def stalled(self) -> str | None:
        """The reason in one line while it has failed for NETZPULS_STALL_MINUTES or longer; else None."""
        if self.failing_since is None or self._clock() - self.failing_since < self._limit:
            return None
        minutes = int((self._clock() - self.failing_since).total_seconds() // 60)
        return f"no updates from Telegram for {minutes} min: {self.reason}"

    def news(self) -> str | None:
        """"stalled" once an outage is long enough, "recovered" once a told outage ended; each once."""
        if not self.told and self.stalled() is not None:
            self.told = True
            return "stalled"
        if self.told and self.failing_since is None:
            self.told = False
            return "recovered"
        return None


class WatchedRequest(LimitedRequest):
    """The getUpdates client: every poll's outcome goes to the StallWatch."""

    def __init__(self, watch: StallWatch, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._watch = watch

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        """One HTTP request, its outcome noted: an answer with 200 works, anything else fails."""
        try:
            code, payload = await super().do_request(*args, **kwargs)
        except TelegramError as error:
            self._watch.failed(one_line(error))
            raise
        if code == 200:
            self._watch.worked()
        else:
            self._watch.failed(f"HTTP {code}: {_description(payload)}")
        return code, payload


def _description(payload: bytes) -> str:
    """Telegram's description of a refusal, or the start of whatever came instead."""
    try:
        found = json.loads(payload).get("description")
    except (ValueError, AttributeError):
        found = None
    return " ".join(str(found or payload[:200].decode("utf-8", "replace")).split())


async def _check_webhook(context: BotContext, watch: StallWatch, now: datetime) -> None:
    """With a webhook: Telegram's own account of its deliveries, at most once a minute."""
    if watch.webhook_checked is not None and now - watch.webhook_checked < WEBHOOK_CHECK:
        return
    watch.webhook_checked = now
    try:
        info = await context.bot.get_webhook_info()
    except TelegramError as error:
        watch.failed(one_line(error))
        return
    # Telegram keeps the last delivery error's date for good: only an error newer than at the last look starts an
    # outage (an old one plus a busy moment is none); it lasts while updates keep waiting.
    fresh = info.last_error_date is not None and (watch.webhook_error_seen is None
                                                  or info.last_error_date > watch.webhook_error_seen)
    watch.webhook_error_seen = info.last_error_date or watch.webhook_error_seen
    if info.pending_update_count and (fresh or watch.failing_since is not None):
        watch.failed(f"webhook deliveries fail: {info.last_error_message or 'no details'} "
                     f"({info.pending_update_count} update(s) waiting)")
    else:
        watch.worked()


async def stall_tick(context: BotContext) -> None:
    """The watch's job: look at the webhook if there is one, then tell the admins what changed (queued)."""
    svc = context.svc
    watch = context.bot_data[WATCH_KEY]
    assert isinstance(watch, StallWatch)
    now = wall_clock(svc.clock)()
    if svc.settings.webhook_url:
        await _check_webhook(context, watch, now)
    news = watch.news()
    if news is None:
        return
    if news == "stalled":
        log.error("%s; telling the admins (NETZPULS_STALL_MINUTES=%g)", watch.stalled(), svc.settings.stall_minutes)
    else:
        log.warning("updates from Telegram come again; telling the admins")
    messages = []
    for admin in sorted(svc.settings.admins):
        _ = svc.tr(locale_of_user(svc.db, admin))
        if news == "stalled":
            text = _("Netzpuls gets no updates from Telegram for {minutes} minutes: {reason}. Messages and button "
                     "taps to the bot wait at Telegram until this works again; details are in the log, and /readyz "
                     "reports it.").format(minutes=f"{svc.settings.stall_minutes:g}", reason=watch.reason)
        else:
            text = _("Netzpuls gets updates from Telegram again.")
        messages.append(Outgoing(f"stall:{news}:{now.isoformat()}:{admin}", "notice", admin, text))
    with svc.db.atomic():
        enqueue(svc.db, messages, now)
    svc.wake_sender()
