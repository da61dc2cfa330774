"""SIGTERM in the middle of a broadcast: the bot stops by itself, loses and doubles nothing, and finishes later."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.localapi.server import LocalBotApi
from storage.db import open_db
from storage.people import create_invite, create_network, organisation_for, redeem_invite
from tests.e2e import NOW, ROOT

PARTNERS = 300
FIRST_ID = 20_000
STOP_WAIT = 30  # seconds a graceful stop may take at most; it takes well under one


def _network_with_partners(db_path: Path) -> None:
    db = open_db(db_path)
    with db.atomic():
        network = create_network(db, "Netzwerk Jugendberufshilfe Musterstadt", NOW)
        for n in range(PARTNERS):
            organisation = organisation_for(db, network, f"Organisation {n}", NOW)
            token = create_invite(db, network, "partner", organisation, NOW, 14).token
            redeem_invite(db, token, FIRST_ID + n, f"Person {n}", "de", 1, NOW)
    db.close()


async def _start_bot(api: LocalBotApi, db_path: Path, tmp_path: Path) -> asyncio.subprocess.Process:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "NETZPULS_"))}
    env = {**keep, "PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_URL": api.base_url,
           "NETZPULS_DB": str(db_path), "NETZPULS_ENV_FILE": str(tmp_path / "none.env"),
           "NETZPULS_SEND_RATE": "120", "NETZPULS_TICK_SECONDS": "0.2", "NETZPULS_SEND_TIMEOUT": "2",
           "NETZPULS_HEALTH_PORT": "0"}
    # The first Tuesday of February 2027, 09:00 in Berlin: the round is due the moment the bot starts.
    with (tmp_path / "bot.log").open("ab") as log:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--clock-start", "2027-02-02T09:00+01:00", cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=log)


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
    _network_with_partners(db_path)
    async with LocalBotApi() as api:
        for n in range(PARTNERS):
            api.add_user(FIRST_ID + n, f"Person {n}", language_code="de", started=True)
        first = await _start_bot(api, db_path, tmp_path)
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

        second = await _start_bot(api, db_path, tmp_path)
        await api.wait_until(lambda: all(_prompted(api)), timeout=60)
        assert await _terminate(second) == 0

    counts = _prompted(api)
    assert min(counts) == max(counts) == 1, "every partner has exactly one prompt"
    assert {(status, in_flight) for _chat, status, in_flight in _outbox(db_path)} == {("sent", 0)}
    assert "were in flight when the bot stopped" not in (tmp_path / "bot.log").read_text()
