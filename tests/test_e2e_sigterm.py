"""SIGTERM in the middle of a broadcast: the bot stops by itself, loses and doubles nothing, and finishes later."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from localapi.server import LocalBotApi
from storage.db import open_db
from tests.bot_process import network_with_partners, start_bot

PARTNERS = 300
FIRST_ID = 20_000
STOP_WAIT = 30  # seconds a graceful stop may take at most; it takes well under one


async def _terminate(process: asyncio.subprocess.Process) -> int:
    """SIGTERM, then the exit code once the process has stopped by itself."""
    process.send_signal(signal.SIGTERM)
    return await asyncio.wait_for(process.wait(), timeout=STOP_WAIT)


def _prompted(api: LocalBotApi) -> list[int]:
    return [api.sent_count(FIRST_ID + n) for n in range(PARTNERS)]


def _outbox(db_path: Path) -> list[tuple[int, str, int]]:
    db = open_db(db_path)
    rows = db.execute("SELECT chat_id, status, in_flight_at_stop FROM outbox WHERE kind = 'prompt'").fetchall()
    db.close()
    return [(row[0], row[1], row[2]) for row in rows]


async def test_sigterm_mid_broadcast_stops_cleanly_and_a_restart_finishes_it(tmp_path: Path) -> None:
    db_path = tmp_path / "netzpuls.db"
    network_with_partners(db_path, "Netzwerk Jugendberufshilfe Musterstadt", PARTNERS, FIRST_ID)
    async with LocalBotApi() as api:
        for n in range(PARTNERS):
            api.add_user(FIRST_ID + n, f"Person {n}", language_code="de", started=True)
        first = await start_bot(api, db_path, tmp_path)
        await api.wait_until(lambda: sum(_prompted(api)) >= PARTNERS // 3, timeout=60)
        assert await _terminate(first) == 0
        counts = _prompted(api)
        rows = _outbox(db_path)
        log = (tmp_path / "bot.log").read_text()
        assert "Netzpuls stopped" in log and "outbox: sender stopped" in log, log[-2000:]
        assert 0 < sum(counts) < PARTNERS, "the SIGTERM must land in the middle of the broadcast"
        # Every prompt is either sent exactly once (and recorded as sent) or still queued, never sent.
        assert len(rows) == PARTNERS
        for chat_id, status, in_flight in rows:
            expected = {"sent": 1, "queued": 0}.get(status)
            assert expected is not None and in_flight == 0, (chat_id, status, in_flight)
            assert api.sent_count(chat_id) == expected, (chat_id, status)

        second = await start_bot(api, db_path, tmp_path)
        await api.wait_until(lambda: all(_prompted(api)), timeout=60)
        assert await _terminate(second) == 0

    counts = _prompted(api)
    assert min(counts) == max(counts) == 1, "every partner has exactly one prompt"
    assert {(status, in_flight) for _chat, status, in_flight in _outbox(db_path)} == {("sent", 0)}
    assert "were in flight when the bot stopped" not in (tmp_path / "bot.log").read_text()
