"""The README's "Acceptance run on a simulated clock", step by step: its commands run as written (the code block is
read from the README), the bot against the local Bot API server, people acting in their chats."""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

from localapi.server import LocalBotApi, SentMessage
from storage.db import open_db
from tests.e2e import LINK_RE, ROOT

SECTION = "## Acceptance run on a simulated clock"
COORDINATOR, PARTNER = 100, 200


def readme_commands() -> list[list[str]]:
    """The commands of the section's code block, split as the shell would, with this test's Python for .venv's."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None, "the section has a code block"
    commands = [shlex.split(line) for line in block[1].splitlines() if line.strip()]
    for command in commands:
        assert command[0] == ".venv/bin/python", command
        command[0] = sys.executable
    return commands


def _environment(api: LocalBotApi, tmp_path: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "NETZPULS_"))}
    return {**keep, "PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_URL": api.base_url,
            "NETZPULS_DB": str(tmp_path / "netzpuls.db"), "NETZPULS_ENV_FILE": str(tmp_path / "none.env"),
            "NETZPULS_HEALTH_PORT": "0"}


def _labels(message: SentMessage) -> list[str]:
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return [button["text"] for row in rows for button in row]


async def _message(api: LocalBotApi, chat_id: int, words: str, timeout: float = 10.0) -> SentMessage:
    """The bot's newest message in the chat that contains `words` (or a button of that label), once there is one."""
    def found() -> SentMessage | None:
        return next((m for m in reversed(api.messages(chat_id)) if words in m.text or words in _labels(m)), None)

    try:
        await api.wait_until(lambda: found() is not None, timeout, f"{words!r} in chat {chat_id}")
    except AssertionError as error:
        shown = " | ".join(m.text[:120] for m in api.messages(chat_id))
        raise AssertionError(f"{error}; the chat holds: {shown}") from None
    message = found()
    assert message is not None
    return message


async def _join(api: LocalBotApi, user_id: int, name: str, link: str) -> SentMessage:
    """Open the link, tap "Ich stimme zu" and "Deutsch"; the consent text."""
    match = LINK_RE.search(link)
    assert match is not None, link
    api.add_user(user_id, name, language_code="de")
    api.send_text(user_id, f"/start {match[2]}")
    consent = await _message(api, user_id, "Ich stimme zu")
    api.tap(user_id, consent.message_id, text="Ich stimme zu")
    language = await _message(api, user_id, "Deutsch")
    api.tap(user_id, language.message_id, text="Deutsch")
    return consent


async def _output(command: list[str], env: dict[str, str], cwd: Path) -> str:
    """Run a command to its end; its standard output (it must succeed)."""
    process = await asyncio.create_subprocess_exec(*command, cwd=cwd, env=env, stdout=asyncio.subprocess.PIPE,
                                                   stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    return out.decode()


async def test_the_readme_acceptance_run_on_a_simulated_clock(tmp_path: Path) -> None:
    create, run, listing = readme_commands()
    assert run[1:4] == ["-m", "bot", "run"]
    async with LocalBotApi() as api:
        env = _environment(api, tmp_path)
        link = (await _output(create, env, tmp_path)).strip().splitlines()[-1]
        with (tmp_path / "bot.log").open("ab") as log:
            bot = await asyncio.create_subprocess_exec(*run, cwd=tmp_path, env=env, stdout=asyncio.subprocess.DEVNULL,
                                                       stderr=log)
        try:
            # 1. The coordinator opens the link, agrees, picks German: welcomed, not told the link has expired.
            consent = await _join(api, COORDINATOR, "Carla", link)
            assert "Netzwerk Alleinerziehende Musterstadt" in consent.text
            await _message(api, COORDINATOR, "koordinieren jetzt")
            assert not any("abgelaufen" in m.text for m in api.messages(COORDINATOR))
            # 2. and 3. The coordinator invites the Jobcenter, whose contact person joins.
            api.send_text(COORDINATOR, "/invite Jobcenter Musterstadt")
            invite = await _message(api, COORDINATOR, "https://t.me/")
            await _join(api, PARTNER, "Anna", invite.text)
            await _message(api, PARTNER, "Willkommen")
            # 4. Tuesday, 5 January 2027, 09:00: the round opens and the partner gets the prompt.
            prompt = await _message(api, PARTNER, "ist offen", timeout=40)
            assert "bis Freitag, 15. Januar, 9 Uhr" in prompt.text
        finally:
            bot.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(bot.wait(), timeout=30) == 0
        # 5. The command line reads the time where the bot's clock stopped: the next round is February's.
        [row] = [line for line in (await _output(listing, env, tmp_path)).splitlines() if "Musterstadt" in line]
        assert "Carla" in row and " 1/1 " in row and "2027-02-02 09:00 Europe/Berlin" in row, row
    db = open_db(tmp_path / "netzpuls.db")
    opened = db.execute("SELECT opened_at FROM rounds").fetchall()
    db.close()
    assert [datetime.fromisoformat(row[0]) for row in opened] == [datetime(2027, 1, 5, 8, 0, tzinfo=UTC)]
