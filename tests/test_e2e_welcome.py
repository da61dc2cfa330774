"""Joining and starting a check-in say each thing once, over the local Bot API: one welcome (the onboarding
check-in's intro in the same message), and "Jetzt starten" under a round's prompt goes straight to the first question
after one short line instead of an intro that repeats the prompt."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import Settings
from tests.e2e import AGREE, ROOT, TEST_DIALOGS, Harness
from tests.test_e2e_checkin_time import position, prompted

INTRO = "Zeit für den kurzen Netzwerk-Check-in"  # the test script's intro (tests/dialogs/monthly_checkin.yaml)


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """The test's monthly script and the shipped onboarding check-in."""
    dialogs = tmp_path / "dialogs"
    dialogs.mkdir()
    (dialogs / "monthly_checkin.yaml").write_bytes((TEST_DIALOGS / "monthly_checkin.yaml").read_bytes())
    (dialogs / "onboarding_checkin.yaml").write_bytes((ROOT / "dialogs" / "onboarding_checkin.yaml").read_bytes())
    return replace(settings, dialogs_dir=dialogs)


async def test_joining_says_welcome_once_and_start_now_goes_straight_to_the_questions(harness: Harness) -> None:
    network = harness.network()
    harness.api.add_user(501, "Anna", language_code="de")
    [consent] = await harness.send(501, f"/start {harness.invite(network, 'Jobcenter Musterstadt')}")
    [language] = await harness.tap(501, consent, AGREE["de"])
    welcome, first = await harness.tap(501, language, "Deutsch", count=2)
    await harness.handled()
    assert harness.api.messages(501)[-1].message_id == first.message_id  # nothing came after the first question
    assert welcome.text.startswith("Willkommen, Anna! Sie sind jetzt als Ansprechperson von Jobcenter Musterstadt")
    assert "Zum Start fünf kurze Fragen" in welcome.text  # the onboarding's intro, in the same message
    since_consent = [m.text for m in harness.api.messages(501) if m.message_id > consent.message_id]
    assert sum(text.count("Willkommen") for text in since_consent) == 1
    assert position(first) == (1, 5)
    step = first
    while step.text.startswith("Frage "):  # the onboarding: the first option, "Fertig" where several may be ticked
        labels = [label for row in step.buttons() for label in row]
        if labels == ["Überspringen"]:
            [step] = await harness.send(501, "Mehr Alleinerziehende in Arbeit")
        elif "Fertig" in labels:
            await harness.tap(501, step, labels[0], count=0)
            [step] = await harness.tap(501, step, "Fertig")
        else:
            [step] = await harness.tap(501, step, labels[0])

    line, goals = await prompted(harness, 501)
    assert INTRO not in line.text and "Minuten" not in line.text  # the prompt said how long it takes
    assert line.text == "Sie können jederzeit unterbrechen; mit /checkin geht es dort weiter, wo Sie aufgehört haben."
    assert position(goals) == (1, 7)
