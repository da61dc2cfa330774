"""End to end through the local Bot API: a contact person taps "Ich bin nicht mehr zuständig" under the round's prompt,
confirms, names who takes over and answers the exit check-in with a hand-over note; the coordinator hears at once and
makes the successor's invite with one tap; the successor joins, gets the welcome pack before the onboarding, answers
the round, and the digest counts it as a contact change, not as a partner who left and a new one."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import Settings
from bot.core.participation import membership_changes
from bot.usecases.scripts import ScriptRegistry
from localapi.server import SentMessage
from storage.goals import set_network_goal
from storage.history import load_history
from storage.people import organisation_for
from storage.reports import set_privacy
from tests.e2e import LINK_RE, NOW, ROOT, Harness, with_coaching

FEB_OPENS, FEB_CLOSES = datetime(2027, 2, 2, 8, 0, tzinfo=UTC), datetime(2027, 2, 12, 8, 0, tzinfo=UTC)
MAR_OPENS, MAR_CLOSES = datetime(2027, 3, 2, 8, 0, tzinfo=UTC), datetime(2027, 3, 12, 8, 0, tzinfo=UTC)
NETWORK = "Netz Süd"
COORDINATOR = 100
JONAS, LENA = 504, 505
SUCHT = "Suchtberatung Musterstadt"
PARTNERS = {501: ("Anna", "Jobcenter Musterstadt"), 502: ("Sabine", "Kita Sonnenschein"),
            503: ("Thomas", "Caritas Familienberatung"), JONAS: ("Jonas", SUCHT)}
GOAL = "Bis Ende 2027 finden 40 Alleinerziehende Arbeit, mit Kinderbetreuung aus einer Hand."
OWN_GOAL = "Unser eigenes Ziel: schneller Termine vergeben"  # each partner's onboarding text: never in the pack
STEP = "Fallkonferenz mit Kita Sonnenschein vorbereiten"
SUCCESSOR = "Lena Vogel, 0171 5550123"
NOTE = "Fallkonferenz jeden zweiten Dienstag; die Akte Familie K. ist noch offen."


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """The frozen monthly test script, the coaching dialog, and the shipped onboarding and exit check-ins."""
    settings = with_coaching(settings, tmp_path)
    for shipped in ("onboarding_checkin.yaml", "exit_checkin.yaml"):
        shutil.copy(ROOT / "dialogs" / shipped, settings.dialogs_dir / shipped)
    return settings


async def _onboarding(harness: Harness, user: int, step: SentMessage) -> SentMessage:
    """Answer the onboarding from its first question: the first option, two ticked where several may be, the own goal
    typed; its thanks."""
    while not step.text.startswith("Danke"):
        labels = [label for row in step.buttons() for label in row]
        if labels == ["Überspringen"]:
            [step] = await harness.send(user, OWN_GOAL)
        elif "Fertig" in labels:
            for label in (labels[0], labels[2]):
                await harness.tap(user, step, label, count=0)
            [step] = await harness.tap(user, step, "Fertig")
        else:
            [step] = await harness.tap(user, step, labels[0])
    return step


async def _join(harness: Harness, user: int, first_name: str, token: str) -> None:
    """Open the link, agree, choose German, answer the onboarding."""
    harness.api.add_user(user, first_name, language_code="de")
    [consent] = await harness.send(user, f"/start {token}")
    [language] = await harness.tap(user, consent, "Ich stimme zu")
    _welcome, step = await harness.tap(user, language, "Deutsch", count=2)  # the welcome holds the intro
    await _onboarding(harness, user, step)


async def _answer(harness: Harness, user: int, prompt: SentMessage) -> None:
    _intro, goals = await harness.tap(user, prompt, "Jetzt starten", count=2)
    await harness.finish_checkin(user, goals)


async def _quiet(harness: Harness) -> None:
    """Wait until the outbox has sent everything, then forget what arrived (it is read where it matters)."""
    await harness.api.wait_until(lambda: harness.db.execute(
        "SELECT COUNT(*) FROM outbox WHERE status IN ('queued', 'sending')").fetchone()[0] == 0, timeout=20)
    for user in (COORDINATOR, *PARTNERS, LENA):
        harness.api.new_messages(user)


async def _commit_to_step(harness: Harness) -> None:
    """The coordinator's coaching dialog after February's digest: a step that names a partner."""
    _intro, focus = await harness.send(COORDINATOR, "/coach", count=2)
    [topic] = [data for row in (focus.reply_markup or {})["inline_keyboard"] for data in
               (button["callback_data"] for button in row) if data.endswith(":factor_3")]
    harness.api.tap(COORDINATOR, focus.message_id, data=topic)
    _ideas, why = await harness.api.wait_for_messages(COORDINATOR, 2)
    [who_helps] = await harness.tap(COORDINATOR, why, "Überspringen")
    [_action] = await harness.tap(COORDINATOR, who_helps, "Überspringen")
    [with_whom] = await harness.send(COORDINATOR, STEP)
    [by_when] = await harness.tap(COORDINATOR, with_whom, "Überspringen")
    await harness.tap(COORDINATOR, by_when, "Bis zum nächsten Treffen")


async def _february(harness: Harness, network: int) -> None:
    """Everyone joins in January and answers February; the coordinator sets the goal and commits to a step."""
    await harness.join(COORDINATOR, "Clara", harness.invite(network))
    for user, (first_name, organisation) in PARTNERS.items():
        await _join(harness, user, first_name, harness.invite(network, organisation))
    set_network_goal(harness.db, network, GOAL, NOW)
    await _quiet(harness)
    harness.clock.now = FEB_OPENS
    for user in PARTNERS:
        [prompt] = await harness.api.wait_for_messages(user, 1)
        assert ["Ich bin nicht mehr zuständig"] in prompt.buttons()  # a row of its own under Start now and Later
        await _answer(harness, user, prompt)
    harness.clock.now = FEB_CLOSES
    await harness.api.wait_for_messages(COORDINATOR, 2, timeout=30)  # the digest and its chart, queued with the results
    await _quiet(harness)
    await _commit_to_step(harness)


async def test_a_contact_person_who_is_no_longer_responsible_hands_over_to_a_welcomed_successor(
        harness: Harness) -> None:
    network = harness.network(NETWORK)
    set_privacy(harness.db, network, "named", NOW)
    await _february(harness, network)
    harness.clock.now = MAR_OPENS
    prompts = {user: (await harness.api.wait_for_messages(user, 1))[0] for user in PARTNERS}

    # Jonas: no longer responsible. Are you sure? Who takes over? Then the exit check-in, with the hand-over note.
    [sure] = await harness.tap(JONAS, prompts[JONAS], "Ich bin nicht mehr zuständig")
    assert sure.text.startswith("Sicher? Dann sind Sie nicht mehr Ansprechperson von Suchtberatung Musterstadt")
    [asked] = await harness.tap(JONAS, sure, "Ja, ich bin nicht mehr zuständig")
    assert sure.text.startswith("Verstanden: Sie sind nicht mehr Ansprechperson") and sure.buttons() == []
    assert asked.text.startswith("Wer übernimmt für Suchtberatung Musterstadt?")
    assert asked.buttons() == [["Weiß ich nicht"]]
    jonas = harness.db.execute("SELECT id, left_reason FROM memberships WHERE user_id = ?", [JONAS]).fetchone()
    assert jonas[1] == "not_responsible"
    thanks, _intro, reason = await harness.send(JONAS, SUCCESSOR, count=3)
    assert thanks.text.startswith("Danke! Ich habe es an die Netzwerkkoordination weitergegeben")
    [note] = await harness.tap(JONAS, reason, "Neue Stelle oder Aufgabe")
    assert "\nWas sollte Ihre Nachfolge wissen?" in note.text  # who takes over is not asked twice
    [recommend] = await harness.send(JONAS, NOTE)
    [change] = await harness.tap(JONAS, recommend, "4")
    [outro] = await harness.tap(JONAS, change, "Überspringen")
    assert outro.text.startswith("Danke für Ihre Mitarbeit im Netzwerk")

    # The coordinator hears at once, and one tap makes the successor's invite link.
    news, left = await harness.api.wait_for_messages(COORDINATOR, 2)
    assert news.text.startswith("Jonas ist nicht mehr zuständig für Suchtberatung Musterstadt in „Netz Süd“.")
    assert f"Wer übernimmt, wie Jonas es geschrieben hat: „{SUCCESSOR}“" in news.text
    assert news.buttons() == [["Nachfolge einladen"]]
    assert left.text.startswith("Jonas ist nicht mehr zuständig für Suchtberatung Musterstadt in „Netz Süd“; "
                                "Suchtberatung Musterstadt bleibt im Netzwerk.")
    assert f"→ „{NOTE}“" in left.text  # named: the exit answers with the hand-over note
    [link] = await harness.tap(COORDINATOR, news, "Nachfolge einladen")
    assert link.text.startswith("Einladungslink für Suchtberatung Musterstadt")
    match = LINK_RE.search(link.text)
    assert match is not None
    [again] = await harness.tap(COORDINATOR, news, "Nachfolge einladen")
    assert match.group(0) in again.text  # a second tap shows the same link, no second open invite

    # Lena joins with that link: the welcome, her welcome pack, then the onboarding; then this round's check-in.
    harness.api.add_user(LENA, "Lena", language_code="de")
    [consent] = await harness.send(LENA, f"/start {match.group(2)}")
    [language] = await harness.tap(LENA, consent, "Ich stimme zu")
    await harness.api.wait_until(lambda: harness.db.execute(  # the open round takes her in (the rounds job's tick)
        "SELECT COUNT(*) FROM participants p JOIN memberships m ON m.id = p.membership_id WHERE m.user_id = ?",
        [LENA]).fetchone()[0] == 1)
    welcome, pack, result, intro, first = await harness.tap(LENA, language, "Deutsch", count=5)
    assert welcome.text.startswith("Willkommen, Lena!")
    assert pack.text.startswith("Damit Sie gut an Jonas anknüpfen können: Daran arbeitet das Netzwerk „Netz Süd“")
    assert f"🎯 Das Netzwerkziel: „{GOAL}“" in pack.text
    assert f"🤝 Jonas hat Ihnen übergeben: „{NOTE}“" in pack.text
    assert "👥 Die anderen Partner: Caritas Familienberatung, Jobcenter Musterstadt, Kita Sonnenschein" in pack.text
    assert ("Was sie einbringen (aus den Antworten von 3 Partnern beim Beitritt): Fachwissen und Beratung (3), "
            "Mitarbeit an gemeinsamen Aufgaben (3)") in pack.text
    assert ("• Fallkonferenz mit […] vorbereiten – Bis zum nächsten Treffen (vereinbart nach der Runde im Februar "
            "2027)") in pack.text  # the coordination's step, without the partner it names
    assert OWN_GOAL not in pack.text and SUCCESSOR not in pack.text
    assert result.text.startswith("📊 Das letzte Ergebnis, das alle Partner bekommen haben:\n\n"
                                  "Was das Netzwerk im Februar 2027 gelernt hat\n4 von 4 Partnern haben geantwortet")
    assert intro.text.startswith("Zum Start fünf kurze Fragen") and first.buttons()
    await _onboarding(harness, LENA, first)
    _intro, goals = await harness.api.wait_for_messages(LENA, 2)  # March's check-in follows at once
    await harness.finish_checkin(LENA, goals)
    for user in (501, 502, 503):
        await _answer(harness, user, prompts[user])

    # The digest: a contact change of the Suchtberatung, not a partner who left and a new one.
    await _quiet(harness)  # the news that Lena joined, with her onboarding answers
    harness.clock.now = MAR_CLOSES
    *texts, chart = await harness.api.wait_for_messages(COORDINATOR, 2, timeout=30)
    march = "\n".join(text.text for text in texts)
    assert chart.kind == "photo"
    assert "4 von 4 Partnern haben geantwortet" in march
    assert f"Ansprechperson gewechselt: {SUCHT}" in march
    assert "Neu dabei" not in march and "Netzwerk verlassen" not in march and "nicht mehr zuständig" not in march
    assert f"Fluktuation innerhalb der beteiligten Organisationen – {SUCHT}" in march
    history = load_history(harness.db, network, ScriptRegistry(harness.db).version)
    sucht = organisation_for(harness.db, network, SUCHT, NOW)
    assert membership_changes(history, history.rounds[-1].id) == {sucht: ["contact_changed"]}
