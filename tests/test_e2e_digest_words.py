"""End to end through the local Bot API, with a new set of personas (the long-term unemployed network of
Beispielstadt): digest day is at most three messages; the digest opens with the headline and the top three things to
do, places the partners' words under their signal and "from the network", in full; an anonymous network with fewer
than three answers shows none of them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import Settings
from localapi.objects import SentMessage
from tests.e2e import Harness, with_coaching

FEB_OPENS = datetime(2027, 2, 2, 8, 0, tzinfo=UTC)
FEB_CLOSES = datetime(2027, 2, 12, 8, 0, tzinfo=UTC)
MAR_OPENS = datetime(2027, 3, 2, 8, 0, tzinfo=UTC)
MAR_CLOSES = datetime(2027, 3, 12, 8, 0, tzinfo=UTC)
JANA = 910  # coordinates the network
EMRE, HEIKE, TOMASZ, PETRA = 811, 812, 813, 814
ORGANISATIONS = {EMRE: "Jobcenter Beispielstadt", HEIKE: "Schuldnerberatung der AWO Beispielstadt",
                 TOMASZ: "Suchthilfe Nord", PETRA: "Kita Regenbogen"}
STORY = ("Dank der Fallkonferenz im Februar hat Herr K. nach zwei Jahren wieder eine Stelle, weil Schuldner- und "
         "Suchtberatung am selben Tag Termine hatten.")
WISH = "Bitte beim nächsten Treffen die Kinderbetreuung bei Vorstellungsgesprächen klären & festhalten <wichtig>."


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """The frozen monthly test script plus the shipped coaching dialog (the digest offers coaching)."""
    return with_coaching(settings, tmp_path)


async def checkin(harness: Harness, user: int, prompt: SentMessage, benefit: str = "4", *,
                  why: str | None = None, closing: str | None = None) -> None:
    """Answer a check-in: goals 5, no goal statement, `benefit`, (its follow-up `why`), agreements kept, and the
    closing question typed (`closing`) or passed by."""
    _intro, goals = await harness.tap(user, prompt, "Jetzt starten", count=2)
    [statement] = await harness.tap(user, goals, "5")
    [benefit_question] = await harness.tap(user, statement, "Überspringen")
    [following] = await harness.tap(user, benefit_question, benefit)
    if why is not None:
        [following] = await harness.tap(user, following, why)
    [anything] = await harness.tap(user, following, "Ja, alle")
    if closing is None:
        await harness.tap(user, anything, "Überspringen")
    else:
        await harness.send(user, closing)


async def named_network(harness: Harness) -> None:
    """Jana's named network with four partners."""
    network = harness.network("Netzwerk Langzeitarbeitslose Beispielstadt")
    await harness.join(JANA, "Jana", harness.invite(network))
    [choice] = await harness.send(JANA, "/privacy")
    await harness.tap(JANA, choice, "mit Namen", count=0)
    for user, organisation in ORGANISATIONS.items():
        await harness.partner(user_id=user, organisation=organisation, network_id=network)


async def test_digest_day_is_one_digest_with_headline_words_and_buttons(harness: Harness) -> None:
    await named_network(harness)
    harness.clock.now = FEB_OPENS
    for user in ORGANISATIONS:
        [prompt] = await harness.api.wait_for_messages(user, 1)
        await checkin(harness, user, prompt)
    harness.clock.now = FEB_CLOSES
    await harness.api.wait_for_messages(JANA, 2)
    for user in ORGANISATIONS:
        await harness.api.wait_for_messages(user, 1)  # the partners' result

    harness.clock.now = MAR_OPENS
    prompts = {user: (await harness.api.wait_for_messages(user, 1))[0] for user in ORGANISATIONS}
    await checkin(harness, PETRA, prompts[PETRA], "1", why="Weniger Doppelarbeit")  # the benefit collapses: 4 → 1
    await checkin(harness, EMRE, prompts[EMRE], closing=STORY)
    await checkin(harness, HEIKE, prompts[HEIKE], closing=WISH)
    await checkin(harness, TOMASZ, prompts[TOMASZ])
    before = harness.api.sent_count(JANA)
    harness.clock.now = MAR_CLOSES
    digest, chart = await harness.api.wait_for_messages(JANA, 2)
    await harness.handled()
    assert harness.api.sent_count(JANA) - before <= 3  # digest, chart and (quarterly) map at most

    assert digest.parse_mode == "HTML" and "<b>" in digest.raw_text
    text = digest.text
    lines = text.splitlines()
    assert lines[0] == "Netzpuls-Überblick · Netzwerk Langzeitarbeitslose Beispielstadt · März 2027"
    assert lines[1] == "📊 4 von 4 Partnern haben geantwortet (100 %)."
    assert lines[2] == ("📌 Wichtigste Veränderung: Kita Regenbogen bewertet „Erkennbarer Nutzen des Netzwerks für die "
                        "einzelnen Akteure“ mit 1, vorher 4")
    todo = lines.index("Jetzt zu tun")
    assert lines[todo + 1].startswith("1. 🔴 Kita Regenbogen: ")

    # The follow-up answer stands under the signal it explains, before the signal's tip; the question once.
    signal = next(index for index, line in enumerate(lines)
                  if line.startswith("🔴 Dringend: Unklarheit über den Nutzen"))
    tip = next(index for index in range(signal, len(lines)) if lines[index].startswith("💡"))
    block = lines[signal:tip]
    assert "💬 „Was würde den Nutzen für Sie am meisten erhöhen?“" in block
    assert "   – Kita Regenbogen: Weniger Doppelarbeit" in block
    assert text.count("Was würde den Nutzen für Sie am meisten erhöhen?") == 1

    # The closing question's answers: "from the network", in full, with their organisations, escaped as text.
    network = lines.index("Aus dem Netzwerk")
    assert lines[network + 1] == "💬 „Möchten Sie der Koordination noch etwas mitgeben? (optional)“"
    assert f"   – Jobcenter Beispielstadt: „{STORY}“" in lines[network:]
    assert f"   – Schuldnerberatung der AWO Beispielstadt: „{WISH}“" in lines[network:]
    assert "&amp; festhalten &lt;wichtig&gt;" in digest.raw_text

    # Trends read as values, oldest first; the chart follows with its caption; coaching is a button on the digest.
    assert any(line.startswith("Erkennbarer Nutzen des Netzwerks für die einzelnen Akteure: 4,0 · 3,2 ↘")
               for line in lines)
    assert chart.kind == "photo" and chart.text
    buttons = [button["text"] for row in (digest.reply_markup or {}).get("inline_keyboard", []) for button in row]
    assert "Nächsten Schritt wählen" in buttons


async def test_an_anonymous_network_with_two_answers_shows_none_of_their_words(harness: Harness) -> None:
    network = harness.network("Netzwerk Jugend Beispielstadt")
    await harness.join(JANA, "Jana", harness.invite(network))
    for user, organisation in list(ORGANISATIONS.items())[:3]:
        await harness.partner(user_id=user, organisation=organisation, network_id=network)
    harness.clock.now = FEB_OPENS
    prompts = {user: (await harness.api.wait_for_messages(user, 1))[0] for user in list(ORGANISATIONS)[:3]}
    await checkin(harness, EMRE, prompts[EMRE], closing=STORY)
    await checkin(harness, HEIKE, prompts[HEIKE], "1", why="Weniger Doppelarbeit", closing=WISH)
    harness.clock.now = FEB_CLOSES
    digest, _chart = await harness.api.wait_for_messages(JANA, 2)
    assert "2 von 3 Partnern haben geantwortet" in digest.text
    assert "Hinweise aus den Antworten werden nicht gezeigt: Weniger als 3 Organisationen" in digest.text
    for words in ("Fallkonferenz", "Kinderbetreuung", "Doppelarbeit", "Aus dem Netzwerk", "Wichtigste Veränderung"):
        assert words not in digest.text
