"""/partners: each partner organisation's state, the check-ins it missed in a row and, where allowed, its signals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from bot.core.digest.names import signal_topic
from bot.core.disclosure import history_as_of, round_disclosure
from bot.core.participation import missed_streak
from bot.core.risk.rules import find_signals
from bot.core.script.model import Script
from bot.i18n import Gettext
from storage.history import load_history
from storage.people import PartnerRow, partner_overview
from storage.reports import network_thresholds


@dataclass(frozen=True)
class PartnerFacts:
    """The rows of /partners, missed check-ins in a row and signal topics, both by organisation id."""

    rows: list[PartnerRow]
    missed: dict[int, int]
    topics: dict[int, list[str]]


def partner_facts(db: Database, version: Callable[[str, int], Script], network_id: int, now: datetime,
                  _: Gettext) -> PartnerFacts:
    """Per organisation: check-ins missed in a row (as the digest counts them, from the network's threshold on) and,
    where the newest closed round may show who answered what (bot.core.disclosure), its own signals' topics."""
    rows = partner_overview(db, network_id, now)
    if not rows:
        return PartnerFacts(rows, {}, {})
    history = load_history(db, network_id, version, network_thresholds(db, network_id))
    if not history.rounds:
        return PartnerFacts(rows, {}, {})
    newest = history.rounds[-1]
    in_row = max(1, history.thresholds.missed_in_row)  # the digest's threshold (bot.core.risk.people)
    missed = {partner.organisation_id: count for partner in history.partners
              if (count := missed_streak(history, partner.organisation_id, newest.id).rounds) >= in_row}
    closed = [facts for facts in history.rounds if facts.closed]
    topics: dict[int, list[str]] = {}
    if closed and round_disclosure(history, closed[-1].id, "partners") == "named":
        for signal in find_signals(history_as_of(history, closed[-1].id, "partners"), closed[-1].id):
            for organisation in signal.organisations:
                topics.setdefault(organisation, []).append(signal_topic(signal, _))
    return PartnerFacts(rows, missed, {organisation: list(dict.fromkeys(names))
                                       for organisation, names in topics.items()})
