"""`python -m bot report NETWORK [--from YYYY-MM] [--to YYYY-MM] [--lang de|en] [--output FILE]`: a network's report
of up to 12 months as a PDF, the same as /report sends the coordinator."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.config import Settings
from bot.i18n import Catalogs, compile_catalogs
from bot.services import system_clock
from bot.usecases.period_report import make_report, problem_text
from bot.usecases.scripts import ScriptRegistry
from storage.db import open_db
from storage.people import find_network


def report_command(settings: Settings, network: str, first: str | None, last: str | None, locale: str,
                   output: Path | None) -> int:
    """Write the report; 0 when written, 2 when there is no such network or nothing to report (the reason on
    stderr)."""
    compile_catalogs(settings.locales_dir)
    catalogs = Catalogs(settings.locales_dir)
    db = open_db(settings.db_path)
    try:
        network_id = find_network(db, network)
        if network_id is None:
            print(f"There is no network with the id or the exact name {network!r}.", file=sys.stderr)
            return 2
        prepared, pdf = make_report(db, ScriptRegistry(db), catalogs, network_id, first, last, locale,
                                    system_clock())
    finally:
        db.close()
    if not pdf:
        print(problem_text(prepared.problem, prepared.first, prepared.last, catalogs.gettext(locale)),
              file=sys.stderr)
        return 2
    path = output or Path(prepared.filename)
    path.write_bytes(pdf)
    print(f"Report of {prepared.first} to {prepared.last} written to {path} ({len(pdf) // 1024} KiB).")
    return 0
