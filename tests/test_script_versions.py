"""Script versions: shipped files, publishing an edit as the next version, rollback; nothing is overwritten."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlite_utils import Database

from bot.core.script.loader import ScriptError, load_script_text
from bot.usecases.scripts import ScriptRegistry
from storage.scripts import publications, published_version, register_script, stored_versions
from tests.e2e import NOW, ROOT, TEST_DIALOGS, Harness

SHIPPED = (TEST_DIALOGS / "monthly_checkin.yaml").read_text(encoding="utf-8")
OLD_QUESTION = "Wie klar ist Ihnen im Moment das gemeinsame Ziel des Netzwerks?"
NEW_QUESTION = "Wie gut kennen Sie das gemeinsame Ziel des Netzwerks?"
EDITED = SHIPPED.replace(OLD_QUESTION, NEW_QUESTION)


@pytest.fixture
def dialogs(tmp_path: Path) -> Path:
    """A copy of the shipped dialogs folder that a test may change."""
    folder = tmp_path / "dialogs"
    shutil.copytree(TEST_DIALOGS, folder)
    return folder


def test_the_shipped_file_is_in_use_and_an_edit_becomes_the_next_version(db: Database, dialogs: Path) -> None:
    registry = ScriptRegistry(db)
    [shipped] = registry.load_directory(dialogs, NOW)
    assert registry.current("monthly_checkin") is shipped
    edited = registry.publish_text(EDITED, "upload.yaml", "9001", NOW)  # still says the shipped version number
    assert edited.version == shipped.version + 1
    assert registry.current("monthly_checkin").step("goals_clear").text["de"] == NEW_QUESTION
    assert registry.version("monthly_checkin", shipped.version).step("goals_clear").text["de"] == OLD_QUESTION
    stored = db.execute("SELECT source FROM scripts WHERE version = ?", [edited.version]).fetchone()[0]
    assert f"version: {edited.version}\n" in stored


def test_a_version_stored_under_yaml_1_1_is_read_as_it_was_checked(db: Database, dialogs: Path) -> None:
    # Stored before the loader moved to YAML 1.2: `dont_know: yes` was a boolean then and is text now.
    old = SHIPPED.replace("version: 2\n", "version: 7\n").replace("dont_know: true", "dont_know: yes")
    with pytest.raises(ScriptError, match="dont_know"):
        load_script_text(old, "upload.yaml")  # an upload today is YAML 1.2
    register_script(db, "monthly_checkin", 7, old, NOW)
    stored = ScriptRegistry(db).version("monthly_checkin", 7)
    assert stored.step("benefit").dont_know is True
    broken = old.replace("version: 7", "version: 8").replace("\nsteps:", "\ncolour: red\nsteps:")
    register_script(db, "monthly_checkin", 8, broken, NOW)
    with pytest.raises(ScriptError) as refused:  # broken either way: the problems YAML 1.2 sees are named
        ScriptRegistry(db).version("monthly_checkin", 8)
    assert "dont_know" in str(refused.value) and "unknown key 'colour'" in str(refused.value)


def test_rollback_adds_a_publication_and_survives_a_restart(db: Database, dialogs: Path) -> None:
    registry = ScriptRegistry(db)
    [shipped] = registry.load_directory(dialogs, NOW)
    edited = registry.publish_text(EDITED, "upload.yaml", "9001", NOW)
    registry.rollback("monthly_checkin", shipped.version, "9001", NOW)
    with pytest.raises(ValueError, match="already in use"):
        registry.rollback("monthly_checkin", shipped.version, "9001", NOW)
    ScriptRegistry(db).load_directory(dialogs, NOW)  # a restart: the shipped file is not new, the rollback stays
    assert published_version(db, "monthly_checkin") == shipped.version
    assert [(p.version, p.action, p.published_by) for p in publications(db, "monthly_checkin")] == [
        (shipped.version, "publish", "file"), (edited.version, "publish", "9001"),
        (shipped.version, "rollback", "9001")]
    assert [(v.version, v.in_use) for v in stored_versions(db, "monthly_checkin")] == [
        (shipped.version, True), (edited.version, False)]


def test_a_newly_shipped_file_is_published_but_an_older_one_is_not(db: Database, dialogs: Path) -> None:
    registry = ScriptRegistry(db)
    [shipped] = registry.load_directory(dialogs, NOW)
    registry.publish_text(EDITED, "upload.yaml", "9001", NOW)  # version shipped + 1, by an admin
    newer = shipped.version + 2
    (dialogs / "monthly_checkin.yaml").write_text(SHIPPED.replace(f"version: {shipped.version}\n",
                                                                  f"version: {newer}\n"), encoding="utf-8")
    ScriptRegistry(db).load_directory(dialogs, NOW)
    assert published_version(db, "monthly_checkin") == newer


def test_a_broken_edit_is_refused_and_changes_nothing(db: Database, dialogs: Path) -> None:
    registry = ScriptRegistry(db)
    [shipped] = registry.load_directory(dialogs, NOW)
    with pytest.raises(ScriptError, match=r"upload\.yaml:"):
        registry.publish_text(EDITED.replace("kind: scale", "kind: slider", 1), "upload.yaml", "9001", NOW)
    assert [v.version for v in stored_versions(db, "monthly_checkin")] == [shipped.version]


def _cli(*args: str, db: Path, dialogs: Path) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(ROOT), "NETZPULS_ENV_FILE": "/nonexistent", "PATH": "/usr/bin:/bin",
           "NETZPULS_DB": str(db), "NETZPULS_DIALOGS": str(dialogs)}
    return subprocess.run([sys.executable, "-m", "bot", "dialogs", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=60, check=False)


def test_cli_publishes_lists_and_rolls_back(tmp_path: Path, dialogs: Path) -> None:
    db_path, upload = tmp_path / "netzpuls.db", tmp_path / "edited.yaml"
    upload.write_text(EDITED, encoding="utf-8")
    published = _cli("publish", str(upload), db=db_path, dialogs=dialogs)
    assert published.returncode == 0, published.stderr
    assert published.stdout.strip() == "monthly_checkin version 3 is in use now."
    rolled = _cli("rollback", "monthly_checkin", "2", db=db_path, dialogs=dialogs)
    assert rolled.stdout.strip() == "monthly_checkin version 2 is in use again."
    listing = _cli("versions", "monthly_checkin", db=db_path, dialogs=dialogs).stdout.splitlines()
    assert listing[0].startswith("* version 2") and listing[1].startswith("  version 3")
    assert [line.split()[-5:] for line in listing[2:]] == [
        ["publish", "version", "2", "by", "file"], ["publish", "version", "3", "by", "cli"],
        ["rollback", "version", "2", "by", "cli"]]
    changes = _cli("diff", "monthly_checkin", "2", "3", db=db_path, dialogs=dialogs).stdout.splitlines()
    assert changes[0] == "~ version 2 → 3"
    assert changes[1].startswith('~ step goals_clear: text [de] "Wie klar') and "Wie gut kennen" in changes[1]
    unknown = _cli("rollback", "monthly_checkin", "9", db=db_path, dialogs=dialogs)
    assert unknown.returncode == 1 and "version 9 is not stored" in unknown.stderr


def test_cli_refuses_to_publish_a_script_no_part_of_the_bot_uses(tmp_path: Path, dialogs: Path) -> None:
    db_path, upload = tmp_path / "netzpuls.db", tmp_path / "mine.yaml"
    upload.write_text(EDITED.replace("id: monthly_checkin", "id: monthly_checking", 1), encoding="utf-8")
    published = _cli("publish", str(upload), db=db_path, dialogs=dialogs)
    assert published.returncode == 1
    assert published.stdout == ""
    said = published.stderr.splitlines()[-1]
    assert said.startswith("No part of Netzpuls uses a script 'monthly_checking', so nothing was published"), said
    assert "monthly_checkin" in published.stderr
    assert stored_versions(Database(db_path), "monthly_checking") == []


async def test_a_partner_mid_checkin_finishes_on_the_version_they_started(harness: Harness) -> None:
    member = await harness.partner()
    _intro, goals = await harness.send(member.user_id, "/checkin", count=2)
    assert OLD_QUESTION in goals.text
    ScriptRegistry(harness.db).publish_text(EDITED, "upload.yaml", "9001", NOW)  # while the partner answers
    await harness.finish_checkin(member.user_id, goals)
    assert {version for _s, _v, version in harness.answers(member.id)} == {2}
    _intro, first = await harness.send(member.user_id, "/checkin", count=2)
    assert NEW_QUESTION in first.text


def test_a_shipped_file_whose_number_a_chat_edit_took_is_skipped_not_fatal(db: Database, dialogs: Path,
                                                                            caplog: pytest.LogCaptureFixture) -> None:
    registry = ScriptRegistry(db)
    [shipped] = registry.load_directory(dialogs, NOW)
    network = db.execute("INSERT INTO networks (name, created_at) VALUES ('N', ?)", [NOW.isoformat()]).lastrowid
    registry.publish_text(EDITED, "upload.yaml", "77", NOW, network_id=network)  # takes the next number
    ours = SHIPPED.replace(f"version: {shipped.version}", f"version: {shipped.version + 1}").replace(
        OLD_QUESTION, "Wie klar ist das Ziel?")
    (dialogs / "monthly_checkin.yaml").write_text(ours, encoding="utf-8")
    with caplog.at_level("ERROR"):
        assert ScriptRegistry(db).load_directory(dialogs, NOW) == []  # the bot starts; the file is not used
    assert "monthly_checkin.yaml is not used" in caplog.text
    assert registry.current("monthly_checkin").version == shipped.version  # every other network is unchanged
