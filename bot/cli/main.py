"""Command line: `python -m bot run`, `demo`, `network create|list|invite|thresholds|goal`, `dialogs ...`, `report`,
`backup`, `restore`, `health`."""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path as FsPath

from sqlite_utils import Database
from telegram import Bot
from telegram.error import TelegramError

from bot.cli.dialogs import dialog_files, dialogs_check, dialogs_graph, dialogs_versions_command
from bot.cli.thresholds import thresholds_command
from bot.config import ConfigError, Settings, load_settings
from bot.services import Clock, SimulatedClock, system_clock
from bot.usecases.networks import same_name
from storage.db import get_meta, open_db, set_meta
from storage.people import Invite, coordinators_of, create_invite, create_network, network_name

NO_TOKEN_HELP = """\
Netzpuls needs a Telegram bot token to run.

  1. In Telegram, open a chat with @BotFather and send /newbot.
  2. Choose a name and a username ending in "bot"; BotFather answers with a token like 123456789:AAE...
  3. Put it into the file .env next to this README (copy .env.example):  TELEGRAM_BOT_TOKEN=123456789:AAE...
     or export it in your shell:  export TELEGRAM_BOT_TOKEN=123456789:AAE...
  4. Run the same command again.
"""

NO_TOKEN_HINT = """\
No TELEGRAM_BOT_TOKEN is set: here is the offline demo instead (the real bot against a local Telegram server).
For the real bot, ask @BotFather in Telegram for a token (/newbot) and put it into .env (copy .env.example) as
TELEGRAM_BOT_TOKEN=123456789:AAE... or export it in your shell; then run the same command again.
"""
DEMO_OUTPUT = FsPath("demo-output")
NO_DEMO = """\
The offline demo is not part of this installation (the production image leaves it and the local Telegram server
out). Run it from a source checkout with bin/run, or set TELEGRAM_BOT_TOKEN to run the real bot.
"""


def demo_installed() -> bool:
    """Whether the offline demo and the local Bot API server it drives are here (not in the production image)."""
    try:
        return all(importlib.util.find_spec(name) is not None for name in ("bot.demo", "localapi"))
    except (ImportError, ValueError):  # ValueError: a module set to None, as a blocked import is
        return False


NO_TOKEN_LINE = ("Netzpuls cannot start: TELEGRAM_BOT_TOKEN is not set (a bot token from @BotFather; see "
                 "docs/deploy.md).")


def _no_token(settings: Settings) -> int:
    """`run` without a token: one line and exit 2 in a container or without a terminal (a restarting service must
    not loop through the demo); on a terminal the hint and the offline demo (bin/run's promise to a newcomer)."""
    if settings.in_container or not _on_terminal():
        demo = " The offline demo: `python -m bot demo`." if demo_installed() else ""
        print(NO_TOKEN_LINE + demo, file=sys.stderr, flush=True)
        return 2
    return _demo_instead()


def _on_terminal() -> bool:
    """Whether stdin is a terminal (someone is there to watch the demo)."""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except ValueError:  # closed
        return False


def _demo_instead() -> int:
    """`run` without a token: the hint, then the offline demo where it is installed, else a plain refusal."""
    if not demo_installed():
        print("No TELEGRAM_BOT_TOKEN is set.\n" + NO_DEMO, file=sys.stderr, flush=True)
        return 2
    from bot.demo.command import demo_command

    print(NO_TOKEN_HINT, file=sys.stderr, flush=True)
    return demo_command(DEMO_OUTPUT, 4)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `python -m bot`."""
    parser = argparse.ArgumentParser(prog="python -m bot", description="Netzpuls, the network check-in bot.")
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="run the bot (long polling, or a webhook: NETZPULS_WEBHOOK_URL)")
    run_parser.add_argument("--clock-start", type=_aware_time, metavar="TIME",
                            help="run on a simulated clock from this time, e.g. 2027-01-04T08:00+01:00")
    run_parser.add_argument("--clock-speed", type=_speed, default=1.0, metavar="N",
                            help="with --clock-start: simulated seconds per real second (3600: an hour a second)")
    demo = commands.add_parser("demo", help="the offline demo: the real bot against a local Telegram server, "
                                            "ten partner organisations over monthly rounds on a simulated clock")
    demo.add_argument("--output", type=FsPath, default=DEMO_OUTPUT, metavar="DIR",
                      help="where transcripts, digests, charts and maps go (default: demo-output; replaced each run)")
    demo.add_argument("--rounds", type=_rounds, default=4, metavar="N", help="monthly rounds to play (1-12, default 4)")
    network = commands.add_parser("network", help="manage networks")
    network_commands = network.add_subparsers(dest="network_command", required=True)
    create = network_commands.add_parser("create", help="create a network and print its coordinator invite link")
    create.add_argument("name", help="the network's name, e.g. \"Netzwerk Alleinerziehende Musterstadt\"")
    create.add_argument("--force", "--allow-duplicate", dest="force", action="store_true",
                        help="create it even if a network of that name (ignoring case) exists")
    network_commands.add_parser("list", help="every network: id, name, coordinators, partners, privacy, next round")
    invite = network_commands.add_parser("invite", help="print a new coordinator invite link for a network (e.g. "
                                                          "after its last coordinator left or erased their data)")
    invite.add_argument("network_id", type=int, help="the network's id (python -m bot network list shows it)")
    limits = network_commands.add_parser("thresholds", help="show or set when the network's risk rules fire")
    limits.add_argument("network_id", type=int, help="the network's id (python -m bot network list shows it)")
    limits.add_argument("assignments", nargs="*", metavar="NAME=VALUE",
                        help="e.g. low_level=1 drop=3 (names, meanings and defaults: docs/thresholds.md)")
    goal = network_commands.add_parser("goal", help="show or set the network's own goal (one sentence), checked for "
                                                     "whom, a result and a time frame as /goals does")
    goal.add_argument("network_id", type=int, help="the network's id (python -m bot network list shows it)")
    goal.add_argument("text", nargs="?", help="the goal, e.g. \"By the end of 2027, 30 single parents have a job.\"")
    dialogs = commands.add_parser("dialogs", help="check and draw check-in scripts")
    dialog_commands = dialogs.add_subparsers(dest="dialogs_command", required=True)
    check = dialog_commands.add_parser("check", help="validate scripts; every problem with file, line and step")
    check.add_argument("files", nargs="*", type=FsPath,
                       help="script files (default: every *.yaml in dialogs/, and dialogs/tips/coaching_tips.yaml)")
    graph = dialog_commands.add_parser("graph", help="print a script's flow as a Mermaid diagram")
    graph.add_argument("file", type=FsPath, help="the script file")
    graph.add_argument("--lang", default="de", choices=["de", "en"], help="the language of the step texts")
    versions = dialog_commands.add_parser("versions", help="the stored versions of a script and its history")
    versions.add_argument("script_id", help="e.g. monthly_checkin")
    publish = dialog_commands.add_parser("publish", help="validate a script file and put it in use (next version)")
    publish.add_argument("file", type=FsPath, help="the edited script file (its id says which script it replaces)")
    compare = dialog_commands.add_parser("diff", help="what changed between two stored versions of a script")
    compare.add_argument("script_id", help="e.g. monthly_checkin")
    compare.add_argument("old", type=int, help="the version to compare from (dialogs versions lists them)")
    compare.add_argument("new", type=int, help="the version to compare to")
    rollback = dialog_commands.add_parser("rollback", help="put an earlier stored version in use again")
    rollback.add_argument("script_id", help="e.g. monthly_checkin")
    rollback.add_argument("version", type=int, help="the stored version to put in use (dialogs versions lists them)")
    report = commands.add_parser("report", help="write a network's report of up to 12 months as a PDF (A4)")
    report.add_argument("network", metavar="NETWORK", help="the network's id or its exact name")
    report.add_argument("--from", dest="first", metavar="YYYY-MM",
                        help="first month (default: 11 months before --to, or the first closed round)")
    report.add_argument("--to", dest="last", metavar="YYYY-MM", help="last month (default: the newest closed round)")
    report.add_argument("--lang", default="de", choices=["de", "en"], help="the report's language (default de)")
    report.add_argument("--output", type=FsPath, metavar="FILE",
                        help="where to write the PDF (default: netzpuls-<network>-<from>-<to>.pdf here)")
    backup = commands.add_parser("backup", help="copy the database consistently, also while the bot runs")
    backup.add_argument("path", metavar="PATH", help="a new file, or a folder (existing, or written with a "
                                                     "trailing /): then netzpuls-YYYYMMDD-HHMMSS.db in it, UTC")
    restore = commands.add_parser("restore", help="with the bot stopped: put a backup in place of the database, "
                                                  "every recorded erasure applied again (the database in use is "
                                                  "kept as a backup)")
    restore.add_argument("file", type=FsPath, metavar="FILE",
                         help="the backup, e.g. backups/netzpuls-20270302-030000.db (it is not changed)")
    commands.add_parser("health", help="exit 0 if the running bot answers /readyz with 200, else 1 (HEALTHCHECK)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    args = build_parser().parse_args(argv)
    # Opt in to PTB's coming behaviour (retry_after as a timedelta, bot/jobs/outbox.py handles it) to end its warnings.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request URL, and the URL contains the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if args.command == "dialogs":
        if args.dialogs_command == "graph":
            return dialogs_graph(args.file, args.lang)
        if args.dialogs_command == "check":
            return dialogs_check(args.files or dialog_files(settings.dialogs_dir))
        return dialogs_versions_command(settings, args)
    if args.command == "backup":
        from bot.jobs.backup import backup_command

        return backup_command(settings.db_path, args.path, system_clock())
    if args.command == "restore":
        from bot.jobs.restore import restore_command

        return restore_command(settings, args.file, system_clock())
    if args.command == "report":
        from bot.cli.report import report_command

        return report_command(settings, args.network, args.first, args.last, args.lang, args.output)
    if args.command == "health":
        from bot.telegram.health import health_command

        return health_command(settings)
    if args.command == "demo":
        if not demo_installed():
            print(NO_DEMO, file=sys.stderr, flush=True)
            return 2
        from bot.demo.command import demo_command

        return demo_command(args.output, args.rounds)
    if args.command == "run":
        if not settings.token:
            return _no_token(settings)
        if args.clock_start is None:
            return run(settings, system_clock)
        # Look at least once per simulated minute, so that nothing due is late by hours at a high speed.
        tick = max(0.05, min(settings.tick_seconds, 60.0 / args.clock_speed))
        logging.getLogger(__name__).info("simulated clock from %s at %gx, checking every %gs", args.clock_start,
                                         args.clock_speed, tick)
        return run(replace(settings, tick_seconds=tick), SimulatedClock(args.clock_start, args.clock_speed))
    if args.network_command == "thresholds":
        return thresholds_command(settings, args.network_id, args.assignments)
    if args.network_command == "invite":
        return coordinator_invite_command(settings, args.network_id)
    if args.network_command == "goal":
        from bot.cli.goal import goal_command

        return goal_command(settings, args.network_id, args.text)
    if args.network_command == "list":
        from bot.cli.network_list import list_command

        return list_command(settings, system_clock())
    return create_network_command(settings, args.name, args.force)


def _speed(text: str) -> float:
    """A positive factor, for --clock-speed."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be greater than 0")
    return value


def _rounds(text: str) -> int:
    """How many rounds the demo plays, for --rounds."""
    if not text.isdigit() or not 1 <= int(text) <= 12:
        raise argparse.ArgumentTypeError("a whole number from 1 to 12")
    return int(text)


def _aware_time(text: str) -> datetime:
    """An ISO time with a UTC offset, for --clock-start."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date and time: {text!r}") from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError("give the UTC offset too, e.g. 2027-01-04T08:00+01:00")
    return moment


def run(settings: Settings, clock: Clock = system_clock) -> int:
    """Run the bot until SIGINT or SIGTERM: with a webhook if NETZPULS_WEBHOOK_URL is set, else long polling."""
    if not settings.token:
        print(NO_TOKEN_HELP, file=sys.stderr)
        return 2
    from bot.jobs.backup import DatabaseDamaged, check_integrity
    from bot.telegram.app import ALLOWED_UPDATES, INTEGRITY_CHECKED, build_application
    from bot.telegram.webhook import mode_line, webhook_options

    try:  # before anything starts: a damaged file gets its message and what to do, not a traceback
        check_integrity(settings.db_path, settings.backups_path)
    except DatabaseDamaged as error:
        print(error, file=sys.stderr)
        return 1
    app = build_application(settings, clock)
    app.bot_data[INTEGRITY_CHECKED] = True
    log = logging.getLogger(__name__)
    log.info("Netzpuls starting in %s", mode_line(settings))
    if settings.webhook_url:
        app.run_webhook(**webhook_options(settings))
    else:
        app.run_polling(allowed_updates=ALLOWED_UPDATES)
    log.info("Netzpuls stopped")
    return 0


def create_network_command(settings: Settings, name: str, force: bool = False) -> int:
    """Create a network and print its one-time coordinator invite link on the last line; a name already taken
    (ignoring case) is refused unless `force`."""
    name = name.strip()
    if not 2 <= len(name) <= 100:
        print("The network's name must have 2 to 100 characters.", file=sys.stderr)
        return 2
    if not (settings.token or settings.bot_username or settings.db_path.exists()):
        print(NO_USERNAME, file=sys.stderr)  # before opening: no database is created for a network without a link
        return 2
    db = open_db(settings.db_path)
    try:
        taken = same_name(db, name)
        if taken and not force:
            print(f"A network named \"{taken[0][1]}\" exists already (id {taken[0][0]}); add --force to create "
                  "another one of that name.", file=sys.stderr)
            return 2
        username = _username(settings, db)
        if not username:
            return 2
        now = system_clock()
        network_id = create_network(db, name, now)
        invite = create_invite(db, network_id, "coordinator", None, now, settings.invite_ttl_days)
    finally:
        db.close()
    print(f"Network \"{name}\" created (id {network_id}).")
    _print_link(username, invite)
    return 0


def coordinator_invite_command(settings: Settings, network_id: int) -> int:
    """Print a new one-time coordinator invite link for an existing network on the last line."""
    db = open_db(settings.db_path)
    try:
        name = network_name(db, network_id)
        if name is None:
            print(f"There is no network with id {network_id}.", file=sys.stderr)
            return 2
        username = _username(settings, db)
        if not username:
            return 2
        invite = create_invite(db, network_id, "coordinator", None, system_clock(), settings.invite_ttl_days)
        coordinators = len(coordinators_of(db, network_id))
    finally:
        db.close()
    print(f"Network \"{name}\" (id {network_id}) has {coordinators} coordinator(s) now.")
    _print_link(username, invite)
    return 0


NO_USERNAME = ("Cannot build the invite link: the bot's username is unknown. Set TELEGRAM_BOT_TOKEN (Netzpuls then "
               "asks Telegram) or NETZPULS_BOT_USERNAME.")


def _print_link(username: str, invite: Invite) -> None:
    print(f"Send this one-time link to the network's coordinator (valid until {invite.expires_at[:10]}):")
    print(f"https://t.me/{username}?start={invite.token}")


def _username(settings: Settings, db: Database) -> str | None:
    """The bot's username for links (remembered in the database); None after saying why it is unknown."""
    username = settings.bot_username or get_meta(db, "bot_username") or _ask_username(settings)
    if not username:
        print(NO_USERNAME, file=sys.stderr)
        return None
    set_meta(db, "bot_username", username)
    return username


def _ask_username(settings: Settings) -> str | None:
    if not settings.token:
        return None

    async def fetch() -> str:
        async with Bot(settings.token or "", base_url=settings.api_url, base_file_url=settings.file_url) as bot:
            return bot.username

    try:
        return asyncio.run(fetch())
    except TelegramError as error:
        print(f"Telegram did not tell the bot's username: {error}", file=sys.stderr)
        return None
