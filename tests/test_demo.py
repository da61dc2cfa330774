"""The offline demo, run once: the files it leaves, the signals its personas cause (and no others), the digests'
German topics, the transcripts; and `python -m bot run` without a token on a terminal,
which plays it."""

from __future__ import annotations

import asyncio
import os
import pty
import re
import sqlite3
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.core.digest.names import SEVERITY_MARKERS, factor_name
from bot.demo.personas import EXPECTED_SIGNALS, PARTNERS, everyone
from bot.demo.report import RoundOutcome
from bot.demo.runner import Demo, DemoResult, coordinator_turn, run_demo
from bot.i18n import Catalogs
from tests.e2e import ROOT

# The digest's German topic of each signal the personas are built to cause.
TOPICS = {
    "vague_goals": "Keine gemeinsam geteilten oder nur vage formulierte Ziele",
    "low_goal_clarity": "Keine gemeinsam geteilten oder nur vage formulierte Ziele",
    "unclear_benefit": "Unklarheit über den Nutzen",
    "fluctuation": "Fluktuation innerhalb der beteiligten Organisationen",
    "fading_engagement": "Nachlassendes Engagement",
}


@dataclass
class Played:
    """One run of the demo: its result, its progress lines, the rounds the coaching hook saw."""

    result: DemoResult
    lines: list[str]
    coached: list[int]


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Played]:
    """The demo, played once for all tests of this module."""
    lines: list[str] = []
    coached: list[int] = []

    async def coaching(demo: Demo, outcome: RoundOutcome) -> None:
        coached.append(outcome.number)
        await coordinator_turn(demo, outcome)  # the demo's own turn: how last month went, then /coach

    output = tmp_path_factory.mktemp("demo") / "demo-output"
    result = asyncio.run(run_demo(output, 4, say=lines.append, coaching=coaching))
    yield Played(result, lines, coached)


def digest_topics(text: str) -> set[str]:
    """The topics of the signal headings in a digest ("🟠 Warnung: <topic> – <organisation>")."""
    markers = tuple(SEVERITY_MARKERS.values())
    return {line.split(": ", 1)[1].split(" – ")[0] for line in text.splitlines() if line.startswith(markers)}


def test_the_demo_leaves_transcripts_digests_charts_and_a_readme(played: Played) -> None:
    output = played.result.output
    assert {path.name for path in (output / "transcripts").iterdir()} == {f"{p.file_stem}.txt" for p in everyone()}
    assert sorted(path.name for path in (output / "digests").iterdir()) == [
        "1-2027-01.txt", "2-2027-02.txt", "3-2027-03.txt", "4-2027-04.txt"]
    for outcome in played.result.rounds:
        assert outcome.chart_path is not None and outcome.chart_path.read_bytes().startswith(b"\x89PNG")
        assert outcome.digest_path.read_text(encoding="utf-8").startswith(
            f"Netzpuls-Überblick · Netzwerk Alleinerziehende Musterstadt · {outcome.month}")
    readme = (output / "README.txt").read_text(encoding="utf-8")
    assert "transcripts/" in readme and "3 März 2027 (9 of 10 answered): " in readme
    assert (output / "netzpuls-demo.db").is_file()
    assert (output / "report.pdf").read_bytes().startswith(b"%PDF") and "report.pdf" in readme  # /report at the end
    assert played.coached == [1, 2, 3, 4]  # the coaching hook's turn after each digest


def test_each_round_has_exactly_the_signals_the_personas_cause(played: Played) -> None:
    assert {outcome.number: outcome.rules for outcome in played.result.rounds} == EXPECTED_SIGNALS
    by_rule = {(outcome.number, line.rule): line.organisations for outcome in played.result.rounds
               for line in outcome.signals}
    assert by_rule[(1, "vague_goals")] == ("AWO Kreisverband Musterstadt",)
    assert by_rule[(3, "unclear_benefit")] == ("Kita Sonnenschein",)
    assert by_rule[(3, "fluctuation")] == ("Suchtberatung Musterstadt",)
    assert by_rule[(4, "fading_engagement")] == ("Bildungsträger Perspektive gGmbH",)
    assert [outcome.answered for outcome in played.result.rounds] == [10, 9, 9, 9]


def test_each_digest_names_the_intended_topics_and_no_others(played: Played) -> None:
    for outcome in played.result.rounds:
        text = outcome.digest_path.read_text(encoding="utf-8")
        assert digest_topics(text) == {TOPICS[rule] for rule in EXPECTED_SIGNALS[outcome.number]}, outcome.month
        if "vague_goals" in EXPECTED_SIGNALS[outcome.number]:
            assert "AWO Kreisverband Musterstadt" in text  # the network shows names (/privacy: named)
    march = played.result.rounds[2].digest_path.read_text(encoding="utf-8")
    assert "Kita Sonnenschein" in march and "Bildungsträger Perspektive gGmbH: hat 2 Check-ins in Folge verpasst" \
        in march
    assert "Ansprechperson gewechselt: Suchtberatung Musterstadt" in march  # a contact change, counted as one
    assert "Netzwerk verlassen" not in march and "Neu dabei" not in march


def test_every_success_factor_has_a_level_once_each_module_was_asked(played: Played) -> None:
    _ = Catalogs(ROOT / "locales").gettext("de")
    for outcome in played.result.rounds:
        text = outcome.digest_path.read_text(encoding="utf-8")
        unmeasured = next((line for line in text.splitlines() if line.startswith("Noch nicht gemessen: ")), "")
        for factor in range(1, 12):
            line = next((line for line in text.splitlines() if line.startswith(factor_name(factor, _) + ": ")), "")
            measured = re.match(r".*: \d,\d", line) is not None
            assert measured or factor_name(factor, _) in unmeasured, (outcome.month, factor)
            assert measured or outcome.number < 3, line  # rounds 1-3 ask every module once
    april = played.result.rounds[3].digest_path.read_text(encoding="utf-8")
    assert "Klarer Fokus auf Zielgruppe: 4,1 (gemessen im Feb.;" in april  # a rotating factor at its last round


def test_transcripts_show_what_the_partners_answered(played: Played) -> None:
    folder = played.result.output / "transcripts"

    def transcript(stem: str) -> str:
        return (folder / f"{stem}.txt").read_text(encoding="utf-8")

    awo = transcript("awo-monika")
    assert "Monika: Irgendwie besser zusammenarbeiten, mal schauen." in awo and "Monika: [3]" in awo
    jobcenter = transcript("jobcenter-anna")
    assert "Anna: Bis Ende 2027 vermitteln wir 40 Alleinerziehende" in jobcenter
    assert "--- 05.01.2027 ---" in jobcenter and "Bot: Frage 1" in jobcenter and "[Jetzt starten] [Später]" in jobcenter
    kita = transcript("kita-sabine")
    assert "Sabine: [5]" in kita and "Sabine: [1]" in kita and "Sabine: [Weniger Aufwand, z. B. für Treffen]" in kita
    assert transcript("bildungstraeger-daniel").count("Daniel: [Jetzt starten]") == 1  # silent after January
    assert "Eine kurze Erinnerung" in transcript("bildungstraeger-daniel")
    # At March's prompt Jonas is no longer responsible and names Lena; the coordinator invites her with one tap; she
    # joins, reads her welcome pack, answers the onboarding and March's check-in.
    jonas, lena = transcript("suchtberatung-jonas"), transcript("suchtberatung-lena")
    buttons = "[Jetzt starten] [Später]\n            [Diesmal aussetzen]\n            [Ich bin nicht mehr zuständig]"
    assert buttons in jonas
    assert "Jonas: [Ich bin nicht mehr zuständig]" in jonas and "Jonas: [Ja, ich bin nicht mehr zuständig]" in jonas
    assert "Jonas: Lena Vogel, lena.vogel@suchtberatung-musterstadt.de" in jonas
    assert "Was sollte Ihre Nachfolge wissen?" in jonas and "--- 06.04.2027 ---" not in jonas
    assert "Lena: /start " in lena and "Lena: [Nein]" in lena
    assert "Damit Sie gut an Jonas anknüpfen können" in lena and "🤝 Jonas hat Ihnen übergeben: „Offene Fälle" in lena
    assert "🎯 Das Netzwerkziel: „Bis Ende 2027 finden 150 Alleinerziehende" in lena
    first_question = lena.index("Wie klar ist Ihnen im Moment das gemeinsame Ziel")  # March's check-in, after it all
    assert lena.index("📊 Das letzte Ergebnis") < lena.index("Zum Start fünf kurze Fragen") < first_question
    coordinator = transcript("koordination-clara")
    assert all(f"Clara: /invite {persona.organisation}" in coordinator for persona in PARTNERS)
    assert "Bot: Jonas ist nicht mehr zuständig für Suchtberatung Musterstadt" in coordinator
    assert "Clara: [Nachfolge einladen]" in coordinator and "Als Nachfolge genannt: „Lena Vogel" in coordinator
    assert "[picture: charts/1-2027-01.png]" in coordinator
    # After each digest the coordinator commits to one step; from the second month on says how the last one went.
    assert coordinator.count("Notiert. Nächsten Monat frage ich nach") == 4
    assert coordinator.count("Clara: [teilweise erledigt]") == 3
    assert "Ideen zu „Unklarheit über den Nutzen“" in coordinator


def test_progress_lines_tell_each_round(played: Played) -> None:
    text = "\n".join(played.lines)
    assert "Round 2/4 (Februar 2027): opened, 10 prompts sent; 8 of 10 answered" in text
    assert "Round 2/4 (Februar 2027): reminder 1 to 2 partner(s); 9 of 10 answered" in text
    assert "Suchtberatung Musterstadt: Jonas Richter hands over to Lena Vogel" in text
    assert "Round 4/4 (April 2027): closed" in played.lines[-2]
    assert "the coordinator asked for the report of the 4 months (/report): report.pdf" in played.lines[-1]


async def test_run_without_a_token_on_a_terminal_says_how_to_get_one_then_plays_the_demo(tmp_path: Path) -> None:
    """bin/run's promise to a newcomer at a terminal (stdin a pty); without one, `run` stops instead (test_cli)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "NETZPULS_"))}
    env.update(PYTHONPATH=str(ROOT), NETZPULS_ENV_FILE=str(tmp_path / "no.env"))
    controller, terminal = pty.openpty()
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env, stdin=terminal,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        # The timeout only guards against a hang: the demo took 83 s on two busy cores.
        out, err = await asyncio.wait_for(process.communicate(), timeout=300)
    finally:
        os.close(terminal)
        os.close(controller)
    assert process.returncode == 0, err.decode()
    assert "@BotFather" in err.decode() and "TELEGRAM_BOT_TOKEN=" in err.decode()
    assert "Round 1/4 (Januar 2027)" in out.decode() and "Signals per round" in out.decode()
    assert (tmp_path / "demo-output" / "README.txt").is_file()


def test_digest_day_brings_the_coordinator_at_most_three_messages(played: Played) -> None:
    with sqlite3.connect(played.result.output / "netzpuls-demo.db") as db:
        clara = db.execute("SELECT DISTINCT chat_id FROM outbox WHERE kind = 'digest'").fetchall()
        assert len(clara) == 1
        for (created_at,) in db.execute("SELECT DISTINCT created_at FROM outbox WHERE kind = 'digest'").fetchall():
            kinds = [kind for (kind,) in db.execute("SELECT kind FROM outbox WHERE chat_id = ? AND created_at = ?"
                                                    " ORDER BY id", [clara[0][0], created_at])]
            assert len(kinds) <= 3 and kinds[:2] == ["digest", "chart"], kinds


def test_every_text_a_partner_typed_reaches_the_coordinator_whole(played: Played) -> None:
    folder = played.result.output / "transcripts"
    coordinator = " ".join((folder / "koordination-clara.txt").read_text(encoding="utf-8").split())
    typed = set()
    for persona in PARTNERS:
        for line in (folder / f"{persona.file_stem}.txt").read_text(encoding="utf-8").splitlines():
            said = re.match(r"^\d\d:\d\d  ([^:]+): (?![\[/])(.+)$", line)
            if said and said.group(1) != "Bot":
                typed.add(" ".join(said.group(2).split()))
    assert len(typed) >= 5
    missing = sorted(text for text in typed if text not in coordinator)
    assert missing == []
