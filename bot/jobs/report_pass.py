"""The rounds job's reporting pass, in a worker thread: the digests of rounds that closed (bot/jobs/reports.py),
while a round is open its urgent signals to the coordinators at once, and the news of partners who left without
finishing their exit check-in (bot/usecases/partner_news.py) or without saying who takes over after "I'm no longer
responsible" (bot/usecases/contact_change.py)."""

from __future__ import annotations

import logging
from datetime import datetime
from html import escape
from pathlib import Path

from sqlite_utils import Database

from bot.core.digest.build import signal_text, signals_view
from bot.core.history import History, Signal
from bot.core.tips import Tips
from bot.i18n import Catalogs
from bot.jobs.reports import queue_round_reports
from bot.telegram import callbacks
from bot.usecases.contact_change import queue_unanswered
from bot.usecases.partner_news import queue_abandoned_exits
from bot.usecases.report import labels, round_signals
from bot.usecases.scripts import ScriptRegistry
from storage.db import get_meta, open_db, set_meta
from storage.history import load_history
from storage.outbox import Outgoing, enqueue
from storage.people import coordinators_of
from storage.reports import first_alert, network_thresholds, rounds_to_report

log = logging.getLogger(__name__)

ALERT_CHECK_SECONDS = 600  # urgent signals: looked for at most every ten minutes (of the clock in use)


def reports_due(db: Database, now: datetime) -> bool:
    """Whether a round awaits its report or it is time to look for urgent signals (cheap: two small queries)."""
    checked = get_meta(db, "alerts_checked_at")
    alerts = checked is None or (now - datetime.fromisoformat(checked)).total_seconds() >= ALERT_CHECK_SECONDS
    return alerts or bool(rounds_to_report(db))


def reports_pass(db_path: Path, catalogs: Catalogs, tips: Tips, now: datetime, rounds: bool = True) -> int:
    """Queue due reports and urgent alerts with a connection of this thread's own (charts take ~0.2 s each, so the
    rounds job runs this in a worker thread); returns how many were queued. rounds=False leaves closed rounds'
    reports (their charts and maps) to the worker process (bot/jobs/report_worker.py)."""
    db = open_db(db_path)
    try:
        scripts = ScriptRegistry(db)
        return ((queue_round_reports(db, catalogs, scripts, tips, now) if rounds else 0)
                + queue_urgent_alerts(db, catalogs, scripts, tips, now)
                + queue_abandoned_exits(db, scripts, catalogs.gettext, now)
                + queue_unanswered(db, catalogs.gettext, now, _successor_button))
    finally:
        db.close()


def _successor_button(handover_id: int) -> str:
    """The coordinator's button that invites the successor (bot/telegram/handlers/contact_change.py)."""
    return callbacks.AccessAction("successor", handover_id).pack()


def queue_urgent_alerts(db: Database, catalogs: Catalogs, scripts: ScriptRegistry, tips: Tips, now: datetime) -> int:
    """Urgent signals of each network's newest round go to its coordinators at once, each (rule, partner, round)
    once; a partner's unreachability is not repeated (the outbox told the coordinators when it happened)."""
    checked = get_meta(db, "alerts_checked_at")
    if checked is not None and (now - datetime.fromisoformat(checked)).total_seconds() < ALERT_CHECK_SECONDS:
        return 0
    set_meta(db, "alerts_checked_at", now.isoformat())
    sent = 0
    # Only networks with an open round: a closed round's urgent signals come with its digest.
    for (network_id,) in db.execute("SELECT DISTINCT network_id FROM rounds WHERE status = 'open'").fetchall():
        try:
            sent += _alert_network(db, catalogs, scripts, tips, network_id, now)
        except Exception:  # one broken network must not silence the others
            log.exception("reports: urgent signals of network %d could not be checked", network_id)
    return sent


def _alert_network(db: Database, catalogs: Catalogs, scripts: ScriptRegistry, tips: Tips, network_id: int,
                   now: datetime) -> int:
    """Queue the new urgent signals of one network's newest round; returns how many."""
    sent = 0
    history = load_history(db, network_id, scripts.version, network_thresholds(db, network_id))
    if not history.rounds:
        return 0
    newest = history.rounds[-1]
    # Who answered is known by name: with fewer than three answers, an answer-based alert about "one partner" would
    # say whose it is (bot.core.disclosure decides, as for the digest).
    if newest.closed:
        return 0  # the round's digest tells what is urgent; alerts are for what happens while a round is open
    urgent = [signal for signal in signals_view(history, newest.id, round_signals(history, newest.id, "alert"),
                                                "alert").signals if signal.severity == "urgent"]
    for signal in urgent:
        key = signal.organisations[0] if len(signal.organisations) == 1 else 0
        with db.atomic():
            if not first_alert(db, network_id, signal.rule, key, signal.round_number, now):
                continue
            if {evidence.code for evidence in signal.evidence} == {"unreachable"}:
                continue  # already told by the outbox's own notice
            enqueue(db, _alert_messages(db, catalogs, scripts, tips, history, signal), now)
            sent += 1
    return sent


def _alert_messages(db: Database, catalogs: Catalogs, scripts: ScriptRegistry, tips: Tips, history: History,
                    signal: Signal) -> list[Outgoing]:
    """One urgent signal as a short message to each coordinator (its block of the digest)."""
    messages = []
    for coordinator in coordinators_of(db, history.network_id):
        locale = coordinator.locale
        _ = catalogs.gettext(locale)
        question, answer = labels(scripts, coordinator.network_id, locale, _)
        body = signal_text(history, signal, tips, locale, _, catalogs.ngettext(locale), question_label=question,
                           answer_label=answer)
        heading = escape(_("Urgent from \"{network}\":").format(network=coordinator.network_name), quote=False)
        text = f"<b>{heading}</b>\n{body}"
        key = f"alert:{history.network_id}:{signal.rule}:{','.join(map(str, signal.organisations))}:" \
              f"{signal.round_number}:{coordinator.id}"
        messages.append(Outgoing(key, "alert", coordinator.user_id, text, network_id=history.network_id,
                                 membership_id=coordinator.id, parse_mode="HTML"))
    return messages
