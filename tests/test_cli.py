"""The command line as an operator uses it: real processes, the real bot, the local Bot API server."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from localapi.server import LocalBotApi
from tests.e2e import LINK_RE, ROOT, Harness


async def _run(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode or 0, out.decode(), err.decode()


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "NETZPULS_"))}
    return {**keep, "PYTHONPATH": str(ROOT), "NETZPULS_ENV_FILE": str(tmp_path / "no.env"),
            "NETZPULS_DB": str(tmp_path / "netzpuls.db"), **extra}


async def test_network_create_prints_a_coordinator_link_that_works(harness: Harness, api: LocalBotApi,
                                                                     tmp_path: Path) -> None:
    env = _env(tmp_path, TELEGRAM_BOT_TOKEN=api.token, TELEGRAM_API_URL=api.base_url,
               NETZPULS_DB=str(harness.settings.db_path))
    code, out, err = await _run(["network", "create", "Netzwerk Alleinerziehende Musterstadt"], env, tmp_path)
    assert code == 0, err
    last = out.strip().splitlines()[-1]
    match = LINK_RE.fullmatch(last)
    assert match is not None, out
    assert match[1] == api.bot_username
    # The CLI dates the invite by the real clock; the bot must judge it by the same.
    harness.clock.now = datetime.now(UTC)
    member = await harness.join(100, "Clara", match[2])
    assert member.role == "coordinator"
    assert member.network_name == "Netzwerk Alleinerziehende Musterstadt"


async def test_network_create_without_token_or_username_says_what_is_missing(tmp_path: Path) -> None:
    code, _out, err = await _run(["network", "create", "Netz"], _env(tmp_path), tmp_path)
    assert code == 2
    assert "NETZPULS_BOT_USERNAME" in err and "TELEGRAM_BOT_TOKEN" in err


async def test_network_create_with_a_configured_username_needs_no_telegram(tmp_path: Path) -> None:
    code, out, _err = await _run(["network", "create", "Netz Süd"], _env(tmp_path, NETZPULS_BOT_USERNAME="np_bot"),
                                 tmp_path)
    assert code == 0
    assert out.strip().splitlines()[-1].startswith("https://t.me/np_bot?start=")


async def test_network_invite_gives_an_existing_network_a_new_coordinator(harness: Harness, api: LocalBotApi,
                                                                           tmp_path: Path) -> None:
    network = harness.network()
    env = _env(tmp_path, NETZPULS_BOT_USERNAME=api.bot_username, NETZPULS_DB=str(harness.settings.db_path))
    code, out, err = await _run(["network", "invite", str(network)], env, tmp_path)
    assert code == 0, err
    assert "has 0 coordinator(s) now" in out
    match = LINK_RE.fullmatch(out.strip().splitlines()[-1])
    assert match is not None, out
    harness.clock.now = datetime.now(UTC)
    member = await harness.join(100, "Clara", match[2])
    assert (member.role, member.network_id) == ("coordinator", network)
    code, _out, err = await _run(["network", "invite", "99"], env, tmp_path)
    assert code == 2 and "There is no network with id 99." in err


async def test_network_thresholds_are_shown_set_and_checked(tmp_path: Path) -> None:
    env = _env(tmp_path, NETZPULS_BOT_USERNAME="np_bot")
    await _run(["network", "create", "Netz"], env, tmp_path)
    code, out, _err = await _run(["network", "thresholds", "1", "low_level=1", "low_share=0.5"], env, tmp_path)
    assert code == 0
    assert "low_level = 1\n" in out and "low_share = 0.5\n" in out and "drop = 2   (default)" in out
    code, out, _err = await _run(["network", "thresholds", "1"], env, tmp_path)
    assert "low_level = 1\n" in out  # kept in the database
    code, _out, err = await _run(["network", "thresholds", "1", "low_share=2"], env, tmp_path)
    assert code == 2 and "low_share must be from 0 to 1" in err
    code, _out, err = await _run(["network", "thresholds", "1", "loudness=3"], env, tmp_path)
    assert code == 2 and "use name=value with a name of: low_level" in err
    code, _out, err = await _run(["network", "thresholds", "7"], env, tmp_path)
    assert code == 2 and "There is no network 7." in err


async def test_network_goal_is_set_checked_and_shown(tmp_path: Path) -> None:
    env = _env(tmp_path, NETZPULS_BOT_USERNAME="np_bot")
    await _run(["network", "create", "Netz"], env, tmp_path)
    code, out, _err = await _run(["network", "goal", "1"], env, tmp_path)
    assert code == 0 and out == "The network has no goal yet.\n"
    code, out, _err = await _run(["network", "goal", "1", "Bessere  Zusammenarbeit"], env, tmp_path)
    assert code == 0 and out == "Goal: Bessere Zusammenarbeit\nVague, missing: whom, result, time\n"
    concrete = "Bis Ende 2027 finden 30 Alleinerziehende in Musterstadt einen Ausbildungsplatz."
    await _run(["network", "goal", "1", concrete], env, tmp_path)
    code, out, _err = await _run(["network", "goal", "1"], env, tmp_path)
    assert code == 0 and out == f"Goal: {concrete}\nConcrete.\n"  # kept in the database
    code, _out, err = await _run(["network", "goal", "1", "x" * 301], env, tmp_path)
    assert code == 2 and "one sentence of 1 to 300 characters" in err
    code, _out, err = await _run(["network", "goal", "7", "Ziel"], env, tmp_path)
    assert code == 2 and "There is no network 7." in err
