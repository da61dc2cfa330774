"""A closed round's digest and chart drawn in a short-lived worker process (NETZPULS_REPORT_WORKER=1, the default),
so that the bot's own process gives the memory of charts and maps back."""

from __future__ import annotations

import logging
import os
import re
from dataclasses import replace

import pytest

from bot.config import Settings
from tests.e2e import Harness
from tests.test_e2e_digest import COORDINATOR, FEB_CLOSES, FEB_OPENS, PARTNERS


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The e2e settings with the worker process on, as in production."""
    return replace(settings, report_worker=True)


async def test_a_closed_rounds_digest_and_chart_come_from_a_worker_process(
        harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.jobs.report_worker")
    network = harness.network()
    await harness.join(COORDINATOR, "Clara", harness.invite(network))
    for n, user in enumerate(PARTNERS):
        await harness.partner(user_id=user, organisation=f"Träger {n}", network_id=network)
    harness.clock.now = FEB_OPENS
    for user in PARTNERS:
        [prompt] = await harness.api.wait_for_messages(user, 1)
        _intro, goals = await harness.tap(user, prompt, "Jetzt starten", count=2)
        await harness.finish_checkin(user, goals)
    harness.clock.now = FEB_CLOSES
    digest, chart = await harness.api.wait_for_messages(COORDINATOR, 2, timeout=60)  # a process starts first
    assert digest.text.startswith("Netzpuls-Überblick · Netzwerk Alleinerziehende Musterstadt · Februar 2027")
    assert chart.kind == "photo"
    for user in PARTNERS:
        [feedback] = await harness.api.wait_for_messages(user, 1)
        assert feedback.text.startswith("Was „Netzwerk Alleinerziehende Musterstadt“ im Februar 2027 gelernt hat")
    # The worker's messages are in the outbox (and may be sent) before the pool has ended the process and logged.
    def logged() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.name == "bot.jobs.report_worker"]
    await harness.api.wait_until(lambda: bool(logged()), timeout=30, message="the worker's log line")
    [line] = logged()
    found = re.fullmatch(r"reports: (\d+) message\(s\) queued by worker process (\d+)", line)
    assert found is not None and int(found[1]) >= 1 and int(found[2]) != os.getpid()
