"""With a webhook, only a delivery error newer than at the last look counts as an outage: Telegram keeps the last
error's date for good, so an old one (a deploy weeks ago) plus a busy moment is no stall."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from bot.telegram.stall import WEBHOOK_CHECK, StallWatch, _check_webhook
from tests.e2e import FakeClock

OLD_ERROR = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)


class _Telegram:
    """What getWebhookInfo answers, look by look."""

    def __init__(self, *answers: tuple[int, datetime | None]) -> None:
        self.answers = list(answers)

    async def get_webhook_info(self) -> Any:
        pending, error_at = self.answers.pop(0)
        return SimpleNamespace(pending_update_count=pending, last_error_date=error_at, last_error_message="502")


async def test_an_old_delivery_error_with_updates_waiting_is_no_outage() -> None:
    clock = FakeClock(datetime(2026, 12, 6, 9, 0, tzinfo=UTC))
    watch = StallWatch(clock, 3)
    fresh = OLD_ERROR + timedelta(days=35)
    context: Any = SimpleNamespace(bot=_Telegram((0, OLD_ERROR), (4, OLD_ERROR), (4, fresh)))
    await _check_webhook(context, watch, clock())  # the first look learns the old error
    assert watch.failing_since is None
    clock.advance(seconds=WEBHOOK_CHECK.total_seconds())
    await _check_webhook(context, watch, clock())  # busy, but the error is the old one
    assert watch.failing_since is None
    clock.advance(seconds=WEBHOOK_CHECK.total_seconds())
    await _check_webhook(context, watch, clock())  # a new error while updates wait: failing
    assert watch.failing_since == clock()


async def test_an_outage_lasts_while_updates_wait_and_ends_when_they_are_delivered() -> None:
    clock = FakeClock(datetime(2026, 12, 6, 9, 0, tzinfo=UTC))
    watch = StallWatch(clock, 3)
    fresh = OLD_ERROR + timedelta(days=35)
    context: Any = SimpleNamespace(bot=_Telegram((0, OLD_ERROR), (4, fresh), (9, fresh), (0, fresh)))
    await _check_webhook(context, watch, clock())
    clock.advance(seconds=WEBHOOK_CHECK.total_seconds())
    began = clock()
    await _check_webhook(context, watch, clock())
    clock.advance(seconds=WEBHOOK_CHECK.total_seconds())
    await _check_webhook(context, watch, clock())  # Telegram retries less often than we look: still the outage
    assert watch.failing_since == began
    clock.advance(seconds=WEBHOOK_CHECK.total_seconds())
    await _check_webhook(context, watch, clock())
    assert watch.failing_since is None
