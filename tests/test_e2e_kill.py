"""SIGKILL in the middle of a broadcast: after a restart every partner has exactly one prompt of the round, no
duplicate (the sends in flight at the kill are checked, bot/jobs/outbox_recovery.py)."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from localapi.server import LocalBotApi
from storage.db import open_db
from tests.bot_process import network_with_partners, start_bot

PARTNERS = 300
FIRST_ID = 10_000
CONCURRENCY = 16  # the sender's cap on requests under way (bot/jobs/outbox.py)


def _prompted(api: LocalBotApi) -> list[int]:
    return [api.sent_count(FIRST_ID + n) for n in range(PARTNERS)]


async def test_sigkill_mid_broadcast_then_restart_gives_everyone_exactly_one_prompt(tmp_path: Path) -> None:
    db_path = tmp_path / "netzpuls.db"
    network_with_partners(db_path, "Netzwerk Langzeitarbeitslose Musterstadt", PARTNERS, FIRST_ID)
    async with LocalBotApi() as api:
        for n in range(PARTNERS):
            api.add_user(FIRST_ID + n, f"Person {n}", language_code="de", started=True)
        first = await start_bot(api, db_path, tmp_path)
        await api.wait_until(lambda: sum(_prompted(api)) >= PARTNERS // 3, timeout=60)
        first.send_signal(signal.SIGKILL)
        await first.wait()
        before_restart = sum(1 for count in _prompted(api) if count)
        assert 0 < before_restart < PARTNERS, "the kill must land in the middle of the broadcast"

        second = await start_bot(api, db_path, tmp_path)
        await api.wait_until(lambda: all(_prompted(api)), timeout=60)
        await asyncio.sleep(1.0)  # let any straggler or duplicate arrive before counting
        second.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(second.wait(), timeout=30) == 0

    db = open_db(db_path)
    in_flight = db.execute("SELECT COALESCE(SUM(in_flight_at_stop), 0) FROM outbox").fetchone()[0]
    statuses = db.execute("SELECT kind, status, COUNT(*) FROM outbox GROUP BY kind, status").fetchall()
    db.close()
    counts = _prompted(api)
    duplicates = sum(count - 1 for count in counts if count > 1)
    assert min(counts) == 1, "no partner may be left without a prompt"
    # A send in flight at the kill is checked at restart (an edit of the message it was expected to become), not
    # sent again blindly: no duplicate, whether its answer had come back before the kill or not.
    assert duplicates == 0
    assert in_flight <= CONCURRENCY
    assert statuses == [("prompt", "sent", PARTNERS)]
    log = (tmp_path / "bot.log").read_text()
    if in_flight:
        assert "checked the sends in flight at the last stop" in log
