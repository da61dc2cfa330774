"""End to end through the local Bot API: after the digest the coordinator takes the coaching dialog and commits to a
step; a month later the bot asks how it went, shows it beside the factor's trend, and /actions lists it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import Settings
from tests.e2e import Harness, with_coaching

FEB_OPENS = datetime(2027, 2, 2, 8, 0, tzinfo=UTC)
FEB_CLOSES = datetime(2027, 2, 12, 8, 0, tzinfo=UTC)
MAR_OPENS = datetime(2027, 3, 2, 8, 0, tzinfo=UTC)
MAR_CLOSES = datetime(2027, 3, 12, 8, 0, tzinfo=UTC)
COORDINATOR = 900
PARTNERS = (701, 702, 703)
STEP = "Bei der Fallkonferenz jeden Partner um ein Beispiel bitten, wo das Netzwerk geholfen hat"


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """The frozen monthly test script plus the shipped coaching dialog."""
    return with_coaching(settings, tmp_path)


async def round_of_checkins(harness: Harness, benefit: str, waiting: int = 1) -> None:
    """Every partner answers the round's check-in; the first one rates the benefit `benefit` (1-5). `waiting`: the
    messages before the prompt (last month's result, then the prompt)."""
    for n, user in enumerate(PARTNERS):
        *_result, prompt = await harness.api.wait_for_messages(user, waiting)
        _intro, goals = await harness.tap(user, prompt, "Jetzt starten", count=2)
        if n or benefit == "4":
            await harness.finish_checkin(user, goals)
            continue
        [statement] = await harness.tap(user, goals, "5")
        [question] = await harness.tap(user, statement, "Überspringen")
        [why] = await harness.tap(user, question, benefit)
        [agreements] = await harness.tap(user, why, "Weniger Doppelarbeit")
        [anything] = await harness.tap(user, agreements, "Ja, alle")
        await harness.tap(user, anything, "Überspringen")


async def test_coaching_after_the_digest_and_the_follow_up_a_month_later(harness: Harness) -> None:
    network = harness.network()
    await harness.join(COORDINATOR, "Clara", harness.invite(network))
    for n, user in enumerate(PARTNERS):
        await harness.partner(user_id=user, organisation=f"Träger {n}", network_id=network)
    harness.clock.now = FEB_OPENS
    await round_of_checkins(harness, "4")
    harness.clock.now = FEB_CLOSES
    digest, _chart = await harness.api.wait_for_messages(COORDINATOR, 2)  # coaching is a button on the digest
    assert digest.text.startswith("Netzpuls-Überblick")

    intro, focus = await harness.tap(COORDINATOR, digest, "Nächsten Schritt wählen", count=2)
    assert intro.text.startswith("Zum Monatsüberblick")
    assert focus.reply_markup is not None and len(focus.reply_markup["inline_keyboard"]) == 11  # no signals: factors
    harness.api.tap(COORDINATOR, focus.message_id, data="k:1:focus:factor_3")
    ideas, why = await harness.api.wait_for_messages(COORDINATOR, 2)
    assert ideas.text.startswith("Ideen zu „Erkennbarer Nutzen") and "nächsten Treffen" in ideas.text
    [who_helps] = await harness.tap(COORDINATOR, why, "Überspringen")
    [action] = await harness.tap(COORDINATOR, who_helps, "Überspringen")
    [_with_whom] = await harness.send(COORDINATOR, STEP)
    [by_when] = await harness.send(COORDINATOR, "Jugendamt und Kita")
    [outro] = await harness.tap(COORDINATOR, by_when, "Bis zum nächsten Treffen")
    assert outro.text.startswith("Notiert.")
    assert "focus" not in action.text
    assert harness.db.execute("SELECT topic, factor, what, with_whom, due, outcome FROM actions").fetchall() == [
        ("factor_3", 3, STEP, "Jugendamt und Kita", "next_meeting", None)]

    harness.clock.now = MAR_OPENS
    await round_of_checkins(harness, "2", waiting=2)
    harness.clock.now = MAR_CLOSES
    march, _chart = await harness.api.wait_for_messages(COORDINATOR, 2)
    lines = march.text.splitlines()
    review = lines.index("Ihre Schritte aus dem letzten Monat")
    assert lines[review + 1] == (f"{STEP} – offen; "
                                 "Erkennbarer Nutzen des Netzwerks für die einzelnen Akteure: 4,0 · 3,3 ↘")
    buttons = [row[0]["text"] for row in (march.reply_markup or {})["inline_keyboard"]]
    assert buttons == ["Wie lief es: Bei der Fallkonferenz jeden Partner um…", "Nächsten Schritt wählen"]
    [follow_up] = await harness.tap(COORDINATOR, march, buttons[0])
    assert follow_up.text.startswith(f"Sie hatten sich vorgenommen: {STEP}")
    [ask] = await harness.tap(COORDINATOR, follow_up, "teilweise erledigt")
    assert ask.text.startswith("Danke! Eine Zeile dazu")
    [noted] = await harness.send(COORDINATOR, "Zwei Partner hatten Beispiele, einer fehlte.")
    assert noted.text.startswith("Danke, notiert.")
    [listing] = await harness.send(COORDINATOR, "/actions")
    assert f"{STEP} [teilweise erledigt] – „Zwei Partner hatten Beispiele, einer fehlte.“" in listing.text
    query = harness.api.forge_callback(COORDINATOR, follow_up.message_id, "k:o:1:done")  # a stale second answer
    await harness.api.wait_for_callback_answer(query)
    assert harness.db.execute("SELECT outcome FROM actions").fetchone()[0] == "partly"
