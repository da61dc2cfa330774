"""The bot as a child process (`python -m bot run`) over a network of many partners: for kill and stop tests."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from bot.services import CONSENT_VERSION
from localapi.server import LocalBotApi
from storage.db import open_db
from storage.message_ids import note_message_id
from storage.people import create_invite, create_network, organisation_for, redeem_invite
from tests.e2e import NOW, ROOT


def network_with_partners(db_path: Path, name: str, partners: int, first_id: int) -> None:
    """A network whose `partners` partners (Telegram ids from first_id) joined before the round."""
    db = open_db(db_path)
    with db.atomic():
        network = create_network(db, name, NOW)
        for n in range(partners):
            organisation = organisation_for(db, network, f"Organisation {n}", NOW)
            token = create_invite(db, network, "partner", organisation, NOW, 14).token
            redeem_invite(db, token, first_id + n, f"Person {n}", "de", CONSENT_VERSION, NOW)
            # The /start of their invite link would have been noted; the local server's chats start empty (id 0).
            note_message_id(db, first_id + n, 0)
    db.close()


async def start_bot(api: LocalBotApi, db_path: Path, tmp_path: Path) -> asyncio.subprocess.Process:
    """`python -m bot run` against the local server, its log in tmp_path/bot.log, its round due at once."""
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
