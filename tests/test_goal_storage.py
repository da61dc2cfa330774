"""The network's goal in the database, and where a coordinator's next typed line goes once they asked to type it:
to the goal, unless they began a coaching dialog since (then to that)."""

from __future__ import annotations

from datetime import timedelta

from sqlite_utils import Database

from bot.usecases.goals import save_network_goal
from bot.usecases.typed import waiting_for
from storage.coaching import start_session
from storage.goals import ask_goal, network_goal, stop_asking_goal
from storage.people import Membership, create_invite, create_network, redeem_invite
from tests.e2e import NOW


def coordinator(db: Database) -> Membership:
    network = create_network(db, "Netzwerk Test", NOW)
    invite = create_invite(db, network, "coordinator", None, NOW, 14)
    return redeem_invite(db, invite.token, 77, "Clara", "de", 1, NOW)


def test_the_goal_is_stored_folded_to_one_line_and_checked(db: Database) -> None:
    clara = coordinator(db)
    assert network_goal(db, clara.network_id).text is None
    assert save_network_goal(db, clara.network_id, "  ", NOW) is None
    assert save_network_goal(db, clara.network_id, "x" * 301, NOW) is None
    assert save_network_goal(db, 999, "Ein Ziel", NOW) is None
    saved = save_network_goal(db, clara.network_id, "Mehr\nVernetzung", NOW)
    assert saved is not None and saved.text == "Mehr Vernetzung" and saved.lacks == ("whom", "result", "time")
    stored = network_goal(db, clara.network_id)
    assert (stored.text, stored.set_at) == ("Mehr Vernetzung", NOW)


def test_the_next_typed_line_is_the_goal_until_typed_cancelled_or_a_coaching_dialog_begins(db: Database) -> None:
    clara = coordinator(db)
    assert waiting_for(db, 77, lambda draft: False, NOW).purpose == "note"
    ask_goal(db, clara.id, NOW)
    assert waiting_for(db, 77, lambda draft: False, NOW).purpose == "goal"
    save_network_goal(db, clara.network_id, "Ein Ziel", NOW, clara)
    assert waiting_for(db, 77, lambda draft: False, NOW).purpose == "note"
    ask_goal(db, clara.id, NOW)
    assert stop_asking_goal(db, clara.id) and not stop_asking_goal(db, clara.id)
    assert waiting_for(db, 77, lambda draft: False, NOW).purpose == "note"
    ask_goal(db, clara.id, NOW)
    start_session(db, clara.id, clara.network_id, None, "coaching", 1, (), "{}", NOW + timedelta(minutes=1))
    assert waiting_for(db, 77, lambda draft: False, NOW).purpose == "coaching"
    ask_goal(db, clara.id, NOW + timedelta(minutes=2))  # asked again after the dialog began: the goal first
    assert waiting_for(db, 77, lambda draft: False, NOW).purpose == "goal"
