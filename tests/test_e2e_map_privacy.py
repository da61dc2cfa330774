"""End to end with the shipped check-in (rotation, the partners step in round 1): in an anonymous network the quarter's
network map shows nothing when fewer than three partners answered who they worked with, and shows the map when three
did; the check-in's new questions (clear tasks) are answered and measured."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.config import Settings
from localapi.server import SentMessage
from tests.e2e import ROOT, Harness

COORDINATOR = 820
PARTNERS = {821: "Tafel Süd", 822: "Sozialkaufhaus Süd", 823: "Stadtteilbüro Süd", 824: "Sprachcafé Süd"}
OPENS, CLOSES = datetime(2027, 2, 2, 8, 0, tzinfo=UTC), datetime(2027, 2, 12, 8, 0, tzinfo=UTC)
CONTROL = {"Fertig", "Keine davon", "Überspringen", "Weiter"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shipped scripts: the monthly check-in with its rotation (round 1 asks who worked with whom)."""
    return replace(settings, dialogs_dir=ROOT / "dialogs")


async def _with_buttons(harness: Harness, user: int, label: str | None = None) -> SentMessage:
    """The newest message in the user's chat with a button of this label (None: the first question of a check-in),
    once it is there."""

    def found() -> list[SentMessage]:
        return [m for m in harness.api.messages(user) if m.reply_markup and m.reply_markup["inline_keyboard"]
                and (m.text.startswith("Frage 1 von ") if label is None else any(
                    b["text"] == label for row in m.reply_markup["inline_keyboard"] for b in row))]

    await harness.api.wait_until(lambda: bool(found()), message=f"a message with buttons for {user}")
    harness.api.new_messages(user)  # what came before it is read
    return found()[-1]


async def _answer_everything(harness: Harness, user: int, message: SentMessage) -> list[str]:
    """Walk a whole check-in from its first question: 4 on a scale, the first option of a choice, the first
    partner on the partners step, skip texts; the questions' texts, in order."""
    asked = []
    while message.reply_markup and not message.text.startswith("Danke"):  # the thanks may offer buttons of its own
        asked.append(message.text)
        labels = [button["text"] for row in message.reply_markup["inline_keyboard"] for button in row]
        if "4" in labels:
            [message] = await harness.tap(user, message, "4")
        elif "Keine davon" in labels or "Fertig" in labels:  # several answers: tick the first, then finish
            await harness.tap(user, message, next(label for label in labels if label not in CONTROL), count=0)
            [message] = await harness.tap(user, message, "Fertig")
        elif "Überspringen" in labels:
            [message] = await harness.tap(user, message, "Überspringen")
        else:
            [message] = await harness.tap(user, message, labels[0])
    assert message.text.startswith("Danke, Ihre Antworten sind gespeichert")
    return asked


async def _round_checkin(harness: Harness, user: int) -> list[str]:
    prompt = await _with_buttons(harness, user, "Jetzt starten")
    _intro, first = await harness.tap(user, prompt, "Jetzt starten", count=2)
    return await _answer_everything(harness, user, first)


@pytest.mark.parametrize("answering", [1, 3])
async def test_the_map_needs_three_answering_partners_in_an_anonymous_network(harness: Harness,
                                                                              answering: int) -> None:
    network = harness.network("Quartiersnetz Süd")
    await harness.join(COORDINATOR, "Nora", harness.invite(network))
    for user, organisation in PARTNERS.items():
        await harness.join(user, organisation.split()[0], harness.invite(network, organisation))
        await _answer_everything(harness, user, await _with_buttons(harness, user))  # the onboarding check-in
    harness.clock.now = OPENS
    for user in list(PARTNERS)[:answering]:
        asked = await _round_checkin(harness, user)
        assert any("wer welche Aufgabe übernimmt" in text for text in asked)  # round 1: clear tasks, measured
    harness.clock.now = CLOSES
    await harness.api.wait_until(lambda: harness.db.execute(
        "SELECT COUNT(*) FROM outbox WHERE kind = 'map' AND status = 'sent'").fetchone()[0] == 1,
        timeout=20)  # one message a second to a chat: each partner's joining came to the coordinator before
    [message] = [m for m in harness.api.messages(COORDINATOR) if m.text.startswith("Netzwerkkarte")]  # one message
    if answering < 3:
        assert message.kind == "text"
        assert "Weniger als 3 Partner haben die Frage zur Zusammenarbeit beantwortet" in message.text
        assert not any(name in message.text for name in PARTNERS.values())  # not the one cooperation, not "no answer"
    else:
        assert message.kind == "photo"  # the picture, its summary as caption
        assert message.text.startswith("Netzwerkkarte Februar 2027\nGenannte Kooperationen:")
        assert "keine Antwort" not in message.text  # who did not answer stays unsaid in an anonymous network
    digest = next(m.text for m in harness.api.messages(COORDINATOR) if m.text.startswith("Netzpuls-Überblick"))
    assert ("Klare Aufgabenstrukturen: 4,0" in digest) is (answering >= 3)
