"""The command line as an operator uses it: real processes, the real bot, the local Bot API server."""

from __future__ import annotations

import argparse
import asyncio
import os
import pty
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from bot.cli.main import build_parser
from bot.core.calendar import Schedule, local
from bot.core.planner import next_opening
from localapi.server import LocalBotApi
from storage.access import remove_partner
from storage.db import open_db
from storage.people import Role, create_invite, organisation_for, redeem_invite
from storage.reports import set_privacy
from storage.rounds import save_schedule, schedule_of
from tests.e2e import LINK_RE, NOW, ROOT, Harness


async def _run(args: list[str], env: dict[str, str], cwd: Path,
               stdin: int = asyncio.subprocess.DEVNULL) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=cwd, env=env, stdin=stdin,
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
    assert list(tmp_path.iterdir()) == []  # no database: it would hold a network without a link to it


async def test_run_without_a_token_and_without_a_terminal_stops_with_one_line_and_writes_nothing(
        tmp_path: Path) -> None:
    """A service (systemd, cron, a pipe) must not play the demo in a loop: one line, exit 2, no files."""
    code, out, err = await _run(["run"], _env(tmp_path), tmp_path)
    assert code == 2
    assert out == "" and len(err.splitlines()) == 1, err
    assert "TELEGRAM_BOT_TOKEN is not set" in err and "python -m bot demo" in err
    assert list(tmp_path.iterdir()) == []


async def test_run_without_a_token_in_a_container_stops_also_on_a_terminal(tmp_path: Path) -> None:
    """`docker run -it` has a terminal, but the image sets NETZPULS_IN_CONTAINER=1: still one line and exit 2."""
    controller, terminal = pty.openpty()
    try:
        code, out, err = await _run(["run"], _env(tmp_path, NETZPULS_IN_CONTAINER="1"), tmp_path, stdin=terminal)
    finally:
        os.close(terminal)
        os.close(controller)
    assert code == 2
    assert out == "" and len(err.splitlines()) == 1, err
    assert list(tmp_path.iterdir()) == []


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


def _redeemed(db: Database, network: int, role: Role, organisation: str | None, user_id: int, name: str) -> None:
    """A member who joined (straight in the database: the list only reads what joining stored)."""
    organisation_id = None if organisation is None else organisation_for(db, network, organisation, NOW)
    invite = create_invite(db, network, role, organisation_id, NOW, 14)
    redeem_invite(db, invite.token, user_id, name, "de", 1, NOW)


def _next_round(db: Database, network: int, now: datetime) -> str:
    """When the network's next round opens as the list writes it, judged at `now`."""
    plan = schedule_of(db, network)
    created = datetime.fromisoformat(str(db.execute("SELECT created_at FROM networks WHERE id = ?",
                                                    [network]).fetchone()[0]))
    return f"{local(plan, next_opening(plan, created, None, now)):%Y-%m-%d %H:%M} {plan.timezone}"


async def test_network_list_shows_coordinators_partners_privacy_and_the_next_round(tmp_path: Path) -> None:
    env = _env(tmp_path, NETZPULS_BOT_USERNAME="np_bot")
    code, out, _err = await _run(["network", "list"], env, tmp_path)
    assert code == 0 and out == "No networks yet. Create one with: python -m bot network create NAME\n"
    await _run(["network", "create", "Netzwerk Alleinerziehende Musterstadt"], env, tmp_path)
    await _run(["network", "create", "Netz Süd"], env, tmp_path)
    await _run(["network", "create", "Netz Mars"], env, tmp_path)
    db = open_db(tmp_path / "netzpuls.db")
    _redeemed(db, 1, "coordinator", None, 100, "Clara")
    _redeemed(db, 1, "coordinator", None, 101, "Ben")
    _redeemed(db, 1, "partner", "Jobcenter Musterstadt", 501, "Anna")
    _redeemed(db, 1, "partner", "Jugendamt", 502, "Jonas")
    organisation_for(db, 1, "Kita Sonnenschein", NOW)  # invited, nobody joined yet
    remove_partner(db, 1, organisation_for(db, 1, "Caritas", NOW), NOW)  # removed: counts no more
    set_privacy(db, 2, "named", NOW)
    save_schedule(db, 2, Schedule(timezone="Europe/London", hour=10), NOW)
    db.execute("INSERT INTO schedules VALUES (3, 'Mars/Olympus', NULL, 1, 9, 0, '3,7', 10, '19:00', '08:00', 1, 1, ?)",
               [NOW.isoformat()])
    db.conn.commit()
    before = datetime.now(UTC)
    code, out, _err = await _run(["network", "list"], env, tmp_path)
    after = datetime.now(UTC)
    assert code == 0
    header, first, second, third, blank, legend = out.rstrip("\n").split("\n")
    assert header.split() == ["ID", "NAME", "COORDINATORS", "PARTNERS", "PRIVACY", "NEXT", "ROUND"]
    assert first.startswith(" 1  Netzwerk Alleinerziehende Musterstadt  Clara, Ben  ")
    assert first.split()[6:8] == ["2/3", "anonymous"]
    assert first.split("anonymous")[1].strip() in {_next_round(db, 1, before), _next_round(db, 1, after)}
    assert second.startswith(" 2  Netz Süd  ") and second.split()[4:6] == ["0/0", "named"]
    assert second.split("named")[1].strip() in {_next_round(db, 2, before), _next_round(db, 2, after)}
    assert second.endswith(" 10:00 Europe/London") and first.endswith(" 09:00 Europe/Berlin")
    # aligned: every column starts at the same place in every row
    for column in ("COORDINATORS", "PARTNERS", "PRIVACY", "NEXT ROUND"):
        at = header.index(column)
        assert first[at - 2:at] == "  " and first[at] != " " and second[at] != " " and second[at - 1] == " "
    assert third.startswith(" 3  Netz Mars  ") and third.endswith(
        "unknown, the schedule is damaged (timezone: unknown time zone 'Mars/Olympus')")
    assert blank == "" and legend.startswith("PARTNERS: organisations with an active contact person")
    db.close()


async def test_network_create_refuses_a_name_taken_in_any_case_unless_forced(tmp_path: Path) -> None:
    env = _env(tmp_path, NETZPULS_BOT_USERNAME="np_bot")
    code, _out, _err = await _run(["network", "create", "Netz Süd"], env, tmp_path)
    assert code == 0
    code, out, err = await _run(["network", "create", "  NETZ  süd "], env, tmp_path)
    assert (code, out) == (2, "")
    assert err == ("A network named \"Netz Süd\" exists already (id 1); add --force to create another one of that "
                   "name.\n")
    code, out, _err = await _run(["network", "create", "Netz Nord"], env, tmp_path)
    assert code == 0 and out.startswith("Network \"Netz Nord\" created (id 2).")
    for flag, number in (("--force", 3), ("--allow-duplicate", 4)):
        code, out, _err = await _run(["network", "create", "netz süd", flag], env, tmp_path)
        assert code == 0 and out.startswith(f"Network \"netz süd\" created (id {number}).")
    db = open_db(tmp_path / "netzpuls.db")
    assert [row[0] for row in db.execute("SELECT name FROM networks ORDER BY id").fetchall()] == [
        "Netz Süd", "Netz Nord", "netz süd", "netz süd"]
    db.close()


def _parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """The parser and every subcommand's parser below it."""
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _parsers(sub)


def test_every_command_and_positional_argument_has_help() -> None:
    missing = []
    for parser in _parsers(build_parser()):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                listed = {choice.dest for choice in action._choices_actions if choice.help}
                missing += [f"{parser.prog} {name}" for name in action.choices if name not in listed]
            elif not action.option_strings and not action.help:
                missing.append(f"{parser.prog} {action.metavar or action.dest}")
    assert missing == []
