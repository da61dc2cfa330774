"""Data protection rights in the chat: /mydata, /delete, /leave with the exit check-in, a new consent text."""

from __future__ import annotations

import asyncio
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import Settings
from bot.services import CONSENT_VERSION
from localapi.server import LocalBotApi, SentMessage
from storage.people import Membership, active_membership
from tests.e2e import ADMIN_ID, ROOT, TEST_DIALOGS, Harness, mentions_number

ROUND_OPENS = datetime(2027, 2, 2, 8, 0, tzinfo=UTC)  # the first Tuesday of February, 09:00 in Berlin
STATEMENT = "Alle Alleinerziehenden im Landkreis finden in 6 Wochen einen Kitaplatz"


@pytest.fixture
def settings(api: LocalBotApi, tmp_path: Path) -> Settings:
    """The test scripts plus the shipped exit check-in (started by /leave)."""
    dialogs = tmp_path / "dialogs"
    dialogs.mkdir()
    shutil.copy(TEST_DIALOGS / "monthly_checkin.yaml", dialogs)
    shutil.copy(ROOT / "dialogs" / "exit_checkin.yaml", dialogs)
    return Settings(token=api.token, api_url=api.base_url, db_path=tmp_path / "netzpuls.db",
                    admins=frozenset({ADMIN_ID}), locales_dir=ROOT / "locales", dialogs_dir=dialogs,
                    tick_seconds=0.05, send_timeout=1.0, send_rate=1000.0, chat_rate=1000.0,
                    health_port=0)


async def _answered_with_text(harness: Harness) -> Membership:
    """A partner who finished a check-in with one free-text answer."""
    member = await harness.partner()
    _intro, goals = await harness.send(member.user_id, "/checkin", 2)
    [statement] = await harness.tap(member.user_id, goals, "5")
    [benefit] = await harness.send(member.user_id, STATEMENT)
    [agreements] = await harness.tap(member.user_id, benefit, "4")
    [anything] = await harness.tap(member.user_id, agreements, "Ja, alle")
    await harness.tap(member.user_id, anything, "Überspringen")
    assert statement.text
    return member


async def test_mydata_sends_everything_stored_about_the_person_as_json(harness: Harness) -> None:
    member = await _answered_with_text(harness)
    [document] = await harness.send(member.user_id, "/mydata")
    assert document.kind == "document" and document.filename == "netzpuls-mydata.json" and document.file
    data = json.loads(document.file)
    assert data["person"]["telegram_id"] == member.user_id and data["person"]["first_name"] == "Anna"
    assert [(m["network"], m["role"], m["organisation"]) for m in data["memberships"]] == [
        ("Netzwerk Alleinerziehende Musterstadt", "partner", "Jobcenter Musterstadt")]
    assert [c["version"] for c in data["consents"]] == [CONSENT_VERSION]
    values = {a["step_id"]: a["value"] for a in data["answers"]}
    assert values["goals_clear"] == 5 and values["goal_statement"] == STATEMENT
    [stranger_answer] = await harness.send(4242, "/mydata")
    assert stranger_answer.kind == "text" and "nichts" in stranger_answer.text


async def test_delete_erases_name_id_and_free_texts_but_keeps_anonymous_numbers(harness: Harness) -> None:
    member = await _answered_with_text(harness)
    [question] = await harness.send(member.user_id, "/delete")
    assert "nicht rückgängig" in question.text
    await harness.tap(member.user_id, question, "Nein, behalten", count=0)
    assert active_membership(harness.db, member.user_id) is not None
    [question] = await harness.send(member.user_id, "/delete")
    await harness.tap(member.user_id, question, "Ja, meine Daten löschen", count=0)
    await harness.api.wait_until(lambda: "Erledigt" in harness.api.messages(member.user_id)[-1].text)
    db = harness.db
    assert db.execute("SELECT COUNT(*) FROM users WHERE id = ? OR first_name = 'Anna'", [member.user_id]).fetchone() \
        == (0,)
    row = db.execute("SELECT user_id, left_at IS NOT NULL, left_reason FROM memberships WHERE id = ?",
                     [member.id]).fetchone()
    assert row[0] < 0 and row[1] == 1 and row[2] == "deleted"
    answers = dict(db.execute("SELECT step_id, value_json FROM answers WHERE membership_id = ?",
                              [member.id]).fetchall())
    assert answers["goals_clear"] == "5" and answers["goal_statement"] == "null"
    dump = "\n".join(str(r) for t in ("checkins", "answers", "outbox", "users") for r in db[t].rows)
    assert STATEMENT not in dump and not mentions_number(dump, member.user_id)
    [after] = await harness.send(member.user_id, "/mydata")
    assert "nichts" in after.text
    assert harness.api.menu(member.user_id) == harness.api.commands({"type": "default"}, "de")


async def test_leave_ends_membership_and_runs_the_exit_checkin(harness: Harness) -> None:
    member = await harness.partner()
    [question] = await harness.send(member.user_id, "/leave")
    await harness.tap(member.user_id, question, "Nein, bleiben", count=0)
    assert active_membership(harness.db, member.user_id) is not None
    [question] = await harness.send(member.user_id, "/leave")
    intro, first = await harness.tap(member.user_id, question, "Ja, austreten", count=2)
    assert active_membership(harness.db, member.user_id) is None
    assert "verlassen" in harness.api.messages(member.user_id)[-3].text
    assert "Schade" in intro.text and first.reply_markup is not None
    # The one who left can still answer the exit check-in; the answers go to the network.
    await _finish_exit_checkin(harness, member.user_id, first)
    stored = harness.db.execute("SELECT script_id, COUNT(*) FROM answers WHERE membership_id = ? GROUP BY script_id",
                                [member.id]).fetchall()
    assert stored and stored[0][0] == "exit_checkin" and stored[0][1] >= 1
    assert harness.db.execute("SELECT left_reason FROM memberships WHERE id = ?", [member.id]).fetchone() == ("left",)
    [after] = await harness.send(member.user_id, "/checkin")
    assert "nicht angemeldet" in after.text


async def _finish_exit_checkin(harness: Harness, user_id: int, step: SentMessage) -> None:
    """Tap the first button of every step (typing a line where a text is asked) until the outro."""
    for _ in range(8):
        if "Danke" in step.text:  # the thanks (in an anonymous network with the offer to give the answers by name)
            return
        if step.reply_markup is None:
            [step] = await harness.send(user_id, "Neue Stelle beim Landkreis")
            continue
        label = step.reply_markup["inline_keyboard"][0][0]["text"]
        [step] = await harness.tap(user_id, step, label)
    raise AssertionError("the exit check-in did not end")


async def test_last_coordinator_must_hand_over_before_leaving(harness: Harness) -> None:
    network = harness.network()
    coordinator = await harness.join(100, "Clara", harness.invite(network))
    [answer] = await harness.send(coordinator.user_id, "/leave")
    assert "/handover" in answer.text
    assert active_membership(harness.db, coordinator.user_id) is not None


async def test_a_new_consent_text_is_agreed_to_again_before_anything_else(harness: Harness) -> None:
    member = await harness.partner()
    harness.db.execute("DELETE FROM consents WHERE membership_id = ?", [member.id])
    harness.db.execute("INSERT INTO consents (membership_id, version, agreed_at) VALUES (?, 1, '2026-01-01')",
                       [member.id])
    [ask] = await harness.send(member.user_id, "/checkin")
    assert "geändert" in ask.text and "/mydata" in ask.text and ask.reply_markup is not None
    [document] = await harness.send(member.user_id, "/mydata")  # rights always pass
    assert document.kind == "document"
    await harness.tap(member.user_id, ask, "Ich stimme zu", count=0)
    versions = [v for (v,) in harness.db.execute("SELECT version FROM consents WHERE membership_id = ? ORDER BY id",
                                                 [member.id])]
    assert versions == [1, CONSENT_VERSION]
    _intro, goals = await harness.send(member.user_id, "/checkin", 2)
    assert goals.reply_markup is not None


async def test_a_new_consent_text_is_asked_at_start_and_the_round_waits_for_the_answer(harness: Harness) -> None:
    member = await harness.partner()
    joined = len(harness.api.messages(member.user_id))  # consent, language, welcome
    harness.db.execute("UPDATE consents SET version = 1 WHERE membership_id = ?", [member.id])
    await harness.restart()  # a release with a new consent text
    [ask] = await harness.api.wait_for_messages(member.user_id, 1)
    assert "geändert" in ask.text and ask.reply_markup is not None
    harness.clock.now = ROUND_OPENS
    await harness.api.wait_until(lambda: harness.db.execute(
        "SELECT COUNT(*) FROM participants WHERE membership_id = ?", [member.id]).fetchone()[0] == 1)
    await asyncio.sleep(0.3)  # several ticks: the prompt waits for the answer
    assert harness.api.messages(member.user_id)[joined:] == [ask]
    await harness.tap(member.user_id, ask, "Ich stimme zu", count=0)
    [prompt] = await harness.api.wait_for_messages(member.user_id, 1)
    assert "Jetzt starten" in str(prompt.reply_markup)
    await harness.restart()
    await asyncio.sleep(0.3)
    assert harness.api.messages(member.user_id)[-1] == prompt  # asked once per version, not at every start


async def test_the_last_coordinator_may_erase_their_data_and_the_admins_are_told(harness: Harness) -> None:
    harness.api.add_user(ADMIN_ID, "Admin", language_code="de", started=True)
    network = harness.network()
    coordinator = await harness.join(100, "Clara", harness.invite(network))
    [question] = await harness.send(coordinator.user_id, "/delete")
    await harness.tap(coordinator.user_id, question, "Ja, meine Daten löschen", count=0)
    [told] = await harness.api.wait_for_messages(ADMIN_ID, 1)
    assert f"python -m bot network invite {network}" in told.text and "Clara" not in told.text
    assert active_membership(harness.db, coordinator.user_id) is None


async def test_declining_a_new_consent_text_leaves_the_network(harness: Harness) -> None:
    member = await harness.partner()
    harness.db.execute("UPDATE consents SET version = 1 WHERE membership_id = ?", [member.id])
    [ask] = await harness.send(member.user_id, "/answers")
    await harness.tap(member.user_id, ask, "Ablehnen", count=2)
    row = harness.db.execute("SELECT left_at IS NOT NULL, left_reason FROM memberships WHERE id = ?",
                             [member.id]).fetchone()
    assert row == (1, "consent_declined")


async def test_a_replaced_contact_person_is_offered_the_exit_checkin(harness: Harness) -> None:
    network = harness.network()
    old = await harness.partner(network_id=network)
    await harness.join(502, "Bea", harness.invite(network, "Jobcenter Musterstadt"))
    [offer] = await harness.api.wait_for_messages(old.user_id, 1, timeout=10)
    assert "neue Ansprechperson" in offer.text and active_membership(harness.db, old.user_id) is None
    intro, first = await harness.tap(old.user_id, offer, "Jetzt starten", count=2)
    assert "Schade" in intro.text
    await _finish_exit_checkin(harness, old.user_id, first)
    assert harness.db.execute("SELECT COUNT(*) FROM answers WHERE membership_id = ? AND script_id = 'exit_checkin'",
                              [old.id]).fetchone()[0] >= 1
    query = harness.api.forge_callback(old.user_id, offer.message_id, "m:exit")  # only once
    answer = await harness.api.wait_for_callback_answer(query)
    assert answer.text == "Dieser Knopf ist nicht mehr gültig."
