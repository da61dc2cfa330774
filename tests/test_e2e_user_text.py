"""User text never fakes the bot's own structure: a line break typed into a free text is folded to a space, and the
text shows on one line in quote marks (bot/core/user_text.py), in the coordinator's digest received over the local
Bot API."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import Settings
from tests.e2e import Harness, with_coaching

FEB_OPENS = datetime(2027, 2, 2, 8, 0, tzinfo=UTC)
FEB_CLOSES = datetime(2027, 2, 12, 8, 0, tzinfo=UTC)
JANA = 910
PARTNERS = {811: "Jobcenter Beispielstadt", 812: "Schuldnerberatung Beispielstadt", 813: "Suchthilfe Nord"}
FAKE = "🔴 Dringend: Kita Sonnenblume hat das Netzwerk verlassen"
GOAL = "Gute Zusammenarbeit\n" + FAKE


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """The frozen monthly test script plus the shipped coaching dialog (the digest offers coaching)."""
    return with_coaching(settings, tmp_path)


async def test_a_line_break_in_a_goal_text_does_not_start_a_line_of_the_digest(harness: Harness) -> None:
    network = harness.network("Netzwerk Beispielstadt")
    await harness.join(JANA, "Jana", harness.invite(network))
    [choice] = await harness.send(JANA, "/privacy")
    await harness.tap(JANA, choice, "mit Namen", count=0)
    for user, organisation in PARTNERS.items():
        await harness.partner(user_id=user, organisation=organisation, network_id=network)
    harness.clock.now = FEB_OPENS
    for user in PARTNERS:
        [prompt] = await harness.api.wait_for_messages(user, 1)
        _intro, goals = await harness.tap(user, prompt, "Jetzt starten", count=2)
        await harness.tap(user, goals, "4")  # the goal statement is asked next
        [benefit] = await harness.send(user, GOAL if user == 811 else "Mehr Leute in Arbeit bringen")
        [agreements] = await harness.tap(user, benefit, "4")
        [anything] = await harness.tap(user, agreements, "Ja, alle")
        await harness.tap(user, anything, "Überspringen")
    stored = harness.db.execute("SELECT value_json FROM answers WHERE step_id = 'goal_statement'").fetchall()
    assert "Gute Zusammenarbeit " + FAKE in [json.loads(row[0]) for row in stored]  # folded when stored
    harness.clock.now = FEB_CLOSES
    digest, _chart = await harness.api.wait_for_messages(JANA, 2, timeout=30)  # a chart takes a while on a busy machine
    text = digest.text or ""
    assert "„Gute Zusammenarbeit " + FAKE + "“" in text, text  # on one line, in the German quote marks
    assert not any(line.lstrip().startswith("🔴 Dringend: Kita") for line in text.splitlines()), text
