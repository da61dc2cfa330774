"""Consent that says what applies, over the local Bot API: the text names the network's setting, the controller, the
data-protection contact and Telegram; a switch of the setting asks every partner again, and a partner who has not
agreed yet gets no prompt and is excused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.consent import CONSENT_VERSION
from tests.e2e import TEST_CONTROLLER, TEST_PRIVACY_CONTACT, Harness

COORDINATOR = 100
ANNA, BEN, CARLA = 501, 502, 503
ROUND_OPENS = datetime(2027, 2, 2, 8, 0, tzinfo=UTC)  # the first Tuesday of February, 09:00 in Berlin
ROUND_CLOSES = ROUND_OPENS + timedelta(days=10)
TELEGRAM_POLICY = "https://telegram.org/privacy"


async def _switch_to_named(harness: Harness) -> None:
    [choice] = await harness.send(COORDINATOR, "/privacy")
    await harness.tap(COORDINATOR, choice, "mit Namen", count=0)


def _consents(harness: Harness, user_id: int) -> list[tuple[int, str]]:
    return harness.db.execute("SELECT c.version, c.privacy FROM consents c JOIN memberships m ON m.id ="
                              " c.membership_id WHERE m.user_id = ? ORDER BY c.id", [user_id]).fetchall()


def _status(harness: Harness, user_id: int) -> str | None:
    row = harness.db.execute("SELECT p.status FROM participants p JOIN memberships m ON m.id = p.membership_id"
                             " WHERE m.user_id = ?", [user_id]).fetchone()
    return None if row is None else str(row[0])


async def test_the_consent_text_names_the_setting_the_controller_and_telegram(harness: Harness) -> None:
    network = harness.network()
    await harness.join(COORDINATOR, "Clara", harness.invite(network))
    harness.api.add_user(ANNA, "Anna", language_code="de")
    [anonymous] = await harness.send(ANNA, f"/start {harness.invite(network, 'Jobcenter Musterstadt')}")
    assert "Dieses Netzwerk ist auf „anonym“ eingestellt" in anonymous.text
    assert "je nach Einstellung" not in anonymous.text and "„mit Namen“ eingestellt" not in anonymous.text
    assert f"Verantwortlich für Ihre Daten (Verantwortlicher nach DSGVO): {TEST_CONTROLLER}." in anonymous.text
    assert f"Ansprechperson für Datenschutz: {TEST_PRIVACY_CONTACT}." in anonymous.text
    assert "Unsere Nachrichten laufen über Telegram" in anonymous.text and TELEGRAM_POLICY in anonymous.text
    assert max(len(paragraph) for paragraph in anonymous.text.split("\n\n")) < 400  # short paragraphs on a phone

    await _switch_to_named(harness)
    harness.api.add_user(BEN, "Ben", language_code="en")
    [named] = await harness.send(BEN, f"/start {harness.invite(network, 'Jugendamt')}")
    assert "This network is set to \"named\"" in named.text and "\"anonymous\"" not in named.text
    assert f"Responsible for your data (the controller under the GDPR): {TEST_CONTROLLER}." in named.text
    assert f"Data protection contact: {TEST_PRIVACY_CONTACT}." in named.text and TELEGRAM_POLICY in named.text
    await harness.tap(BEN, named, "I agree")
    assert _consents(harness, BEN) == [(CONSENT_VERSION, "named")]


async def test_a_privacy_switch_asks_again_and_keeps_the_partner_excused_until_they_agree(harness: Harness) -> None:
    network = harness.network()
    await harness.join(COORDINATOR, "Clara", harness.invite(network))
    for user, organisation in ((ANNA, "Jobcenter"), (BEN, "Jugendamt"), (CARLA, "Kita Sonnenschein")):
        await harness.partner(user_id=user, organisation=organisation, network_id=network)
    before = len(harness.api.messages(COORDINATOR))

    await _switch_to_named(harness)
    asked = {user: (await harness.api.wait_for_messages(user, 1))[0] for user in (ANNA, BEN, CARLA)}
    for question in asked.values():
        assert question.text.startswith("Ein Hinweis zum Datenschutz in „Netzwerk Alleinerziehende Musterstadt“: Ab "
                                        "der nächsten Check-in-Runde sieht die Koordination")
        assert "Dieses Netzwerk ist auf „mit Namen“ eingestellt" in question.text and TELEGRAM_POLICY in question.text
        assert question.buttons() == [["Ich stimme zu", "Ablehnen"]]
    assert _consents(harness, COORDINATOR)[-1] == (CONSENT_VERSION, "named")  # who switched agreed by switching
    assert len(harness.api.messages(COORDINATOR)) == before + 1  # the /privacy answer only: no question to them
    await harness.tap(ANNA, asked[ANNA], "Ich stimme zu", count=0)
    assert _consents(harness, ANNA) == [(CONSENT_VERSION, "anonymous"), (CONSENT_VERSION, "named")]

    harness.clock.now = ROUND_OPENS
    [prompt] = await harness.api.wait_for_messages(ANNA, 1)
    assert "Jetzt starten" in str(prompt.reply_markup)
    await harness.api.wait_until(lambda: _status(harness, BEN) == "pending" and _status(harness, CARLA) == "pending")
    await harness.handled()
    prompts = harness.db.execute("SELECT COUNT(*) FROM outbox o JOIN memberships m ON m.id = o.membership_id"
                                 " WHERE m.user_id IN (?, ?) AND o.kind IN ('prompt', 'reminder')", [BEN, CARLA])
    assert prompts.fetchone()[0] == 0
    [again] = await harness.send(BEN, "/checkin")  # no check-in before agreeing: the question comes again
    assert again.text.startswith("Ein Hinweis zum Datenschutz") and again.buttons() == [["Ich stimme zu", "Ablehnen"]]
    assert harness.db.execute("SELECT COUNT(*) FROM checkins").fetchone()[0] == 0

    await harness.tap(BEN, again, "Ich stimme zu", count=0)
    [ben_prompt] = await harness.api.wait_for_messages(BEN, 1)  # agreed: prompted in the round under way
    assert "Jetzt starten" in str(ben_prompt.reply_markup)
    harness.clock.now = ROUND_CLOSES
    await harness.api.wait_until(lambda: harness.db.execute(
        "SELECT COUNT(*) FROM rounds WHERE status = 'closed'").fetchone()[0] == 1)
    assert (_status(harness, CARLA), _status(harness, BEN)) == ("excused", "missed")
    assert not [m for m in harness.api.messages(CARLA) if "Jetzt starten" in str(m.reply_markup)]


async def test_a_consent_shown_before_the_switch_is_shown_again_as_it_applies_now(harness: Harness) -> None:
    network = harness.network()
    await harness.join(COORDINATOR, "Clara", harness.invite(network))
    harness.api.add_user(ANNA, "Anna", language_code="de")
    [shown] = await harness.send(ANNA, f"/start {harness.invite(network, 'Jobcenter')}")
    assert "„anonym“ eingestellt" in shown.text
    await _switch_to_named(harness)
    [now] = await harness.tap(ANNA, shown, "Ich stimme zu")  # agreed to "anonymous": not what applies any more
    assert "„mit Namen“ eingestellt" in now.text and _consents(harness, ANNA) == []
    [language] = await harness.tap(ANNA, now, "Ich stimme zu")
    assert language.buttons() == [["Deutsch", "English"]]
    assert _consents(harness, ANNA) == [(CONSENT_VERSION, "named")]


async def test_a_renewal_button_of_an_older_text_asks_with_the_text_in_use(harness: Harness) -> None:
    member = await harness.partner(user_id=ANNA)
    harness.db.execute("UPDATE consents SET version = ? WHERE membership_id = ?", [CONSENT_VERSION - 1, member.id])
    [question] = await harness.send(ANNA, "/checkin")
    assert question.text.startswith("Die Einwilligungserklärung von Netzpuls hat sich geändert")
    query = harness.api.forge_callback(ANNA, question.message_id, "m:agree")  # as buttons said before they named
    answer = await harness.api.wait_for_callback_answer(query)
    assert answer.text == "Die Einwilligungserklärung hat sich inzwischen geändert. Bitte lesen Sie sie noch einmal."
    [asked] = await harness.api.wait_for_messages(ANNA, 1)
    assert asked.text.startswith("Die Einwilligungserklärung von Netzpuls hat sich geändert")
    assert [v for v, _p in _consents(harness, ANNA)] == [CONSENT_VERSION - 1]
    await harness.tap(ANNA, asked, "Ich stimme zu", count=0)
    assert _consents(harness, ANNA)[-1] == (CONSENT_VERSION, "anonymous")
