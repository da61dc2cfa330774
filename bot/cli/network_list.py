"""`python -m bot network list`: one aligned row per network for operators."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.clock_anchor import command_now
from bot.config import Settings
from bot.usecases.networks import NetworkLine, network_overview
from storage.db import open_db

HEADER = ("ID", "NAME", "COORDINATORS", "PARTNERS", "PRIVACY", "NEXT ROUND")
NO_NETWORKS = "No networks yet. Create one with: python -m bot network create NAME"
LEGEND = "PARTNERS: organisations with an active contact person / all organisations of the network."


def network_table(lines: Sequence[NetworkLine]) -> str:
    """The networks as plain text in aligned columns, with a header and a legend."""
    cells = [HEADER] + [(str(line.id), line.name, ", ".join(line.coordinators) or "–",
                         f"{line.contacts}/{line.organisations}", line.privacy,
                         _next(line)) for line in lines]
    widths = [max(len(row[column]) for row in cells) for column in range(len(HEADER))]
    text = ["  ".join(cell.rjust(width) if column == 0 else cell.ljust(width)
                      for column, (cell, width) in enumerate(zip(row, widths, strict=True))).rstrip()
            for row in cells]
    return "\n".join([*text, "", LEGEND])


def _next(line: NetworkLine) -> str:
    """When the next round opens, or why that is unknown."""
    if line.next_round is None:
        return f"unknown, the schedule is damaged ({line.problem})"
    return f"{line.next_round:%Y-%m-%d %H:%M} {line.timezone}"


def list_command(settings: Settings, clock_start: datetime | None = None) -> int:
    """Print every network with its coordinators, partners, privacy and next round (by `clock_start`, else the
    bot's clock: `command_now`)."""
    db = open_db(settings.db_path)
    try:
        lines = network_overview(db, command_now(db, clock_start))
    finally:
        db.close()
    print(network_table(lines) if lines else NO_NETWORKS)
    return 0
