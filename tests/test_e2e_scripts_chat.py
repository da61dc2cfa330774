"""/scripts in the chat through the local Bot API server: download, upload, problems, preview, publish, rollback."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import Settings
from bot.core.script.loader import ScriptError, load_script_text
from localapi.server import SentMessage
from storage.scripts import published_version
from tests.e2e import ADMIN_ID, Harness
from tests.script_sample import SAMPLE, sample_dialogs

SID = "monthly_checkin"
SHIPPED = SAMPLE
NEW_EN = "How well do you know the network's shared goal?"
EDITED = SHIPPED.replace("How clear is the network's shared goal to you right now?", NEW_EN).replace(
    "Wie klar ist Ihnen im Moment das gemeinsame Ziel des Netzwerks?", "Wie gut kennen Sie das gemeinsame Ziel?")
BROKEN = EDITED.replace("kind: scale", "kind: slider", 1)


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """The bot of these tests ships only the sample script (version 2), whatever dialogs/ holds."""
    return replace(settings, dialogs_dir=sample_dialogs(tmp_path / "dialogs"))


def _rows(harness: Harness, what: str) -> int:
    return int(harness.db.execute(f"SELECT COUNT(*) FROM {what}").fetchone()[0])


async def _upload(harness: Harness, user: int, name: str, content: bytes) -> SentMessage:
    harness.api.send_document(user, name, content)
    [answer] = await harness.api.wait_for_messages(user, 1)
    return answer


async def test_admin_downloads_fixes_previews_publishes_and_rolls_back(harness: Harness) -> None:
    harness.api.add_user(ADMIN_ID, "Ada", language_code="en")
    [listing] = await harness.send(ADMIN_ID, "/scripts")
    assert "monthly_checkin: version 2 in use (stored versions: 2)" in listing.text
    assert listing.buttons() == [["Download monthly_checkin", "Versions / Rollback"]]
    [document] = await harness.tap(ADMIN_ID, listing, "Download monthly_checkin")
    assert (document.kind, document.filename, document.file) == ("document", "monthly_checkin.yaml",
                                                                SHIPPED.encode())

    problems = await _upload(harness, ADMIN_ID, "edited.yaml", BROKEN.encode())
    with pytest.raises(ScriptError) as refused:
        load_script_text(BROKEN, "edited.yaml")
    expected = str(refused.value.problems[0])
    assert expected.startswith("edited.yaml:") and "step 'goals_clear'" in expected
    assert expected in problems.text and problems.text.startswith("edited.yaml has problems")
    assert not problems.reply_markup

    summary = await _upload(harness, ADMIN_ID, "edited.yaml", EDITED.encode())
    assert summary.text.startswith("edited.yaml is valid. Changes from version 2 (in use) to the new version 3:")
    assert "~ step goals_clear: text [de]" in summary.text and "~ step goals_clear: text [en]" in summary.text
    assert summary.buttons() == [["Preview"], ["Publish", "Discard"]]

    # Preview: the new version as a partner sees it; buttons and typed answers; nothing is stored.
    notice, intro, first = await harness.tap(ADMIN_ID, summary, "Preview", count=3)
    assert "Nothing is stored" in notice.text and "Time for the short network check-in" in intro.text
    assert first.text.startswith(f"Question 1 of 7\n{NEW_EN}")
    [missing] = await harness.tap(ADMIN_ID, first, "2")
    assert harness.api.messages(ADMIN_ID)[-2].text.endswith("✓ 2")
    [benefit] = await harness.send(ADMIN_ID, "A measurable goal")
    assert benefit.text.startswith("Question 3") and "What is missing" in missing.text
    stale = harness.api.forge_callback(ADMIN_ID, first.message_id, f"r:{_draft_id(harness)}:goals_clear:5")
    assert "already been answered" in str(await harness.api.wait_for_callback_answer(stale))
    [agreements] = await harness.tap(ADMIN_ID, benefit, "5")
    [anything] = await harness.tap(ADMIN_ID, agreements, "Yes, all of them")
    [finished] = await harness.tap(ADMIN_ID, anything, "Skip")
    assert "Thank you, your answers are saved" in finished.text
    assert finished.text.endswith("Preview finished — nothing was stored.")
    assert finished.buttons() == [["Publish", "Discard"]]
    ended = harness.api.forge_callback(ADMIN_ID, anything.message_id, f"r:{_draft_id(harness)}:anything_else:skip")
    assert "preview has ended" in str(await harness.api.wait_for_callback_answer(ended))
    assert (_rows(harness, "checkins"), _rows(harness, "answers")) == (0, 0)
    assert published_version(harness.db, SID) == 2
    [hint] = await harness.send(ADMIN_ID, "After the preview")  # typed text is no preview answer any more
    assert "wasn't expecting a message" in hint.text

    [published] = await harness.tap(ADMIN_ID, finished, "Publish")
    assert published.text == ("Version 3 of monthly_checkin is now in use; check-ins under way finish on their "
                              "version.")
    assert published_version(harness.db, SID) == 3 and not harness.api.messages(ADMIN_ID)[-2].reply_markup
    again = harness.api.tap(ADMIN_ID, summary.message_id, text="Publish")  # the first message still had buttons
    assert str(await harness.api.wait_for_callback_answer(again)) == "This draft was already published."
    assert _rows(harness, "script_publications") == 2 and _rows(harness, "scripts") == 2

    # Rollback: choose version 2, confirm; a second confirmation changes nothing.
    [listing] = await harness.send(ADMIN_ID, "/scripts")
    assert "version 3 in use (stored versions: 2, 3)" in listing.text
    [versions] = await harness.tap(ADMIN_ID, listing, "Versions / Rollback")
    assert "version 3 (stored 2027-01-05) – in use" in versions.text and versions.buttons() == [["Version 2"]]
    [question] = await harness.tap(ADMIN_ID, versions, "Version 2")
    assert question.text == "Roll back monthly_checkin to version 2? Version 3 is in use now."
    confirm = question.reply_markup["inline_keyboard"][0][0]["callback_data"]  # type: ignore[index]
    await harness.tap(ADMIN_ID, question, "Yes, roll back", count=0)
    assert _now(harness, ADMIN_ID, question).text.startswith("Version 2 of monthly_checkin is in use again")
    assert published_version(harness.db, SID) == 2
    double = harness.api.forge_callback(ADMIN_ID, question.message_id, confirm)
    await harness.api.wait_for_callback_answer(double)
    assert "already in use; nothing was changed" in _now(harness, ADMIN_ID, question).text
    assert _rows(harness, "script_publications") == 3


def _now(harness: Harness, user: int, message: SentMessage) -> SentMessage:
    """A bot message as it looks now (after edits)."""
    return next(m for m in harness.api.messages(user) if m.message_id == message.message_id)


def _draft_id(harness: Harness) -> int:
    return int(harness.db.execute("SELECT MAX(id) FROM script_drafts").fetchone()[0])


async def test_a_coordinator_publishes_for_their_network_only(harness: Harness) -> None:
    north, south = harness.network("Netzwerk Nord"), harness.network("Netzwerk Süd")
    coordinator = await harness.join(100, "Clara", harness.invite(north), "en")
    partner = await harness.partner(501, locale="en", network_id=north)
    [listing] = await harness.send(coordinator.user_id, "/scripts")
    assert listing.text.startswith("Check-in scripts of your network:")
    summary = await _upload(harness, coordinator.user_id, "monthly_checkin.yaml", EDITED.encode())
    [published] = await harness.tap(coordinator.user_id, summary, "Publish")
    assert "is now in use in your network" in published.text
    assert (published_version(harness.db, SID, north), published_version(harness.db, SID, south),
            published_version(harness.db, SID)) == (3, 2, 2)
    assert harness.db.execute("SELECT network_id, status FROM script_drafts").fetchall() == [(north, "published")]

    # The admin sees the network's own version; a stale confirmation of the coordinator changes nothing.
    harness.api.add_user(ADMIN_ID, "Ada", language_code="en")
    [overview] = await harness.send(ADMIN_ID, "/scripts")
    assert "Netzwerk Nord uses its own version 3" in overview.text
    [versions] = await harness.tap(coordinator.user_id, listing, "Versions / Rollback")
    [question] = await harness.tap(coordinator.user_id, versions, "Version 2")
    harness.api.send_document(coordinator.user_id, "monthly_checkin.yaml", EDITED.replace(NEW_EN, "Goal?").encode())
    [second] = await harness.api.wait_for_messages(coordinator.user_id, 1)
    await harness.tap(coordinator.user_id, second, "Publish")  # version 4 meanwhile
    await harness.tap(coordinator.user_id, question, "Yes, roll back", count=0)
    assert "has changed since you asked" in _now(harness, coordinator.user_id, question).text
    assert published_version(harness.db, SID, north) == 4

    # Partners may neither list nor upload scripts; the admin's button taps are the admin's own.
    [refusal] = await harness.send(partner.user_id, "/scripts")
    assert "for admins and network coordinators" in refusal.text
    no_file = await _upload(harness, partner.user_id, "monthly_checkin.yaml", EDITED.encode())
    assert "only read text messages" in no_file.text
    foreign = harness.api.forge_callback(partner.user_id, refusal.message_id, f"d:pb:{_draft_id(harness)}")
    assert str(await harness.api.wait_for_callback_answer(foreign)) == "This button is not meant for you."


async def test_uploads_that_are_no_script_get_a_clear_answer(harness: Harness) -> None:
    harness.api.add_user(ADMIN_ID, "Ada", language_code="en")
    wrong_kind = await _upload(harness, ADMIN_ID, "notes.txt", b"version: 3")
    assert "as a .yaml file" in wrong_kind.text
    too_big = await _upload(harness, ADMIN_ID, "big.yaml", b"#" * (64 * 1024 + 1))
    assert "too large" in too_big.text and "64 KB" in too_big.text
    latin1 = await _upload(harness, ADMIN_ID, "latin1.yml", EDITED.encode("latin-1", errors="replace"))
    assert "save it as UTF-8" in latin1.text
    same = await _upload(harness, ADMIN_ID, "same.yaml", SHIPPED.encode())
    assert "the same as version 2" in same.text and not same.reply_markup
    assert _rows(harness, "script_drafts") == 0


async def test_preview_ticks_several_options_and_discard_ends_the_draft(harness: Harness) -> None:
    harness.api.add_user(ADMIN_ID, "Ada", language_code="en")
    several = EDITED.replace("  - id: benefit_why\n    kind: choice\n", "  - id: benefit_why\n    kind: choice\n"
                             "    multiple: true\n")
    summary = await _upload(harness, ADMIN_ID, "several.yaml", several.encode())
    assert summary.buttons() == [["Preview"], ["Publish", "Discard"]]
    _notice, _intro, first = await harness.tap(ADMIN_ID, summary, "Preview", count=3)
    [statement] = await harness.tap(ADMIN_ID, first, "5")
    [benefit] = await harness.tap(ADMIN_ID, statement, "Skip")
    [why] = await harness.tap(ADMIN_ID, benefit, "1")
    for label in ("Less duplicated work", "Clearer agreements"):
        await harness.tap(ADMIN_ID, why, label, count=0)  # a tick: the same message, redrawn
    assert ["✓ Less duplicated work"] in _now(harness, ADMIN_ID, why).buttons()
    [agreements] = await harness.tap(ADMIN_ID, _now(harness, ADMIN_ID, why), "Done")
    assert _now(harness, ADMIN_ID, why).text.endswith("✓ Less duplicated work, Clearer agreements")
    assert agreements.text.startswith("Question 5")

    [discarded] = await harness.tap(ADMIN_ID, summary, "Discard")
    assert discarded.text == "Draft discarded; nothing was changed."
    late = harness.api.tap(ADMIN_ID, agreements.message_id, text="Yes, all of them")  # the preview ended with it
    assert str(await harness.api.wait_for_callback_answer(late)) == "This draft was already discarded."
    assert harness.db.execute("SELECT status, preview_state FROM script_drafts").fetchall() == [("discarded", None)]
    assert (_rows(harness, "checkins"), _rows(harness, "answers"), published_version(harness.db, SID)) == (0, 0, 2)


async def test_publishing_a_draft_made_against_an_older_version_is_refused(harness: Harness) -> None:
    harness.api.add_user(ADMIN_ID, "Ada", language_code="en")
    summary = await _upload(harness, ADMIN_ID, "edited.yaml", EDITED.encode())
    other = EDITED.replace(NEW_EN, "Is the network's goal clear to you?")
    [second] = [await _upload(harness, ADMIN_ID, "other.yaml", other.encode())]
    [done] = await harness.tap(ADMIN_ID, second, "Publish")
    assert done.text.startswith("Version 3 of monthly_checkin is now in use")
    [refusal] = await harness.tap(ADMIN_ID, summary, "Publish")  # made against version 2: would undo version 3
    assert refusal.text.startswith("Since you sent edited.yaml, version 3 of monthly_checkin was put in use.")
    assert published_version(harness.db, SID) == 3 and not summary.reply_markup
    assert harness.db.execute("SELECT status FROM script_drafts ORDER BY id").fetchall() == [("discarded",),
                                                                                             ("published",)]
