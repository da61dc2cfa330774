"""Monthly rounds through the real bot and the local Bot API: prompts, reminders, later, pause, changes, faults."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import pytest

from localapi.server import SentMessage
from storage.people import Membership
from tests.e2e import Harness

OPENS = datetime(2027, 2, 2, 8, 0, tzinfo=UTC)  # first Tuesday of February 2027, 09:00 in Berlin
FIRST_REMINDER = datetime(2027, 2, 5, 8, 0, tzinfo=UTC)
CLOSES = datetime(2027, 2, 12, 8, 0, tzinfo=UTC)


async def _partners(harness: Harness, locales: tuple[str, ...]) -> list[Membership]:
    network = harness.network()
    return [await harness.partner(user_id=700 + n, organisation=f"Partner {n}", locale=locale, network_id=network)
            for n, locale in enumerate(locales)]


async def _prompts(harness: Harness, members: list[Membership]) -> list[SentMessage]:
    """Open the February round and collect each partner's prompt."""
    harness.clock.now = OPENS
    return [(await harness.api.wait_for_messages(m.user_id, 1))[0] for m in members]


async def _finish(harness: Harness, user: int, start: SentMessage) -> None:
    """Answer the whole check-in with high values from the prompt's Start button."""
    _intro, goals = await harness.tap(user, start, "Jetzt starten", count=2)
    outro = await harness.finish_checkin(user, goals)
    assert "Danke" in outro.text


def _labels(message: SentMessage) -> list[str]:
    """The labels of a message's first row of buttons."""
    assert message.reply_markup is not None
    return [button["text"] for button in message.reply_markup["inline_keyboard"][0]]


def _status(harness: Harness, member: Membership) -> str:
    return str(harness.db.execute("SELECT status FROM participants WHERE membership_id = ?", [member.id]).fetchone()[0])


async def test_round_opens_prompts_everyone_and_reminds_only_those_not_finished(harness: Harness) -> None:
    done, halfway, english = await _partners(harness, ("de", "de", "en"))
    prompts = await _prompts(harness, [done, halfway, english])
    assert prompts[0].text.startswith(
        "Hallo Anna! Der Check-in für Februar 2027 in „Netzwerk Alleinerziehende Musterstadt“ ist offen")
    assert "bis Freitag, 12. Februar, 9 Uhr." in prompts[0].text
    assert ("The check-in for February 2027 in \"Netzwerk Alleinerziehende Musterstadt\" is open" in prompts[2].text
            and "by Friday, 12 February, 9 am." in prompts[2].text)
    assert _labels(prompts[2]) == ["Start now", "Later"]
    await _finish(harness, done.user_id, prompts[0])
    _intro, goals = await harness.tap(halfway.user_id, prompts[1], "Jetzt starten", count=2)
    await harness.tap(halfway.user_id, goals, "2")

    harness.clock.now = FIRST_REMINDER
    [reminder] = await harness.api.wait_for_messages(halfway.user_id, 1)
    [reminder_en] = await harness.api.wait_for_messages(english.user_id, 1)
    assert ("Ihr Check-in für Februar 2027 in „Netzwerk Alleinerziehende Musterstadt“ ist noch bis Freitag,"
            " 12. Februar, 9 Uhr offen") in reminder.text
    assert "1 von 3 Partnern hat schon geantwortet." in reminder.text
    assert "1 of 3 partners has already answered." in reminder_en.text
    assert _labels(reminder_en) == ["Start now"]
    # The reminder's button continues exactly where the partner stopped: the follow-up to the low answer.
    back, current = await harness.tap(halfway.user_id, reminder, "Weiter", count=2)
    assert "Willkommen zurück" in back.text and "Was fehlt Ihnen" in current.text
    harness.clock.now = datetime(2027, 2, 9, 8, 0, tzinfo=UTC)  # day 7: the second reminder
    await harness.api.wait_for_messages(english.user_id, 1)
    harness.clock.now = CLOSES
    await harness.api.wait_until(lambda: _status(harness, english) == "missed")
    # Only the partner who took part gets the network's result when the round closes.
    [feedback] = await harness.api.wait_for_messages(done.user_id, 1)
    assert feedback.text.startswith("Was „Netzwerk Alleinerziehende Musterstadt“ im Februar 2027 gelernt hat")
    assert "1 von 3 Partnern hat geantwortet" in feedback.text
    # Joining (3), the prompt (1), the check-in (intro, 5 questions, thank-you), the result: no reminder.
    assert harness.api.sent_count(done.user_id) == 3 + 1 + 7 + 1
    kinds = harness.db.execute("SELECT kind, COUNT(*) FROM outbox GROUP BY kind ORDER BY kind").fetchall()
    # Reminders on day 3 and day 7 to the two who had not finished; no coordinator here, so no digest.
    assert kinds == [("feedback", 1), ("prompt", 3), ("reminder", 4)]
    assert [_status(harness, m) for m in (done, halfway, english)] == ["done", "missed", "missed"]


async def test_later_asks_again_the_next_working_morning(harness: Harness) -> None:
    [member] = await _partners(harness, ("de",))
    [prompt] = await _prompts(harness, [member])
    [answer] = await harness.tap(member.user_id, prompt, "Später")
    assert "am Mittwoch, 3. Februar noch einmal" in answer.text
    harness.clock.advance(hours=23, minutes=59)
    harness.clock.now = datetime(2027, 2, 3, 8, 0, tzinfo=UTC)
    [again] = await harness.api.wait_for_messages(member.user_id, 1)
    assert again.text.startswith("Wie versprochen, hier noch einmal der Check-in für Februar 2027 in „Netzwerk")
    assert "bis Freitag, 12. Februar, 9 Uhr." in again.text


async def test_paused_partner_gets_nothing_and_counts_as_excused(harness: Harness) -> None:
    paused, active = await _partners(harness, ("de", "de"))
    [question] = await harness.send(paused.user_id, "/pause")
    assert _labels(question) == ["1 Woche", "2 Wochen", "4 Wochen", "3 Monate"]
    [confirmation] = await harness.tap(paused.user_id, question, "3 Monate")
    assert confirmation.text.startswith("Pausiert bis 6. April 2027")
    await _prompts(harness, [active])
    harness.clock.now = CLOSES
    await harness.api.wait_until(lambda: _status(harness, active) == "missed")
    assert _status(harness, paused) == "excused"
    assert harness.api.new_messages(paused.user_id) == []
    [status] = await harness.send(paused.user_id, "/pause")
    assert "bis 6. April 2027 pausiert" in status.text
    [ended] = await harness.tap(paused.user_id, status, "Pause beenden")
    assert "Willkommen zurück" in ended.text


async def test_pause_until_a_typed_date_and_nonsense_dates(harness: Harness) -> None:
    [member] = await _partners(harness, ("de",))
    [bad] = await harness.send(member.user_id, "/pause irgendwann")
    assert "Bitte nennen Sie ein Datum" in bad.text
    [past] = await harness.send(member.user_id, "/pause 2026-12-01")
    assert "Bitte nennen Sie ein Datum" in past.text
    [good] = await harness.send(member.user_id, "/pause 20.02.")
    assert "Pausiert bis 20. Februar 2027" in good.text


async def test_answers_can_be_changed_until_the_round_closes_and_late_answers_are_marked(harness: Harness) -> None:
    member, latecomer = await _partners(harness, ("de", "de"))
    prompts = await _prompts(harness, [member, latecomer])
    await _finish(harness, member.user_id, prompts[0])
    [overview] = await harness.send(member.user_id, "/answers")
    assert "1. Wie klar ist Ihnen im Moment das gemeinsame Ziel des Netzwerks?\n   → 5" in overview.text
    assert "möglich bis Freitag, 12. Februar, 9 Uhr" in overview.text
    [question] = await harness.tap(member.user_id, overview, "1")
    [changed] = await harness.tap(member.user_id, question, "3")
    assert changed.text == "Geändert. Ihre neue Antwort: 3"
    rows = harness.db.execute("SELECT revision, value_json FROM answers WHERE step_id = 'goals_clear'"
                              " ORDER BY revision").fetchall()
    assert rows == [(0, "5"), (1, "3")]
    [again] = await harness.send(member.user_id, "/checkin")
    assert "schon beantwortet" in again.text

    harness.clock.now = CLOSES
    await harness.api.wait_until(lambda: _status(harness, latecomer) == "missed")
    # The round's result comes to the partner from the outbox at its own moment: let it arrive before asking.
    await harness.api.wait_until(lambda: any("gelernt hat" in (m.text or "") for m in harness.api.messages(
        member.user_id)), timeout=15, message="the round's result for the partner")
    harness.api.new_messages(member.user_id)
    [closed] = await harness.send(member.user_id, "/answers")
    assert "nicht mehr ändern" in closed.text and closed.reply_markup is None
    _intro, goals = await harness.send(latecomer.user_id, "/checkin", count=2)
    await harness.tap(latecomer.user_id, goals, "4")
    assert harness.db.execute("SELECT late FROM answers WHERE membership_id = ?", [latecomer.id]).fetchall() == [(1,)]


async def test_a_text_answer_is_changed_by_typing(harness: Harness) -> None:
    [member] = await _partners(harness, ("en",))
    [prompt] = await _prompts(harness, [member])
    _intro, goals = await harness.tap(member.user_id, prompt, "Start now", count=2)
    [statement] = await harness.tap(member.user_id, goals, "4")
    await harness.send(member.user_id, "Fewer drop-outs")
    [overview] = await harness.send(member.user_id, "/answers")
    [question] = await harness.tap(member.user_id, overview, "2")
    assert "Send your new answer as a message." in question.text
    [changed] = await harness.send(member.user_id, "More single parents in training")
    assert changed.text == "Changed. Your new answer: More single parents in training"
    values = harness.db.execute("SELECT value_json FROM answers WHERE step_id = 'goal_statement' ORDER BY revision")
    assert [json.loads(v) for (v,) in values] == ["Fewer drop-outs", "More single parents in training"]
    assert statement.message_id < changed.message_id


async def test_a_blocked_partner_is_marked_unreachable_and_the_coordinator_is_told(harness: Harness) -> None:
    network = harness.network()
    coordinator = await harness.join(800, "Carla", harness.invite(network))
    blocked = await harness.partner(user_id=801, organisation="Schuldnerberatung", network_id=network)
    harness.api.block(blocked.user_id)
    harness.clock.now = OPENS
    [notice] = await harness.api.wait_for_messages(coordinator.user_id, 1)
    assert notice.text.startswith("Schuldnerberatung in „Netzwerk Alleinerziehende Musterstadt“ ist nicht mehr "
                                  "erreichbar: Anna hat Netzpuls blockiert")
    assert harness.db.execute("SELECT unreachable_at IS NOT NULL FROM memberships WHERE id = ?",
                              [blocked.id]).fetchone() == (1,)
    assert harness.db.execute("SELECT status FROM outbox WHERE kind = 'prompt'").fetchall() == [("failed",)]
    harness.api.unblock(blocked.user_id)
    await harness.send(blocked.user_id, "/help")
    assert harness.db.execute("SELECT unreachable_at FROM memberships WHERE id = ?", [blocked.id]).fetchone() == (None,)


@pytest.mark.parametrize("seed", [3, 11])
async def test_random_faults_lose_no_prompt_and_duplicate_none(harness: Harness, seed: int) -> None:
    network = harness.network()
    members = [await harness.partner(user_id=900 + n, organisation=f"Org {n}", network_id=network)
               for n in range(10)]
    joined = {m.user_id: harness.api.sent_count(m.user_id) for m in members}
    harness.api.chaos(0.3, seed=seed, kinds=("429", "500", "502", "stall"), retry_after=1, stall_seconds=1.5)
    harness.clock.now = OPENS
    await harness.api.wait_until(lambda: all(harness.api.sent_count(u) > n for u, n in joined.items()), timeout=30)
    harness.api.chaos_off()
    assert sum(harness.api.injected.values()) > 0
    await harness.api.wait_until(lambda: harness.db.execute(
        "SELECT COUNT(*) FROM outbox WHERE status = 'sent'").fetchone() == (10,), timeout=10)
    assert {u: harness.api.sent_count(u) - n for u, n in joined.items()} == {u: 1 for u in joined}
    assert harness.db.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status").fetchall() == [("sent", 10)]


async def test_coordinator_changes_the_schedule_and_partners_cannot(harness: Harness) -> None:
    network = harness.network()
    coordinator = await harness.join(800, "Carla", harness.invite(network))
    partner = await harness.partner(user_id=801, network_id=network)
    [settings] = await harness.send(coordinator.user_id, "/settings")
    assert "Eine Runde beginnt am ersten Dienstag jedes Monats um 09:00 Uhr." in settings.text
    assert "Nächste Runde beginnt: 2. Februar 2027" in settings.text
    await harness.tap(coordinator.user_id, settings, "Wochentag", count=0)
    await harness.api.wait_until(lambda: "Donnerstag" in str(harness.api.messages(coordinator.user_id)[-1]
                                                             .reply_markup))
    await harness.tap(coordinator.user_id, harness.api.messages(coordinator.user_id)[-1], "Donnerstag", count=0)
    await harness.api.wait_until(lambda: "ersten Donnerstag" in harness.api.messages(coordinator.user_id)[-1].text)
    assert "Nächste Runde beginnt: 7. Januar 2027" in harness.api.messages(coordinator.user_id)[-1].text
    assert harness.db.execute("SELECT weekday FROM schedules WHERE network_id = ?", [network]).fetchone() == (3,)
    [refused] = await harness.send(partner.user_id, "/settings")
    assert "nur für die Netzwerkkoordination" in refused.text


async def test_a_checkin_started_before_the_round_opened_counts_for_the_round(harness: Harness) -> None:
    [member] = await _partners(harness, ("de",))
    _intro, goals = await harness.send(member.user_id, "/checkin", count=2)
    [statement] = await harness.tap(member.user_id, goals, "4")
    [prompt] = await _prompts(harness, [member])
    back, current = await harness.tap(member.user_id, prompt, "Jetzt starten", count=2)
    assert "Willkommen zurück" in back.text and current.text.startswith("Frage 2")
    [benefit] = await harness.tap(member.user_id, current, "Überspringen")
    [agreements] = await harness.tap(member.user_id, benefit, "4")
    [anything] = await harness.tap(member.user_id, agreements, "Ja, alle")
    await harness.tap(member.user_id, anything, "Überspringen")
    assert _status(harness, member) == "done"
    assert harness.db.execute("SELECT COUNT(*) FROM answers WHERE round_id IS NULL").fetchone() == (0,)
    assert statement.message_id < prompt.message_id


async def test_last_rounds_unfinished_checkin_ends_when_the_next_round_opens(harness: Harness) -> None:
    [member] = await _partners(harness, ("de",))
    [prompt] = await _prompts(harness, [member])
    _intro, goals = await harness.tap(member.user_id, prompt, "Jetzt starten", count=2)
    [statement] = await harness.tap(member.user_id, goals, "4")
    harness.clock.now = CLOSES
    await harness.api.wait_until(lambda: _status(harness, member) == "missed")
    harness.clock.now = datetime(2027, 3, 2, 8, 0, tzinfo=UTC)  # first Tuesday of March
    [march] = await harness.api.wait_for_messages(member.user_id, 1)
    intro, first = await harness.tap(member.user_id, march, "Jetzt starten", count=2)
    assert "jederzeit unterbrechen" in intro.text and first.text.startswith("Frage 1 von ")
    old = harness.api.tap(member.user_id, statement.message_id, text="Überspringen")
    assert "ist beendet" in str(await harness.api.wait_for_callback_answer(old))
    rows = harness.db.execute("SELECT status, expired_at IS NOT NULL, round_id FROM checkins ORDER BY id").fetchall()
    assert rows == [("done", 1, 1), ("open", 0, 2)]


async def test_settings_offer_only_what_fits_and_refuse_a_forged_misfit(harness: Harness) -> None:
    coordinator = await harness.join(800, "Carla", harness.invite(harness.network()))
    [settings] = await harness.send(coordinator.user_id, "/settings")
    await harness.tap(coordinator.user_id, settings, "Abschluss", count=0)
    await harness.api.wait_until(lambda: "Tagen" in str(harness.api.messages(coordinator.user_id)[-1].reply_markup))
    offered = [b["text"] for row in (harness.api.messages(coordinator.user_id)[-1].reply_markup or {})
               ["inline_keyboard"] for b in row]
    assert offered == ["nach 10 Tagen", "nach 14 Tagen", "nach 21 Tagen"]  # 7 days would close before reminder 2
    forged = harness.api.forge_callback(coordinator.user_id, settings.message_id, "s:close:7")
    assert "Das passt nicht" in str(await harness.api.wait_for_callback_answer(forged))
    assert harness.db.execute("SELECT COUNT(*) FROM schedules").fetchone() == (0,)


async def test_an_abandoned_change_does_not_swallow_later_text(harness: Harness) -> None:
    [member] = await _partners(harness, ("de",))
    [prompt] = await _prompts(harness, [member])
    await _finish(harness, member.user_id, prompt)
    [overview] = await harness.send(member.user_id, "/answers")
    [question] = await harness.tap(member.user_id, overview, "2")
    assert "Schicken Sie Ihre neue Antwort als Nachricht." in question.text
    [already] = await harness.send(member.user_id, "/checkin")
    assert "schon beantwortet" in already.text
    [reply] = await harness.send(member.user_id, "Nur eine Frage an Sie")
    assert "keine Nachricht erwartet" in reply.text
    assert harness.db.execute("SELECT MAX(revision) FROM answers").fetchone() == (0,)


async def test_a_damaged_schedule_stops_only_its_network_and_the_admin_hears_once(harness: Harness) -> None:
    [healthy] = await _partners(harness, ("de",))
    damaged = harness.network("Netzwerk mit kaputtem Zeitplan")
    harness.db.execute("INSERT INTO schedules VALUES (?, 'Mars/Olympus', NULL, 1, 9, 0, '3,7', 10, '19:00', '08:00',"
                       " 1, 1, '2027-01-01T00:00:00+00:00')", [damaged])
    harness.api.add_user(9001, "Admin", language_code="de", started=True)
    await _prompts(harness, [healthy])
    [alert] = await harness.api.wait_for_messages(9001, 1)
    assert "RoundsError" in alert.text
    await asyncio.sleep(0.5)  # ten more ticks fail the same way
    assert harness.api.new_messages(9001) == []
