"""SIGKILL in the middle of a broadcast: after a restart every partner has exactly one prompt of the round."""

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
FIRST_ID = 10_000
CONCURRENCY = 16  # the sender's cap on requests under way (bot/outbox.py)


def _network_with_partners(db_path: Path) -> None:
    db = open_db(db_path)
    with db.atomic():
        network = create_network(db, "Netzwerk Langzeitarbeitslose Musterstadt", NOW)
        for n in range(PARTNERS):
            organisation = organisation_for(db, network, f"Organisation {n}", NOW)
            token = create_invite(db, network, "partner", organisation, NOW, 14).token
            redeem_invite(db, token, FIRST_ID + n, f"Person {n}", "de", 1, NOW)
    db.close()


async def _start_bot(api: LocalBotApi, db_path: Path, tmp_path: Path) -> asyncio.subprocess.Process:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "NETZPULS_"))}
    env = {**keep, "PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_URL": api.base_url,
           "NETZPULS_DB": str(db_path), "NETZPULS_ENV_FILE": str(tmp_path / "none.env"),
           "NETZPULS_SEND_RATE": "120", "NETZPULS_TICK_SECONDS": "0.2", "NETZPULS_SEND_TIMEOUT": "2"}
    # The first Tuesday of February 2027, 09:00 in Berlin: the round is due the moment the bot starts.
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--clock-start", "2027-02-02T09:00+01:00", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=open(tmp_path / "bot.log", "ab"))


def _prompted(api: LocalBotApi) -> list[int]:
    return [api.sent_count(FIRST_ID + n) for n in range(PARTNERS)]


async def test_sigkill_mid_broadcast_then_restart_gives_everyone_exactly_one_prompt(tmp_path: Path) -> None:
    db_path = tmp_path / "netzpuls.db"
    _network_with_partners(db_path)
    async with LocalBotApi() as api:
        for n in range(PARTNERS):
            api.add_user(FIRST_ID + n, f"Person {n}", language_code="de", started=True)
        first = await _start_bot(api, db_path, tmp_path)
        await api.wait_until(lambda: sum(_prompted(api)) >= PARTNERS // 3, timeout=60)
        first.send_signal(signal.SIGKILL)
        await first.wait()
        before_restart = sum(1 for count in _prompted(api) if count)
        assert 0 < before_restart < PARTNERS, "the kill must land in the middle of the broadcast"

        second = await _start_bot(api, db_path, tmp_path)
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
    # The only allowed exception: a send whose answer was lost in flight at the kill, counted at restart.
    assert duplicates <= in_flight <= CONCURRENCY
    assert statuses == [("prompt", "sent", PARTNERS)]
    log = (tmp_path / "bot.log").read_text()
    if in_flight:
        assert "were in flight when the bot stopped" in log
