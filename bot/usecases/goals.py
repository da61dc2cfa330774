"""/goals: every partner's current goal statement beside the network's own goal, each checked by the vague-goal
detector; setting the network's goal (typed by its coordinator, or from the CLI); the goal workshop's file."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_date
from sqlite_utils import Database

from bot.core.calendar import local
from bot.core.goal_board import Board, Statement, statement, workshop_markdown
from bot.core.history import BASELINE_ROUND, History
from bot.core.quotes import current_goals
from bot.core.user_text import one_line
from bot.i18n import Gettext, Ngettext, month_name
from bot.render.export_files import export_filename
from bot.usecases.scripts import ScriptRegistry
from storage import goals as stored
from storage.history import load_history
from storage.people import Membership
from storage.reports import network_thresholds
from storage.rounds import schedule_of

GOAL_STATEMENT = "goal_statement"  # the monthly check-in's "the network's goal in one sentence" (text)
OWN_GOAL = "own_goal"  # the onboarding's "what your organisation wants to achieve in the network" (text)
MAX_GOAL = 300  # characters of the network's goal: one sentence


def _history(db: Database, scripts: ScriptRegistry, network_id: int) -> History:
    return load_history(db, network_id, scripts.version, network_thresholds(db, network_id))


def goal_board(db: Database, scripts: ScriptRegistry, member: Membership, locale: str, _: Gettext) -> Board:
    """The network's goal and every partner's current goal statement the coordinator may see, each with what it
    misses; an unnamed statement carries no month either (it could tell whose it is)."""
    history = _history(db, scripts, member.network_id)
    min_words = history.thresholds.vague_min_words
    names = {partner.organisation_id: partner.name for partner in history.partners}
    quotes, withheld = current_goals(history, GOAL_STATEMENT, OWN_GOAL, "notes")
    statements = []
    for quote in quotes:
        if quote.organisation_id is None:
            name, when = None, ""
        else:
            name = names.get(quote.organisation_id) or _("Organisation {number}").format(number=quote.organisation_id)
            when = _("When joining") if quote.round_id == BASELINE_ROUND else month_name(
                history.round(quote.round_id).period, locale)
        statements.append(statement(str(quote.value), name, when, min_words))
    own = stored.network_goal(db, member.network_id)
    goal = None if own.text is None else statement(own.text, None, "", min_words)
    return Board(member.network_name, goal, tuple(statements), withheld)


def workshop_file(db: Database, scripts: ScriptRegistry, member: Membership, now: datetime, locale: str,
                  _: Gettext, ngettext: Ngettext) -> tuple[str, bytes]:
    """The goal workshop's Markdown file: (file name, content)."""
    board = goal_board(db, scripts, member, locale, _)
    day = local(schedule_of(db, member.network_id), now).date()
    text = workshop_markdown(board, format_date(day, format="long", locale=locale), _, ngettext)
    kind = _("goals")  # in the file's name
    return export_filename(f"{member.network_name} {kind}", day, "md"), text.encode("utf-8")


def ask_network_goal(db: Database, member: Membership, now: datetime) -> None:
    """The coordinator's next typed line is the network's goal."""
    stored.ask_goal(db, member.id, now)


def stop_asking(db: Database, member: Membership) -> bool:
    """The coordinator does not type the goal after all; False if they were not about to."""
    return stored.stop_asking_goal(db, member.id)


def goal_awaited(db: Database, member: Membership) -> bool:
    """Whether the coordinator's next typed line is the network's goal."""
    return stored.goal_awaited(db, member.id)


def save_network_goal(db: Database, network_id: int, text: str, now: datetime,
                      member: Membership | None = None) -> Statement | None:
    """Store the network's goal (one line, at most MAX_GOAL characters) and check it; None if it is empty or too
    long (nothing stored) or there is no such network."""
    folded = one_line(text)
    if not folded or len(folded) > MAX_GOAL:
        return None
    if not stored.set_network_goal(db, network_id, folded, now, member.id if member is not None else None):
        return None
    return statement(folded, None, "", network_thresholds(db, network_id).vague_min_words)
