"""`python -m bot network goal ID ["text"]`: show or set a network's own goal (one sentence), checked like /goals."""

from __future__ import annotations

import sys

from bot.config import Settings
from bot.core.goal_board import statement
from bot.services import system_clock
from bot.usecases.goals import MAX_GOAL, save_network_goal
from storage.db import open_db
from storage.goals import network_goal
from storage.people import network_name
from storage.reports import network_thresholds


def goal_command(settings: Settings, network_id: int, text: str | None) -> int:
    """Print the network's goal and what it misses, after setting it to `text` (if given)."""
    db = open_db(settings.db_path)
    try:
        if network_name(db, network_id) is None:
            print(f"There is no network {network_id}.", file=sys.stderr)
            return 2
        if text is not None and save_network_goal(db, network_id, text, system_clock()) is None:
            print(f"The goal must be one sentence of 1 to {MAX_GOAL} characters.", file=sys.stderr)
            return 2
        goal = network_goal(db, network_id)
        if goal.text is None:
            print("The network has no goal yet.")
            return 0
        found = statement(goal.text, None, "", network_thresholds(db, network_id).vague_min_words)
    finally:
        db.close()
    print(f"Goal: {found.text}")
    print("Concrete." if not found.lacks else f"Vague, missing: {', '.join(found.lacks)}")
    return 0
