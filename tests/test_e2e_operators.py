"""Coordinators through the local Bot API server: the network's time zone in /settings, an organisation's kind
corrected under /partners, and a network's own script version given up for the shared one in /scripts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import Settings
from localapi.server import SentMessage
from storage.people import create_network
from storage.scripts import published_version
from tests.e2e import ADMIN_ID, NOW, TEST_DIALOGS, Harness
from tests.script_sample import SAMPLE

SID = "monthly_checkin"
EDITED = SAMPLE.replace("Wie klar ist Ihnen im Moment das gemeinsame Ziel des Netzwerks?",
                        "Wie gut kennen Sie das gemeinsame Ziel?")
# The test script, with one branch on the organisation's kind: counselling services are asked what they miss.
BY_KIND = (TEST_DIALOGS / "monthly_checkin.yaml").read_text(encoding="utf-8").replace(
    "      - if: {step: goals_clear, lte: 2}\n        then: goals_missing\n",
    "      - if: {step: goals_clear, lte: 2}\n        then: goals_missing\n"
    "      - if: {context: role, eq: counselling}\n        then: goals_missing\n", 1)


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """The test script with its branch on the kind (and nothing else: /scripts lists it alone)."""
    assert "context: role" in BY_KIND
    folder = tmp_path / "dialogs"
    folder.mkdir()
    (folder / "monthly_checkin.yaml").write_text(BY_KIND, encoding="utf-8")
    return replace(settings, dialogs_dir=folder)


def _now(harness: Harness, user: int, message: SentMessage) -> SentMessage:
    """A bot message as it looks now (after edits)."""
    return next(m for m in harness.api.messages(user) if m.message_id == message.message_id)


def _labels(message: SentMessage) -> list[str]:
    return [label for row in message.buttons() for label in row]


async def _edited(harness: Harness, user: int, message: SentMessage, label: str) -> SentMessage:
    """Tap a button whose answer edits the same message; the message as it looks then."""
    await harness.tap(user, message, label, count=0)
    await harness.handled()  # some handlers answer the tap before they edit
    return _now(harness, user, message)


async def _forged(harness: Harness, user: int, message: SentMessage, data: str) -> str:
    """A tap with made-up data on a message; the callback's answer."""
    return str(await harness.api.wait_for_callback_answer(harness.api.forge_callback(user, message.message_id, data)))


async def test_the_coordinator_chooses_the_time_zone_and_the_rounds_follow_it(harness: Harness) -> None:
    # Created after January's round in any of the zones: February's is the first.
    network = create_network(harness.db, "Netzwerk Alleinerziehende Musterstadt", datetime(2027, 1, 6, tzinfo=UTC))
    coordinator = await harness.join(800, "Carla", harness.invite(network))
    partner = await harness.partner(user_id=801, network_id=network)
    [settings] = await harness.send(coordinator.user_id, "/settings")
    assert "• Zeitzone: Europe/Berlin" in settings.text
    shown = await _edited(harness, coordinator.user_id, settings, "Zeitzone")
    assert shown.buttons() == [["Berlin", "Wien", "Zürich", "London"], ["UTC"]]
    assert all(len(b["callback_data"].encode()) <= 64 for row in shown.reply_markup["inline_keyboard"]  # type: ignore[index]
               for b in row)
    query = harness.api.tap(coordinator.user_id, settings.message_id, text="London")
    assert "richten sich ab jetzt nach dieser Zeitzone" in str(await harness.api.wait_for_callback_answer(query))
    await harness.handled()
    summary = _now(harness, coordinator.user_id, settings)
    assert "• Zeitzone: Europe/London" in summary.text and "Nächste Runde beginnt: 2. Februar 2027" in summary.text
    assert "Zeitzone" in _labels(summary)  # the menu again
    assert harness.db.execute("SELECT timezone FROM schedules WHERE network_id = ?",
                              [network]).fetchone() == ("Europe/London",)

    # Only the zones offered: a made-up code changes nothing; partners cannot change the schedule.
    assert "nicht mehr gültig" in await _forged(harness, coordinator.user_id, settings, "s:tz:tokyo")
    assert await _forged(harness, partner.user_id, settings, "s:tz:utc") == "Dieser Knopf ist nicht für Sie bestimmt."
    assert harness.db.execute("SELECT timezone FROM schedules").fetchall() == [("Europe/London",)]

    # The round opens at 09:00 in London, an hour after 09:00 in Berlin, and its prompt reaches the partner.
    harness.clock.now = datetime(2027, 2, 2, 9, 0, tzinfo=UTC)
    [prompt] = await harness.api.wait_for_messages(partner.user_id, 1)
    assert "Jetzt starten" in _labels(prompt)
    assert harness.db.execute("SELECT due_at FROM rounds WHERE network_id = ?", [network]).fetchone() == (
        "2027-02-02T09:00:00+00:00",)


async def test_the_coordinator_corrects_an_organisations_kind_and_the_checkin_follows_it(harness: Harness) -> None:
    north, south = harness.network("Netz Nord"), harness.network("Netz Süd")
    coordinator = await harness.join(100, "Clara", harness.invite(north))
    await harness.partner(user_id=501, organisation="Jobcenter Musterstadt", network_id=north)
    bruecke = await harness.join(502, "Ben", harness.invite(north, "Verein Brücke"))
    await harness.send(coordinator.user_id, "/invite Kita Sonnenschein")
    elsewhere = await harness.partner(user_id=601, organisation="Beratung Süd", network_id=south)

    [overview] = await harness.send(coordinator.user_id, "/partners")
    assert overview.text.split("• Verein Brücke")[1].startswith(": dabei (Ben, seit 05.01.2027)\n   Art: Sonstige\n")
    assert "   Art: Jobcenter" in overview.text.split("• Jobcenter Musterstadt")[1].split("•")[0]
    assert overview.buttons() == [["Art ändern"]]
    [choose] = await harness.tap(coordinator.user_id, overview, "Art ändern")
    assert choose.text.startswith("Bei welcher Organisation soll die Art geändert werden?")
    assert choose.buttons() == [["Jobcenter Musterstadt · Jobcenter"], ["Kita Sonnenschein · Kindertagesbetreuung"],
                                ["Verein Brücke · Sonstige"]]
    kinds = await _edited(harness, coordinator.user_id, choose, "Verein Brücke · Sonstige")
    assert kinds.text == "Welche Art von Organisation ist Verein Brücke? Eingetragen ist jetzt: Sonstige."
    assert _labels(kinds) == ["Jobcenter", "Jugendamt", "Beratungsstelle", "Kindertagesbetreuung", "Arbeitgeber",
                              "Wohlfahrtsverband", "Gesundheitswesen", "Bildung", "✓ Sonstige", "Abbrechen"]
    done = await _edited(harness, coordinator.user_id, kinds, "Beratungsstelle")
    assert done.text.startswith("Verein Brücke ist jetzt eingetragen als: Beratungsstelle.") and not done.buttons()
    assert harness.db.execute("SELECT kind FROM organisations WHERE name = 'Verein Brücke'").fetchone() == (
        "counselling",)

    # The script asks a counselling service what it misses, whatever it answers: the kind is what it branches on.
    _intro, goals = await harness.send(bruecke.user_id, "/checkin", count=2)
    [following] = await harness.tap(bruecke.user_id, goals, "5")
    assert "Was fehlt Ihnen, damit das Ziel klar wird?" in following.text

    # Another network's organisation, forged, is refused and keeps its kind; so is one taken out meanwhile.
    other_org = elsewhere.organisation_id
    assert "nicht mehr im Netzwerk" in await _forged_edit(harness, coordinator.user_id, choose,
                                                          f"n:setkind:{other_org}:care")
    assert "nicht mehr im Netzwerk" in await _forged_edit(harness, coordinator.user_id, choose, f"n:kind:{other_org}")
    [remove] = await harness.send(coordinator.user_id, "/remove")
    question = await _edited(harness, coordinator.user_id, remove, "Verein Brücke")
    await harness.tap(coordinator.user_id, question, "Ja, entfernen", count=0)
    await harness.handled()
    assert _now(harness, 100, question).text.startswith("Verein Brücke ist nicht mehr im Netzwerk.")
    assert "nicht mehr im Netzwerk" in await _forged_edit(harness, coordinator.user_id, choose,
                                                          f"n:setkind:{bruecke.organisation_id}:care")
    assert harness.db.execute("SELECT name, kind FROM organisations ORDER BY id").fetchall() == [
        ("Jobcenter Musterstadt", "jobcenter"), ("Verein Brücke", "counselling"), ("Kita Sonnenschein", "care"),
        ("Beratung Süd", "counselling")]
    # Partners may not use the coordinator's buttons at all.
    assert await _forged(harness, 501, overview, "n:kinds") == "Dieser Knopf ist nicht für Sie bestimmt."


async def _forged_edit(harness: Harness, user: int, message: SentMessage, data: str) -> str:
    """A forged tap whose answer edits the tapped message; the message's text then."""
    await _forged(harness, user, message, data)
    await harness.handled()
    return _now(harness, user, message).text


async def test_a_network_goes_back_from_its_own_script_to_the_shared_one(harness: Harness) -> None:
    north, south = harness.network("Netzwerk Nord"), harness.network("Netzwerk Süd")
    clara = await harness.join(100, "Clara", harness.invite(north))
    sven = await harness.join(110, "Sven", harness.invite(south))
    early = await harness.partner(501, network_id=north)
    late = await harness.partner(502, organisation="Jugendamt", network_id=north)
    [listing] = await harness.send(clara.user_id, "/scripts")
    assert listing.buttons() == [["monthly_checkin herunterladen", "Versionen / Zurücksetzen"]]  # nothing of its own
    harness.api.send_document(clara.user_id, "monthly_checkin.yaml", EDITED.encode())
    [summary] = await harness.api.wait_for_messages(clara.user_id, 1)
    await harness.tap(clara.user_id, summary, "Veröffentlichen")
    assert published_version(harness.db, SID, north) == 3

    # A check-in begun on the network's own version finishes on it.
    _intro, goals = await harness.send(early.user_id, "/checkin", count=2)
    assert "Wie gut kennen Sie das gemeinsame Ziel?" in goals.text
    [statement] = await harness.tap(early.user_id, goals, "5")

    [listing] = await harness.send(clara.user_id, "/scripts")
    assert "   Ihr Netzwerk nutzt eine eigene Version." in listing.text
    assert listing.buttons()[-1] == ["Wieder das gemeinsame Skript verwenden: monthly_checkin"]
    # Another network's coordinator (forged buttons) and partners may not.
    for data in (f"d:sh:{SID}:{north}", f"d:sy:{SID}:{north}:3"):
        assert await _forged(harness, sven.user_id, listing, data) == "Dieser Knopf ist nicht für Sie bestimmt."
    assert await _forged(harness, early.user_id, listing, f"d:sy:{SID}:{north}:3") == (
        "Dieser Knopf ist nicht für Sie bestimmt.")
    [question] = await harness.tap(clara.user_id, listing, "Wieder das gemeinsame Skript verwenden: monthly_checkin")
    assert question.text == ("In „Netzwerk Nord“ wieder das gemeinsame monthly_checkin (Version 2) verwenden? Die "
                             "eigene Version 3 wird dann nicht mehr genutzt.")
    assert (await _edited(harness, clara.user_id, question, "Abbrechen")).text == "Nichts wurde geändert."
    assert published_version(harness.db, SID, north) == 3
    [question] = await harness.tap(clara.user_id, listing, "Wieder das gemeinsame Skript verwenden: monthly_checkin")
    confirm = question.reply_markup["inline_keyboard"][0][0]["callback_data"]  # type: ignore[index]
    done = await _edited(harness, clara.user_id, question, "Ja, gemeinsames Skript verwenden")
    assert done.text.startswith("„Netzwerk Nord“ nutzt wieder das gemeinsame monthly_checkin (Version 2)")
    assert (published_version(harness.db, SID, north), published_version(harness.db, SID, south)) == (2, 2)
    await _forged(harness, clara.user_id, question, confirm)  # a second tap changes nothing
    assert "nutzt schon das gemeinsame monthly_checkin; nichts wurde geändert" in _now(harness, 100, question).text
    assert harness.db.execute("SELECT action, version, network_id FROM script_publications ORDER BY id").fetchall() \
        == [("publish", 2, None), ("publish", 3, north), ("shared", 2, north)]

    # The next check-in runs on the shared script; the one under way keeps its version.
    _intro, goals = await harness.send(late.user_id, "/checkin", count=2)
    assert "Wie klar ist Ihnen im Moment das gemeinsame Ziel des Netzwerks?" in goals.text
    await harness.tap(late.user_id, goals, "5")
    await harness.tap(early.user_id, statement, "Überspringen")
    assert {version for _step, _value, version in harness.answers(late.id)} == {2}
    assert {version for _step, _value, version in harness.answers(early.id)} == {3}

    # The listing offers nothing more; the history says what happened; the own version can be put in use again.
    [listing] = await harness.send(clara.user_id, "/scripts")
    assert "eigene Version" not in listing.text and len(listing.buttons()) == 1
    [versions] = await harness.tap(clara.user_id, listing, "Versionen / Zurücksetzen")
    assert "zurück zur gemeinsamen Version 2 (von Ihnen) – nur Netzwerk Nord" in versions.text
    assert versions.buttons() == [["Version 3"]]


async def test_an_admin_gives_any_network_the_shared_script_again(harness: Harness) -> None:
    south = harness.network("Netzwerk Süd")
    await harness.join(110, "Sven", harness.invite(south), "en")
    harness.api.send_document(110, "monthly_checkin.yaml", EDITED.encode())
    [summary] = await harness.api.wait_for_messages(110, 1)
    await harness.tap(110, summary, "Publish")
    harness.api.add_user(ADMIN_ID, "Ada", language_code="en")
    [overview] = await harness.send(ADMIN_ID, "/scripts")
    assert "Netzwerk Süd uses its own version 3" in overview.text
    assert overview.buttons()[-1] == ["Use the shared script again: monthly_checkin, Netzwerk Süd"]
    [question] = await harness.tap(ADMIN_ID, overview, "Use the shared script again: monthly_checkin, Netzwerk Süd")
    done = await _edited(harness, ADMIN_ID, question, "Yes, use the shared script")
    assert done.text.startswith("\"Netzwerk Süd\" uses the shared monthly_checkin again (version 2)")
    assert published_version(harness.db, SID, south) == 2
    [overview] = await harness.send(ADMIN_ID, "/scripts")
    assert "own version" not in overview.text and overview.buttons() == [["Download monthly_checkin",
                                                                          "Versions / Rollback"]]
    assert NOW.year == 2027  # the history's dates below are the harness clock's
    [versions] = await harness.tap(ADMIN_ID, overview, "Versions / Rollback")
    assert "2027-01-05 09:00: back to the shared version 2 (by you) – only Netzwerk Süd" in versions.text
