"""After a round closes: the coordinators' digest and chart and the partners' feedback, queued in the outbox once
(urgent alerts: bot/jobs/report_pass.py). Reads the history, asks the pure rules and digest builder, writes
outbox rows."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlite_utils import Database

from bot.core.coaching import outcome_label
from bot.core.digest.build import partner_feedback
from bot.core.digest.evidence import decimal
from bot.core.digest.names import factor_name
from bot.core.disclosure import round_facts
from bot.core.factor_levels import factor_states
from bot.core.history import History, Signal
from bot.core.network_map import map_due
from bot.core.tips import Tips
from bot.i18n import Catalogs, month_name
from bot.jobs.map_messages import map_messages
from bot.telegram import callbacks
from bot.usecases.report import digest_messages, round_signals
from bot.usecases.scripts import ScriptRegistry
from storage.coaching import actions_of, open_actions_before
from storage.history import load_history
from storage.outbox import Outgoing, enqueue
from storage.people import Membership, coordinators_of, membership_by_id
from storage.reports import mark_reported, network_thresholds, rounds_to_report

log = logging.getLogger(__name__)

def queue_round_reports(db: Database, catalogs: Catalogs, scripts: ScriptRegistry, tips: Tips, now: datetime) -> int:
    """For every closed round not reported yet: digest and chart to each coordinator, feedback to each partner who
    took part, queued in one transaction with the note that it was done; returns how many rounds were reported."""
    reported = 0
    for network_id, round_id in rounds_to_report(db):
        try:
            reported += _report_round(db, catalogs, scripts, tips, network_id, round_id, now)
        except Exception:  # one broken network must not hold up the others' reports; the log says which
            log.exception("reports: round %d of network %d could not be reported", round_id, network_id)
    return reported


def _report_round(db: Database, catalogs: Catalogs, scripts: ScriptRegistry, tips: Tips, network_id: int,
                  round_id: int, now: datetime) -> int:
    """Queue one closed round's digest, chart, map and feedback with the note that it was done (1), or 0."""
    history = load_history(db, network_id, scripts.version, network_thresholds(db, network_id))
    signals = round_signals(history, round_id)
    messages: list[Outgoing] = []
    for coordinator in coordinators_of(db, network_id):
        texts, png = digest_messages(catalogs, scripts, tips, history, round_id, signals, coordinator)
        messages += [Outgoing(f"digest:{round_id}:{coordinator.id}:{n}", "digest", coordinator.user_id, text,
                              network_id=network_id, membership_id=coordinator.id)
                     for n, text in enumerate(texts)]
        caption = catalogs.gettext(coordinator.locale)("Success factors (mean, 1 = low, 5 = high)")
        messages.append(Outgoing(f"chart:{round_id}:{coordinator.id}", "chart", coordinator.user_id, caption,
                                 network_id=network_id, membership_id=coordinator.id, photo=png))
        if map_due(history, round_id):
            messages += map_messages(catalogs, history, round_id, coordinator)
        messages += coaching_messages(db, catalogs, scripts, history, round_id, coordinator)
    messages += _feedback(db, catalogs, history, round_id, signals)
    with db.atomic():
        if mark_reported(db, round_id, len(signals), now):
            enqueue(db, messages, now)
            return 1
    return 0


def coaching_messages(db: Database, catalogs: Catalogs, scripts: ScriptRegistry, history: History, round_id: int,
                      coordinator: Membership) -> list[Outgoing]:
    """After the digest: last month's steps beside their factor's trend, "how did it go?" for the coordinator's own
    open steps, and the offer to choose the next one (once a round, so nobody is nagged)."""
    _ = catalogs.gettext(coordinator.locale)
    key = f"{round_id}:{coordinator.id}"
    messages: list[Outgoing] = []
    earlier = [facts.id for facts in history.rounds if facts.closed and facts.id < round_id]
    levels = {state.factor: state for state in factor_states(history, round_id, "coaching")}
    reviewed = [action for action in actions_of(db, history.network_id) if earlier and action.round_id == earlier[-1]]
    lines = []
    for action in reviewed:
        line = _("Step from last month: {what} – {outcome}").format(what=action.what,
                                                                   outcome=outcome_label(action.outcome, _))
        level = levels.get(action.factor or 0)
        if (level is not None and level.level is not None and level.previous
                and level.round_number == round_facts(history, round_id).number):
            line += "; " + _("{factor}: {before} → {now}").format(
                factor=factor_name(level.factor, _), before=decimal(level.previous[-1], coordinator.locale),
                now=decimal(level.level, coordinator.locale))
        lines.append(line)
    if lines:
        messages.append(Outgoing(f"action-review:{key}", "coaching", coordinator.user_id, "\n".join(lines),
                                 network_id=history.network_id, membership_id=coordinator.id))
    for action in open_actions_before(db, history.network_id, round_id):
        if action.membership_id != coordinator.id:
            continue
        buttons = [[{"text": outcome_label(outcome, _),
                     "callback_data": callbacks.CoachOutcome(action.id, outcome).pack()}
                    for outcome in callbacks.OUTCOMES]]
        messages.append(Outgoing(
            f"action-followup:{action.id}", "coaching", coordinator.user_id,
            _("You planned: {what} ({topic}). How did it go?").format(what=action.what, topic=action.topic_label),
            {"inline_keyboard": buttons}, network_id=history.network_id, membership_id=coordinator.id))
    if _has_coaching(scripts, coordinator.network_id):
        start = [[{"text": _("Start coaching"), "callback_data": callbacks.CoachStart().pack()}]]
        messages.append(Outgoing(
            f"coach-offer:{key}", "coaching", coordinator.user_id,
            _("Would you like to choose one concrete step for the next network meeting? It takes about two "
              "minutes; /coach works at any time."), {"inline_keyboard": start}, network_id=history.network_id,
            membership_id=coordinator.id))
    return messages


def _has_coaching(scripts: ScriptRegistry, network_id: int) -> bool:
    try:
        scripts.current("coaching", network_id)
    except KeyError:
        return False
    return True


def _feedback(db: Database, catalogs: Catalogs, history: History, round_id: int,
              signals: list[Signal]) -> list[Outgoing]:
    """The network's result for each partner who answered the round."""
    current = next(r for r in history.rounds if r.id == round_id)
    answered = {row[0] for row in db.execute(
        "SELECT p.membership_id FROM participants p JOIN memberships m ON m.id = p.membership_id WHERE p.round_id = ?"
        " AND p.status IN ('done', 'late') AND m.left_at IS NULL", [round_id]).fetchall()}
    messages = []
    for membership_id in sorted(answered):
        member = membership_by_id(db, membership_id)
        if member is None:
            continue
        _, ngettext = catalogs.gettext(member.locale), catalogs.ngettext(member.locale)
        text = partner_feedback(history, round_id, signals, member.locale, _, ngettext,
                                month=month_name(current.period, member.locale))
        messages.append(Outgoing(f"feedback:{round_id}:{member.id}", "feedback", member.user_id, text,
                                 network_id=history.network_id, membership_id=member.id))
    return messages
