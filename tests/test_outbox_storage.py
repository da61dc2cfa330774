"""The outbox on a real SQLite file: a prompt or reminder that became moot is never sent, one catch-up at most."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlite_utils import Database

from bot.i18n import Catalogs
from bot.jobs.rounds import run_due
from storage.outbox import claim, queued, recover_in_flight
from storage.rounds import mark_finished, set_pause, snooze
from tests.test_rounds_run import make_network

OPENS = datetime(2027, 1, 5, 8, 0, tzinfo=UTC)  # first Tuesday of January 2027, 09:00 in Berlin


def _queued(db: Database) -> list[tuple[str, str]]:
    return [(str(r[0]), str(r[1])) for r in db.execute("SELECT dedupe_key, status FROM outbox ORDER BY id")]


def test_a_reminder_queued_but_never_sent_is_replaced_not_followed(db: Database, catalogs: Catalogs) -> None:
    _network, members = make_network(db)
    run_due(db, catalogs, OPENS)
    for message in queued(db, 100):
        assert claim(db, message.id, OPENS)
    db.execute("UPDATE outbox SET status = 'sent'")
    run_due(db, catalogs, OPENS + timedelta(days=3))  # reminder 1 queued ... and the bot dies before sending it
    run_due(db, catalogs, OPENS + timedelta(days=7))  # after the restart reminder 2 is due
    rows = [row for row in _queued(db) if row[0].startswith(f"remind:1:{members[0].id}:")]
    assert rows == [(f"remind:1:{members[0].id}:1", "dropped"), (f"remind:1:{members[0].id}:2", "queued")]


def test_prompts_that_became_moot_are_dropped_when_their_turn_comes(db: Database, catalogs: Catalogs) -> None:
    _network, members = make_network(db)
    run_due(db, catalogs, OPENS)
    ids = {m.membership_id: m.id for m in queued(db, 100)}
    set_pause(db, members[0].id, OPENS, OPENS + timedelta(days=30), OPENS)
    snooze(db, 1, members[1].id, OPENS + timedelta(days=1))
    with db.atomic():
        mark_finished(db, 1, members[2].id, OPENS)
    # The three changes dropped their queued prompts at once; claiming checks again, for rows already taken.
    assert [claim(db, ids[m.id], OPENS) for m in members] == [False, False, False, True, True]
    statuses = dict(db.execute("SELECT membership_id, status FROM outbox").fetchall())
    assert [statuses[m.id] for m in members] == ["dropped", "dropped", "dropped", "sending", "sending"]


def test_a_message_retried_after_its_round_closed_is_dropped(db: Database, catalogs: Catalogs) -> None:
    make_network(db)
    run_due(db, catalogs, OPENS)
    [first, *_rest] = queued(db, 100)
    assert claim(db, first.id, OPENS)  # in flight when the bot is killed
    run_due(db, catalogs, OPENS + timedelta(days=10))  # the round closes
    assert recover_in_flight(db) == 1
    assert not claim(db, first.id, OPENS + timedelta(days=10))
    assert db.execute("SELECT status, last_error FROM outbox WHERE id = ?", [first.id]).fetchone() == (
        "dropped", "moot")


def test_a_notice_without_a_round_is_always_claimed(db: Database, catalogs: Catalogs) -> None:
    db.execute("INSERT INTO outbox (dedupe_key, kind, chat_id, text, status, created_at)"
               " VALUES ('n1', 'notice', 1, 'Hallo', 'queued', '2027-01-01T00:00:00+00:00')")
    [notice] = queued(db, 10)
    assert claim(db, notice.id, OPENS)
    assert not claim(db, notice.id, OPENS)  # taken already
