"""A round's prompt and reminders through the real bot and the local Bot API: they name the network and the hour the
round closes, "Skip this time" excuses a partner from one round (no more reminders, not missed, prompted again next
round), stale taps change nothing, and after two missed rounds they offer /pause in words."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from localapi.server import SentMessage
from storage.people import Membership
from tests.e2e import Harness

NETWORK = "Alleinerziehende Mitte"
COORDINATOR = 800
FEB = (datetime(2027, 2, 2, 8, 0, tzinfo=UTC), datetime(2027, 2, 5, 8, 0, tzinfo=UTC),
       datetime(2027, 2, 9, 8, 0, tzinfo=UTC), datetime(2027, 2, 12, 8, 0, tzinfo=UTC))  # opens, day 3, day 7, closes
MAR = (datetime(2027, 3, 2, 8, 0, tzinfo=UTC), datetime(2027, 3, 5, 8, 0, tzinfo=UTC),
       datetime(2027, 3, 9, 8, 0, tzinfo=UTC), datetime(2027, 3, 12, 8, 0, tzinfo=UTC))
APR = (datetime(2027, 4, 6, 7, 0, tzinfo=UTC), datetime(2027, 4, 9, 7, 0, tzinfo=UTC))  # summer time: 9:00 in Berlin
WAY_OUT = "Ihre letzten 2 Check-ins sind ohne Antwort geblieben, das ist in Ordnung. Passt es gerade nicht, pausiert " \
          "/pause die Check-ins; sind Sie nicht mehr zuständig, tippen Sie auf „Ich bin nicht mehr zuständig“."


def _rows(message: SentMessage) -> list[list[str]]:
    """The labels of a message's buttons, row by row."""
    assert message.reply_markup is not None
    return [[button["text"] for button in row] for row in message.reply_markup["inline_keyboard"]]


def _data(message: SentMessage, label: str) -> str:
    """The callback data of a message's button (read before a tap removes the buttons)."""
    assert message.reply_markup is not None
    return next(str(button["callback_data"]) for row in message.reply_markup["inline_keyboard"] for button in row
                if button["text"] == label)


def _status(harness: Harness, member: Membership, period: str) -> str:
    return str(harness.db.execute("SELECT p.status FROM participants p JOIN rounds r ON r.id = p.round_id"
                                  " WHERE p.membership_id = ? AND r.period = ?", [member.id, period]).fetchone()[0])


def _reminders(harness: Harness, member: Membership) -> int:
    return int(harness.db.execute("SELECT COUNT(*) FROM outbox WHERE kind = 'reminder' AND membership_id = ?",
                                  [member.id]).fetchone()[0])


def _missed(harness: Harness, member: Membership, period: str) -> Callable[[], bool]:
    """Whether the member's check-in of a period counts as missed (the round closed without an answer)."""
    return lambda: _status(harness, member, period) == "missed"


async def _forged(harness: Harness, user_id: int, message: SentMessage, data: str) -> SentMessage:
    """A tap with `data` on a message whose buttons are gone (an old prompt tapped twice, a stale chat)."""
    harness.api.forge_callback(user_id, message.message_id, data)
    [reply] = await harness.api.wait_for_messages(user_id, 1)
    return reply


async def test_skip_this_time_excuses_one_round_without_reminders_and_the_next_round_prompts_again(
        harness: Harness) -> None:
    network = harness.network(NETWORK)
    coordinator = await harness.join(COORDINATOR, "Carla", harness.invite(network))
    skipper = await harness.partner(701, "Kita Regenbogen", network_id=network)
    other = await harness.partner(702, "Jobcenter Mitte", network_id=network)
    harness.clock.now = FEB[0]
    [prompt] = await harness.api.wait_for_messages(skipper.user_id, 1)
    [other_prompt] = await harness.api.wait_for_messages(other.user_id, 1)
    assert prompt.text == ("Hallo Anna! Der Check-in für Februar 2027 in „Alleinerziehende Mitte“ ist offen: etwa zwei "
                           "Minuten, meist ein Tipp pro Frage. Bitte antworten Sie bis Freitag, 12. Februar, 9 Uhr.")
    assert _rows(prompt) == [["Jetzt starten", "Später"], ["Diesmal aussetzen"], ["Ich bin nicht mehr zuständig"]]
    skip, later = _data(prompt, "Diesmal aussetzen"), _data(prompt, "Später")
    assert len(skip.encode()) <= 64

    [confirmation] = await harness.tap(skipper.user_id, prompt, "Diesmal aussetzen")
    assert confirmation.text == (
        "In Ordnung, Sie setzen den Check-in für Februar 2027 in „Alleinerziehende Mitte“ aus: In dieser Runde kommt "
        "keine Erinnerung mehr. Der nächste Check-in kommt wie gewohnt. Möchten Sie doch antworten, geht das mit "
        "/checkin bis Freitag, 12. Februar, 9 Uhr.")
    assert _status(harness, skipper, "2027-02") == "excused"
    # Tapped again, or "Later" on the same prompt: a clear word, and nothing changes.
    for data in (skip, later):
        stale = await _forged(harness, skipper.user_id, prompt, data)
        assert stale.text == ("Sie setzen den Check-in für Februar 2027 schon aus; es hat sich nichts geändert. Der "
                              "nächste Check-in kommt wie gewohnt.")
    assert _status(harness, skipper, "2027-02") == "excused"
    [partners] = await harness.send(coordinator.user_id, "/partners")
    assert "diese Runde: entschuldigt" in partners.text.split("• Kita Regenbogen")[1].split("•")[0]

    harness.clock.now = FEB[1]
    [reminder] = await harness.api.wait_for_messages(other.user_id, 1)
    assert reminder.text.startswith("Eine kurze Erinnerung: Ihr Check-in für Februar 2027 in „Alleinerziehende Mitte“ "
                                    "ist noch bis Freitag, 12. Februar, 9 Uhr offen.")
    assert _rows(reminder) == [["Jetzt starten"], ["Diesmal aussetzen"], ["Ich bin nicht mehr zuständig"]]
    harness.clock.now = FEB[2]
    [second] = await harness.api.wait_for_messages(other.user_id, 1)
    _intro, goals = await harness.tap(other.user_id, second, "Jetzt starten", count=2)
    await harness.finish_checkin(other.user_id, goals)
    assert _reminders(harness, skipper) == 0 and _reminders(harness, other) == 2
    harness.clock.now = FEB[3]
    *texts, chart = await harness.api.wait_for_messages(coordinator.user_id, 2)
    digest = "\n".join(text.text for text in texts)
    assert chart.kind == "photo"
    assert "1 von 1 Partnern hat geantwortet (100 %)." in digest
    assert "Entschuldigt (pausiert oder diesmal ausgesetzt): Kita Regenbogen" in digest
    assert "Keine Antwort von" not in digest
    assert _status(harness, skipper, "2027-02") == "excused"
    assert harness.api.new_messages(skipper.user_id) == []

    harness.clock.now = MAR[0]
    [march] = await harness.api.wait_for_messages(skipper.user_id, 1)
    assert march.text.startswith("Hallo Anna! Der Check-in für März 2027 in „Alleinerziehende Mitte“ ist offen")
    assert march.text.endswith("bis Freitag, 12. März, 9 Uhr.") and "/pause" not in march.text
    assert _rows(march) == [["Jetzt starten", "Später"], ["Diesmal aussetzen"], ["Ich bin nicht mehr zuständig"]]
    assert other_prompt.message_id < march.message_id


async def test_stale_skips_change_nothing_and_a_skipper_may_still_answer(harness: Harness) -> None:
    network = harness.network(NETWORK)
    answered, closed, changed_mind = [await harness.partner(710 + n, f"Partner {n}", network_id=network)
                                      for n in range(3)]
    harness.clock.now = FEB[0]
    prompts = {m.user_id: (await harness.api.wait_for_messages(m.user_id, 1))[0]
               for m in (answered, closed, changed_mind)}
    skip = _data(prompts[answered.user_id], "Diesmal aussetzen")

    _intro, goals = await harness.tap(answered.user_id, prompts[answered.user_id], "Jetzt starten", count=2)
    await harness.finish_checkin(answered.user_id, goals)
    late_tap = await _forged(harness, answered.user_id, prompts[answered.user_id], skip)
    assert late_tap.text.startswith("Sie haben den Check-in für Februar 2027 schon beantwortet, danke!")
    assert "Sie können sie bis Freitag, 12. Februar, 9 Uhr ändern." in late_tap.text
    assert _status(harness, answered, "2027-02") == "done"

    # Sitting out, then answering after all while the round is open: the answer counts.
    await harness.tap(changed_mind.user_id, prompts[changed_mind.user_id], "Diesmal aussetzen")
    _intro, goals = await harness.send(changed_mind.user_id, "/checkin", count=2)
    await harness.finish_checkin(changed_mind.user_id, goals)
    assert _status(harness, changed_mind, "2027-02") == "done"

    harness.clock.now = FEB[3]
    await harness.api.wait_until(lambda: _status(harness, closed, "2027-02") == "missed")
    after_close = await _forged(harness, closed.user_id, prompts[closed.user_id],
                                _data(prompts[closed.user_id], "Diesmal aussetzen"))
    assert after_close.text.startswith("Die Runde für Februar 2027 ist abgeschlossen.")
    assert _status(harness, closed, "2027-02") == "missed"


async def test_after_two_missed_rounds_the_prompt_and_the_reminder_offer_a_pause(harness: Harness) -> None:
    network = harness.network(NETWORK)
    silent = await harness.partner(720, "Bildungsträger Mitte", network_id=network)
    english = await harness.partner(721, "Employer Service", locale="en", network_id=network)
    for opens, *reminders, closes in (FEB, MAR):
        harness.clock.now = opens
        for member in (silent, english):
            [prompt] = await harness.api.wait_for_messages(member.user_id, 1)
            assert "/pause" not in prompt.text  # none, then one check-in missed
        for moment in reminders:
            harness.clock.now = moment
            for member in (silent, english):
                [reminder] = await harness.api.wait_for_messages(member.user_id, 1)
                assert "/pause" not in reminder.text
        harness.clock.now = closes
        await harness.api.wait_until(_missed(harness, english, opens.strftime("%Y-%m")))

    harness.clock.now = APR[0]
    [prompt] = await harness.api.wait_for_messages(silent.user_id, 1)
    assert prompt.text == (
        "Hallo Anna! Der Check-in für April 2027 in „Alleinerziehende Mitte“ ist offen: etwa zwei Minuten, meist ein "
        f"Tipp pro Frage. Bitte antworten Sie bis Freitag, 16. April, 9 Uhr.\n\n{WAY_OUT}")
    [prompt_en] = await harness.api.wait_for_messages(english.user_id, 1)
    assert prompt_en.text.endswith(
        "Please answer by Friday, 16 April, 9 am.\n\nYour last 2 check-ins went unanswered, which is fine. If now is "
        "not a good time, /pause pauses the check-ins; if you are no longer responsible, tap \"I'm no longer "
        "responsible\".")
    harness.clock.now = APR[1]
    [reminder] = await harness.api.wait_for_messages(silent.user_id, 1)
    assert reminder.text == ("Eine kurze Erinnerung: Ihr Check-in für April 2027 in „Alleinerziehende Mitte“ ist noch "
                             f"bis Freitag, 16. April, 9 Uhr offen.\n\n{WAY_OUT}")
    [pause] = await harness.send(silent.user_id, "/pause")  # the way out works as the words say
    assert pause.text.startswith("Wie lange soll ich Ihre Check-ins und Erinnerungen pausieren?")
