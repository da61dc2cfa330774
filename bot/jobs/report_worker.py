"""The reporting pass at a round's close in a short-lived worker process: its charts and network maps lift the peak
memory by 60-80 MiB (bench.memory), and memory a process has touched is not given back until the process ends."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from pathlib import Path

from bot.i18n import Catalogs
from bot.jobs.report_pass import reports_due, reports_pass
from bot.services import Services
from bot.usecases.scripts import load_tips
from storage.reports import rounds_to_report

log = logging.getLogger(__name__)


async def reports_if_due(svc: Services, now: datetime) -> int:
    """The reporting pass when something is due, off the event loop; how many messages it queued. A closed round's
    (charts, maps) runs in a worker process unless NETZPULS_REPORT_WORKER=0; urgent alerts alone in a thread."""
    settings = svc.settings
    if settings.report_worker and rounds_to_report(svc.db):
        return await asyncio.to_thread(reports_in_worker, settings.db_path, settings.locales_dir,
                                       settings.dialogs_dir, now)
    if reports_due(svc.db, now):
        # A round that closed since the look above is the worker's at the next look, never drawn in this process.
        return await asyncio.to_thread(reports_pass, settings.db_path, svc.catalogs, svc.tips, now,
                                       not settings.report_worker)
    return 0


def reports_in_worker(db_path: Path, locales_dir: Path, dialogs_dir: Path, now: datetime) -> int:
    """Run reports_pass in a fresh process (spawned: no copy of the bot's memory, no inherited event loop or
    threads) that ends when it is done; returns how many messages it queued. Blocks: call it from a thread."""
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
        queued, pid = pool.submit(_pass, db_path, locales_dir, dialogs_dir, now).result()
    log.info("reports: %d message(s) queued by worker process %d", queued, pid)
    return queued


def _pass(db_path: Path, locales_dir: Path, dialogs_dir: Path, now: datetime) -> tuple[int, int]:
    """In the worker: the catalogs and tips read anew (cheaper than pickling them), then the pass; how many
    messages it queued, and the worker's process id."""
    return reports_pass(db_path, Catalogs(locales_dir), load_tips(dialogs_dir), now), os.getpid()
