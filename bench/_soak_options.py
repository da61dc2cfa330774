"""The soak's command line, and where its files go."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path


def scratch_dir() -> str | None:
    """Where the run's files go: /dev/shm (memory) where there is one, else the system's temp folder. On disk each
    commit's fsync took 4 ms on this machine, and the bot (then handling updates one at a time; now 4 chats at once,
    each chat's in order: bot/telegram/update_order.py) waited on them more than it worked."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


def parse_args(argv: Sequence[str] | None, description: str) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=description)
    parser.add_argument("--partners", type=int, default=1000, help="simulated partners (default 1000)")
    parser.add_argument("--months", type=int, default=12, help="simulated months (default 12)")
    parser.add_argument("--per-network", type=int, default=20, help="partners per network (default 20)")
    parser.add_argument("--fault-rate", type=float, default=0.05,
                        help="probability of a fault on each message the bot sends on its own (default 0.05)")
    parser.add_argument("--reply-fault-rate", type=float, default=None,
                        help="the same for the bot's replies while partners answer (default a tenth of --fault-rate)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--quick", action="store_true", help="100 partners over 3 months")
    parser.add_argument("--scale", type=float, default=30.0,
                        help="Telegram's limits scaled up by this factor, the partners' pauses down (default 30)")
    parser.add_argument("--tick", type=float, default=0.25, help="the bot's scheduler tick in seconds (default 0.25)")
    parser.add_argument("--send-timeout", type=float, default=2.0,
                        help="the outbox's wait for Telegram's answer in seconds (default 2)")
    parser.add_argument("--concurrency", type=int, default=100, help="partners acting at once (default 100)")
    parser.add_argument("--profile", action="store_true",
                        help="run the bot under cProfile; with --keep, the stats land there (bot-result-N.prof)")
    parser.add_argument("--keep", type=Path, default=None, help="keep the database and the bot's log in this folder")
    args = parser.parse_args(argv)
    if args.quick:
        args.partners, args.months = 100, 3
    if args.reply_fault_rate is None:
        args.reply_fault_rate = args.fault_rate / 10
    if args.partners < 1 or args.months < 1 or args.per_network < 1 or args.concurrency < 1 or args.scale < 1:
        parser.error("partners, months, per-network and concurrency must be at least 1, scale too")
    if not (0 <= args.fault_rate <= 1 and 0 <= args.reply_fault_rate <= 1):
        parser.error("fault rates are probabilities between 0 and 1")
    return args
