"""A row the last stop left in flight is checked at start against the local Bot API, not sent again blindly:
delivered → not resent; not delivered → resent; undecidable → reported to the admins once, not sent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlite_utils import Database
from telegram import Bot

from bot.i18n import Catalogs
from bot.jobs.outbox import OutboxSender
from bot.telegram.quiet_send import allow_quiet_sends, send_quietly
from localapi.server import LocalBotApi
from storage.db import open_db
from storage.message_ids import last_message_id, note_message_id
from storage.outbox import Outgoing, claim, enqueue, mark_retry, mark_sent
from storage.outbox_delivery import expect_delivery
from tests.e2e import NOW, FakeClock

PERSON = 5101
ADMIN = 5901
TEXT = "Die Runde ist offen. Wie lief der Monat?"
MARKUP = {"inline_keyboard": [[{"text": "Gut", "callback_data": "g"}]]}


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[LocalBotApi, Bot, Database]]:
    """The local server with a person and an admin, a Bot on it and a database with one queued prompt."""
    allow_quiet_sends()
    async with LocalBotApi() as api, Bot(api.token, base_url=api.base_url) as bot:
        api.add_user(PERSON, "Anna", started=True)
        api.add_user(ADMIN, "Admin", started=True)
        db = open_db(tmp_path / "netzpuls.db")
        with db.atomic():
            db.execute("INSERT INTO users (id, first_name, locale, created_at) VALUES (?, 'Anna', 'de', ?)",
                       [PERSON, NOW.isoformat()])  # only a known person's chat has its message ids noted
            enqueue(db, [Outgoing("prompt:1", "notice", PERSON, TEXT, MARKUP)], NOW)
        yield api, bot, db
        db.close()


def _cut_short(db: Database, known_last_id: int | None) -> int:
    """The sender claimed the row and wrote its expected id, then the process died: the row id."""
    if known_last_id is not None:
        with db.atomic():
            note_message_id(db, PERSON, known_last_id)
    row_id = int(db.execute("SELECT id FROM outbox").fetchone()[0])
    assert claim(db, row_id, NOW)
    expect_delivery(db, row_id)
    return row_id


async def _restart(api: LocalBotApi, bot: Bot, tmp_path: Path, catalogs: Catalogs) -> OutboxSender:
    sender = OutboxSender(bot, tmp_path / "netzpuls.db", catalogs, FakeClock(NOW), admins=frozenset({ADMIN}))
    await sender.start()  # the check runs here, before anything is sent
    return sender


def _row(db: Database, row_id: int) -> tuple[str, int | None]:
    status, message_id = db.execute("SELECT status, telegram_message_id FROM outbox WHERE id = ?", [row_id]).fetchone()
    return str(status), message_id


async def test_a_message_that_arrived_before_the_kill_is_not_sent_again(
        world: tuple[LocalBotApi, Bot, Database], tmp_path: Path, catalogs: Catalogs) -> None:
    api, bot, db = world
    api.send_text(PERSON, "Hallo")  # id 1: the person wrote while the prompt was under way, not noted yet
    row_id = _cut_short(db, known_last_id=0)
    assert await send_quietly(bot, PERSON, TEXT, MARKUP) == 2  # Telegram took it; the answer died with the bot
    sender = await _restart(api, bot, tmp_path, catalogs)
    await sender.stop()
    assert api.sent_count(PERSON) == 1
    assert _row(db, row_id) == ("sent", 2)
    assert api.messages(PERSON)[0].history == []  # the check edited nothing


async def test_a_message_that_did_not_arrive_is_sent_once(
        world: tuple[LocalBotApi, Bot, Database], tmp_path: Path, catalogs: Catalogs) -> None:
    api, bot, db = world
    row_id = _cut_short(db, known_last_id=0)
    api.send_text(PERSON, "Bist du da?")  # id 1, written while the bot was down
    sender = await _restart(api, bot, tmp_path, catalogs)
    await api.wait_until(lambda: api.sent_count(PERSON) == 1)
    await sender.stop()
    assert _row(db, row_id) == ("sent", 2)
    assert [m.text for m in api.messages(PERSON)] == [TEXT]


@pytest.mark.parametrize("known_last_id", [None, 0], ids=["chat's last id unknown", "three messages of the person"])
async def test_a_send_the_check_cannot_decide_is_reported_once_and_not_sent(
        world: tuple[LocalBotApi, Bot, Database], tmp_path: Path, catalogs: Catalogs,
        known_last_id: int | None) -> None:
    api, bot, db = world
    row_id = _cut_short(db, known_last_id)
    for text in ("eins", "zwei", "drei"):  # ids 1 to 3: the expected id and the two after it are the person's
        api.send_text(PERSON, text)
    sender = await _restart(api, bot, tmp_path, catalogs)
    await api.wait_until(lambda: api.sent_count(ADMIN) == 1)
    await sender.stop()
    assert api.sent_count(PERSON) == 0
    status, last_error = db.execute("SELECT status, last_error FROM outbox WHERE id = ?", [row_id]).fetchone()
    assert status == "failed" and last_error.startswith("undecided after a stop")
    [report] = api.messages(ADMIN)
    assert f"Outbox rows: {row_id}." in report.text or f"Outbox-Zeilen: {row_id}." in report.text


def test_the_expected_id_follows_the_chat_and_a_retry_clears_it(tmp_path: Path) -> None:
    db = open_db(tmp_path / "ids.db")
    with db.atomic():
        db.execute("INSERT INTO users (id, first_name, locale, created_at) VALUES (?, 'Anna', 'de', ?)",
                   [PERSON, NOW.isoformat()])
        enqueue(db, [Outgoing(f"n:{n}", "notice", PERSON, f"Nachricht {n}") for n in (1, 2)], NOW)
        note_message_id(db, PERSON, 6)  # the person's last message
    first, second = (int(r[0]) for r in db.execute("SELECT id FROM outbox ORDER BY id"))
    assert claim(db, first, NOW) and expect_delivery(db, first) == 7
    mark_retry(db, first, "502 Bad Gateway")  # queued again: the next attempt writes its own expectation
    assert db.execute("SELECT expected_message_id FROM outbox WHERE id = ?", [first]).fetchone() == (None,)
    assert claim(db, first, NOW) and expect_delivery(db, first) == 7
    mark_sent(db, first, 7, NOW)
    assert claim(db, second, NOW) and expect_delivery(db, second) == 8
    with db.atomic():
        note_message_id(db, PERSON, 3)  # an older id (an edited message) never moves the chat back
    assert last_message_id(db, PERSON) == 7
    db.close()
