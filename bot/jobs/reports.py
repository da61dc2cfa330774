"""After a round closes: the coordinators' digest and chart and the partners' feedback, queued in the outbox once
(urgent alerts: bot/jobs/report_pass.py). Reads the history, asks the pure rules and digest builder, writes
outbox rows."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlite_utils import Database

from bot.core.coaching import outcome_label
from bot.core.digest.build import partner_feedback
from bot.core.digest.lines import trend_values
from bot.core.digest.names import factor_name
from bot.core.disclosure import round_facts
from bot.core.factor_levels import factor_states
from bot.core.history import History, Signal
from bot.core.network_map import map_due
from bot.core.tips import Tips
from bot.core.user_text import one_line
from bot.i18n import Catalogs, month_name
from bot.jobs.map_messages import map_messages
from bot.telegram import callbacks
from bot.usecases.report import digest_caption, digest_messages, round_signals
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
    """Queue one closed round's digest (one HTML message with its buttons, more only where Telegram's limit forces),
    chart and quarterly map (at most three messages per coordinator) and the partners' feedback, with the note that
    it was done (1), or 0."""
    history = load_history(db, network_id, scripts.version, network_thresholds(db, network_id))
    signals = round_signals(history, round_id)
    messages: list[Outgoing] = []
    for coordinator in coordinators_of(db, network_id):
        review = step_review(db, catalogs, history, round_id, coordinator)
        texts, png = digest_messages(catalogs, scripts, tips, history, round_id, signals, coordinator, review)
        buttons = digest_buttons(db, catalogs, scripts, history, round_id, coordinator)
        messages += [Outgoing(f"digest:{round_id}:{coordinator.id}:{n}", "digest", coordinator.user_id, text,
                              buttons if n == len(texts) - 1 else None, network_id=network_id,
                              membership_id=coordinator.id, parse_mode="HTML")
                     for n, text in enumerate(texts)]
        caption = digest_caption(catalogs, history, round_id, coordinator.locale)
        messages.append(Outgoing(f"chart:{round_id}:{coordinator.id}", "chart", coordinator.user_id, caption,
                                 network_id=network_id, membership_id=coordinator.id, photo=png))
        if map_due(history, round_id):
            messages += map_messages(catalogs, history, round_id, coordinator)
    messages += _feedback(db, catalogs, history, round_id, signals)
    with db.atomic():
        if mark_reported(db, round_id, len(signals), now):
            enqueue(db, messages, now)
            return 1
    return 0


def step_review(db: Database, catalogs: Catalogs, history: History, round_id: int,
                coordinator: Membership) -> list[str]:
    """Last month's steps beside their factor's values, as plain lines for the digest."""
    _ = catalogs.gettext(coordinator.locale)
    earlier = [facts.id for facts in history.rounds if facts.closed and facts.id < round_id]
    levels = {state.factor: state for state in factor_states(history, round_id, "coaching")}
    lines = []
    for action in actions_of(db, history.network_id):
        if not earlier or action.round_id != earlier[-1]:
            continue
        line = _("{what} – {outcome}").format(what=action.what, outcome=outcome_label(action.outcome, _))
        level = levels.get(action.factor or 0)
        if (level is not None and level.level is not None and level.previous
                and level.round_number == round_facts(history, round_id).number):
            line += "; " + _("{factor}: {values}").format(factor=factor_name(level.factor, _),
                                                          values=trend_values(level, coordinator.locale))
        lines.append(line)
    return lines


def digest_buttons(db: Database, catalogs: Catalogs, scripts: ScriptRegistry, history: History, round_id: int,
                   coordinator: Membership) -> dict[str, object] | None:
    """The digest's buttons: "how did it go?" for each of the coordinator's open steps, and the offer to choose the
    next one (where the network has a coaching script); None without any."""
    _ = catalogs.gettext(coordinator.locale)
    rows = [[{"text": _("How did it go: {what}").format(what=button_words(action.what)),
              "callback_data": callbacks.CoachReview(action.id).pack()}]
            for action in open_actions_before(db, history.network_id, round_id)
            if action.membership_id == coordinator.id]
    if _has_coaching(scripts, coordinator.network_id):
        rows.append([{"text": _("Choose the next step"), "callback_data": callbacks.CoachStart().pack()}])
    return {"inline_keyboard": rows} if rows else None


def button_words(text: str, width: int = 40) -> str:
    """A user's text short enough for a button, ended at a word boundary ("…" where words were left out)."""
    words = one_line(text).split(" ")
    shown = ""
    for word in words:
        if len(f"{shown} {word}".strip()) > width:
            return (shown or word[:width]) + "…"
        shown = f"{shown} {word}".strip()
    return shown


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
                                month=month_name(current.period, member.locale), network=member.network_name)
        messages.append(Outgoing(f"feedback:{round_id}:{member.id}", "feedback", member.user_id, text,
                                 network_id=history.network_id, membership_id=member.id))
    return messages
