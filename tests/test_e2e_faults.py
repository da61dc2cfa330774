"""Telegram and the database failing while a partner answers or a round's prompts go out: what the partner sees, and
that every answer is stored exactly once and every question and prompt arrives.

Covered elsewhere: random 429/500/502/unanswered stalls on the prompts (test_e2e_rounds), a crashing handler
(test_e2e_bad_input), SIGKILL mid-broadcast (test_e2e_kill), the faults themselves (test_localapi_faults).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import sqlite3
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import Settings
from bot.services import CONSENT_VERSION
from localapi.server import LocalBotApi, SentMessage
from storage.outbox import Outgoing, enqueue
from storage.people import Membership, redeem_invite
from tests.e2e import ADMIN_ID, NOW, FakeClock, Harness

ROUND_OPENS = datetime(2027, 2, 2, 8, 0, tzinfo=UTC)  # the first Tuesday of February, 09:00 in Berlin
SORRY = "schiefgegangen"  # "Bei mir ist etwas schiefgegangen ... bitte versuchen Sie es gleich noch einmal."
READ_TIMEOUT = 5.0  # python-telegram-bot's default for the handlers' requests
STALL = READ_TIMEOUT + 1.0


async def _at_the_first_question(harness: Harness) -> tuple[Membership, SentMessage]:
    """A partner who started the check-in (its first question on screen), and an admin who gets error reports."""
    harness.api.add_user(ADMIN_ID, "Admin", language_code="de", started=True)
    member = await harness.partner()
    _intro, goals = await harness.send(member.user_id, "/checkin", count=2)
    return member, goals


def _steps(harness: Harness, member: Membership) -> list[str]:
    return [step for step, _value, _version in harness.answers(member.id)]


def _nothing_went_wrong(harness: Harness, member: Membership, caplog: pytest.LogCaptureFixture) -> None:
    """No apology to the partner, no report to the admin, no ERROR in the log."""
    assert not [m.text for m in harness.api.messages(member.user_id) if SORRY in m.text]
    assert harness.api.messages(ADMIN_ID) == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def _answered(harness: Harness, member: Membership, goals: SentMessage) -> SentMessage:
    """The partner taps 5 on the first question; the second question that arrives."""
    [statement] = await harness.tap(member.user_id, goals, "5", count=1)
    assert statement.text.startswith("Frage 2")
    assert goals.text.endswith("✓ 5") and goals.reply_markup is None
    return statement


# --- Telegram fails while the partner answers ---------------------------------------------------------------------

@pytest.mark.parametrize("method", ["sendMessage", "editMessageText", "answerCallbackQuery"])
async def test_telegram_asks_to_wait_the_answer_goes_through_a_second_later(
        harness: Harness, caplog: pytest.LogCaptureFixture, method: str) -> None:
    member, goals = await _at_the_first_question(harness)
    harness.api.fail_next(method, 429, "Too Many Requests: retry after 1", retry_after=1)
    await _answered(harness, member, goals)
    assert _steps(harness, member) == ["goals_clear"]
    assert harness.api.injected == Counter({"429": 1})
    _nothing_went_wrong(harness, member, caplog)


@pytest.mark.parametrize(("method", "fault"), [
    ("sendMessage", "500"), ("sendMessage", "502"), ("sendMessage", "reset"),
    ("editMessageText", "502"), ("editMessageText", "reset"), ("answerCallbackQuery", "500"),
])
async def test_telegram_fails_once_the_reply_is_tried_again_and_the_partner_notices_nothing(
        harness: Harness, caplog: pytest.LogCaptureFixture, method: str, fault: str) -> None:
    member, goals = await _at_the_first_question(harness)
    if fault == "reset":  # the connection breaks before the request reaches Telegram
        harness.api.reset_next(method, processed=False)
    else:
        harness.api.fail_next(method, int(fault), "Internal Server Error" if fault == "500" else "Bad Gateway")
    statement = await _answered(harness, member, goals)
    assert harness.api.injected == Counter({fault: 1})
    [benefit] = await harness.tap(member.user_id, statement, "Überspringen")
    assert benefit.text.startswith("Frage 3")
    assert _steps(harness, member) == ["goals_clear", "goal_statement"]
    _nothing_went_wrong(harness, member, caplog)


async def test_the_next_question_lost_in_flight_arrives_twice_and_either_copy_answers_once(
        harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    member, goals = await _at_the_first_question(harness)
    harness.api.reset_next("sendMessage", processed=True)  # Telegram shows it, the bot never hears back
    first, second = await harness.tap(member.user_id, goals, "5", count=2)
    assert first.text == second.text and first.text.startswith("Frage 2")
    [benefit] = await harness.tap(member.user_id, first, "Überspringen")
    assert benefit.text.startswith("Frage 3")
    stale = harness.api.tap(member.user_id, second.message_id, text="Überspringen")
    assert "schon beantwortet" in str(await harness.api.wait_for_callback_answer(stale))
    await harness.api.wait_until(lambda: second.reply_markup is None, message="the copy's buttons stay")
    assert _steps(harness, member) == ["goals_clear", "goal_statement"]
    _nothing_went_wrong(harness, member, caplog)


async def test_the_next_question_times_out_unsent_the_partner_is_told_and_checkin_brings_it(
        harness: Harness) -> None:
    member, goals = await _at_the_first_question(harness)
    harness.api.stall_next("sendMessage", STALL, processed=False)
    harness.api.tap(member.user_id, goals.message_id, text="5")
    [sorry] = await harness.api.wait_for_messages(member.user_id, 1, timeout=STALL + 5)
    assert SORRY in sorry.text and "gespeichert" in sorry.text
    assert goals.text.endswith("✓ 5") and goals.reply_markup is None  # nothing left to tap: /checkin goes on
    back, statement = await harness.send(member.user_id, "/checkin", count=2)
    assert "Willkommen zurück" in back.text and statement.text.startswith("Frage 2")
    await harness.tap(member.user_id, statement, "Überspringen")
    assert _steps(harness, member) == ["goals_clear", "goal_statement"]
    [report] = await harness.api.wait_for_messages(ADMIN_ID, 1)
    assert "TimedOut" in report.text


async def test_the_next_question_times_out_after_it_arrived_the_partner_answers_it(harness: Harness) -> None:
    member, goals = await _at_the_first_question(harness)
    harness.api.stall_next("sendMessage", STALL, processed=True)
    harness.api.tap(member.user_id, goals.message_id, text="5")
    [statement] = await harness.api.wait_for_messages(member.user_id, 1)  # shown at once, its answer is held
    [sorry] = await harness.api.wait_for_messages(member.user_id, 1, timeout=STALL + 5)
    assert statement.text.startswith("Frage 2") and SORRY in sorry.text
    [benefit] = await harness.tap(member.user_id, statement, "Überspringen")
    assert benefit.text.startswith("Frage 3")
    assert _steps(harness, member) == ["goals_clear", "goal_statement"]


@pytest.mark.parametrize(("code", "description"), [(502, "Bad Gateway"), (500, "Internal Server Error")])
async def test_a_failed_poll_for_updates_is_polled_again_without_alarm(
        harness: Harness, caplog: pytest.LogCaptureFixture, code: int, description: str) -> None:
    member, goals = await _at_the_first_question(harness)
    harness.api.fail_next("getUpdates", code, description)
    await harness.api.wait_until(lambda: harness.api.injected[str(code)] == 1, message="no poll met the fault")
    await _answered(harness, member, goals)
    assert _steps(harness, member) == ["goals_clear"]
    assert any("passing network fault" in r.getMessage()
               for r in caplog.records if r.levelno == logging.WARNING)
    _nothing_went_wrong(harness, member, caplog)


async def test_a_poll_refused_for_good_reason_reaches_the_admins(
        harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    member, goals = await _at_the_first_question(harness)
    harness.api.fail_next("getUpdates", 409, "Conflict: terminated by other getUpdates request")
    [report] = await harness.api.wait_for_messages(ADMIN_ID, 1)
    assert "Conflict" in report.text and "None" in report.text  # no update: the poll itself failed
    await _answered(harness, member, goals)  # polling goes on after the refusal
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == ["error Conflict while handling "
                                                                                      "update None"]


# --- the database is locked by another process ---------------------------------------------------------------------

def _hold_write_lock(path: Path, seconds: float) -> threading.Thread:
    """Another process's write transaction (BEGIN IMMEDIATE) on the database for `seconds`; returns once it holds
    the lock. A thread: the bot's own database calls block the event loop while they wait for the lock."""
    taken = threading.Event()

    def hold() -> None:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        taken.set()
        time.sleep(seconds)
        other.execute("COMMIT")
        other.close()

    thread = threading.Thread(target=hold, name="other-writer", daemon=True)
    thread.start()
    assert taken.wait(5), "the other writer got no lock"
    return thread


async def test_an_answer_while_another_process_writes_for_a_while_is_stored_once(
        harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    member, goals = await _at_the_first_question(harness)
    writer = _hold_write_lock(harness.settings.db_path, 1.5)
    statement = await _answered(harness, member, goals)
    await asyncio.to_thread(writer.join)
    [benefit] = await harness.tap(member.user_id, statement, "Überspringen")
    assert benefit.text.startswith("Frage 3")
    assert _steps(harness, member) == ["goals_clear", "goal_statement"]
    _nothing_went_wrong(harness, member, caplog)


async def test_an_answer_while_the_lock_outlasts_the_busy_timeout_is_refused_politely_then_taken(
        harness: Harness) -> None:
    member, goals = await _at_the_first_question(harness)
    writer = _hold_write_lock(harness.settings.db_path, 6.0)  # the bot waits 5 s for a lock (storage/db.py)
    harness.api.tap(member.user_id, goals.message_id, text="5")
    [sorry] = await harness.api.wait_for_messages(member.user_id, 1, timeout=15)
    assert SORRY in sorry.text
    assert goals.reply_markup is not None and _steps(harness, member) == []  # nothing stored, the buttons stay
    await asyncio.to_thread(writer.join)
    await _answered(harness, member, goals)  # the partner tries again, as asked
    assert _steps(harness, member) == ["goals_clear"]
    [report] = await harness.api.wait_for_messages(ADMIN_ID, 1)
    assert "OperationalError" in report.text


def _partners(harness: Harness, count: int) -> list[Membership]:
    """`count` partners of one network who have joined (stored as the consent button stores it)."""
    network = harness.network()
    members = []
    for n in range(count):
        user_id = 5000 + n
        harness.api.add_user(user_id, f"Person {n}", language_code="de", started=True)
        members.append(redeem_invite(harness.db, harness.invite(network, f"Organisation {n}"), user_id,
                                     f"Person {n}", "de", CONSENT_VERSION, NOW))
    return members


def _outbox(harness: Harness) -> list[tuple[str, int]]:
    return harness.db.execute("SELECT status, uncertain FROM outbox ORDER BY id").fetchall()


async def test_a_round_queued_and_sent_while_another_process_writes_prompts_everyone_once(
        api: LocalBotApi, settings: Settings, clock: FakeClock, caplog: pytest.LogCaptureFixture) -> None:
    # Ten prompts a second: the broadcast takes two seconds, long enough to be caught by the second lock.
    harness = Harness(api, dataclasses.replace(settings, send_rate=10.0), clock)
    await harness.start()
    try:
        members = _partners(harness, 20)
        writer = _hold_write_lock(settings.db_path, 1.5)  # while the round opens and its prompts are queued
        clock.now = ROUND_OPENS
        await api.wait_until(lambda: any(api.sent_count(m.user_id) for m in members), timeout=10)
        await asyncio.to_thread(writer.join)
        writer = _hold_write_lock(settings.db_path, 1.5)  # while they are sent
        await api.wait_until(lambda: all(api.sent_count(m.user_id) for m in members), timeout=15)
        await asyncio.to_thread(writer.join)
        await api.wait_until(lambda: [s for s, _u in _outbox(harness)] == ["sent"] * 20, timeout=10)
        assert [api.sent_count(m.user_id) for m in members] == [1] * 20
        assert {u for _s, u in _outbox(harness)} == {0}
        assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    finally:
        await harness.stop()
        harness.db.close()


# --- prompts whose answer is lost in flight --------------------------------------------------------------------------

async def test_prompts_lost_in_flight_arrive_and_only_the_uncertain_ones_twice(harness: Harness) -> None:
    members = _partners(harness, 10)
    harness.api.reset_next("sendMessage", processed=False)  # the first three prompts' connections break
    harness.api.reset_next("sendMessage", processed=True)
    harness.api.stall_next("sendMessage", 1.5, processed=True)  # the outbox waits 1 s (NETZPULS_SEND_TIMEOUT)
    harness.clock.now = ROUND_OPENS
    await harness.api.wait_until(lambda: [s for s, _u in _outbox(harness)] == ["sent"] * 10, timeout=15)
    assert harness.api.injected == Counter({"reset": 1, "reset_processed": 1, "stall_processed": 1})
    # Everyone got the prompt; the two that arrived while their answer got lost came again; the outbox counts all
    # three sends it could not be sure about.
    assert sorted(harness.api.sent_count(m.user_id) for m in members) == [1] * 8 + [2] * 2
    assert sorted(u for _s, u in _outbox(harness)) == [0] * 7 + [1] * 3


async def test_a_send_waiting_for_room_in_the_rate_window_is_queued_again_when_the_bot_stops(
        harness: Harness) -> None:
    harness.api.add_user(7000, "Person", language_code="de", started=True)
    assert harness.app is not None
    pacer, sender = harness.app.bot_data["pacer"], harness.app.bot_data["outbox_sender"]
    later = time.monotonic() + 60  # a full second of sends that left "a minute from now": no room before that
    while pacer.depart(later) == 0.0:
        pass
    with harness.db.atomic():
        enqueue(harness.db, [Outgoing("window", "notice", 7000, "Hallo")], NOW)
    sender.wake()
    status = "SELECT status, last_error FROM outbox WHERE dedupe_key = 'window'"
    await harness.api.wait_until(lambda: harness.db.execute(status).fetchone()[0] == "sending")
    await harness.stop()
    assert harness.db.execute(status).fetchone() == ("queued", "not sent: the bot stopped")
    assert harness.api.sent_count(7000) == 0
