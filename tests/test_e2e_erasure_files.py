"""/delete over the local Bot API, checked on the raw files: the database, its write-ahead log and a kept backup no
longer hold the person's name and free text once the bot says they are erased."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.jobs.backup import backup_database, backup_name, backups_in
from tests.e2e import Harness

NAME = "Annegret"  # nothing else the bot stores holds it
STATEMENT = "Wir vermitteln jeder Familie im Kreis binnen 6 Wochen einen Kitaplatz"
NETWORKS = ("Netzwerk Alleinerziehende Musterstadt", "Netzwerk Pflege Musterstadt")


def _holds(*paths: Path) -> set[str]:
    """Which of the name and the free text the files' bytes hold (files that do not exist hold nothing)."""
    data = b"".join(path.read_bytes() for path in paths if path.exists())
    return {needle for needle in (NAME, STATEMENT) if needle.encode() in data}


async def _answered(harness: Harness, user_id: int = 501) -> None:
    """NAME joined as a partner and gave the free text STATEMENT in a check-in."""
    await harness.join(user_id, NAME, harness.invite(harness.network(NETWORKS[0]), "Jobcenter Musterstadt"))
    _intro, goals = await harness.send(user_id, "/checkin", 2)
    [_statement] = await harness.tap(user_id, goals, "5")
    [benefit] = await harness.send(user_id, STATEMENT)
    [agreements] = await harness.tap(user_id, benefit, "4")
    [anything] = await harness.tap(user_id, agreements, "Ja, alle")
    await harness.tap(user_id, anything, "Überspringen")


def _kept_backup(harness: Harness) -> Path:
    """A backup in the kept folder, taken now (the bot took its daily one at start, before anyone joined)."""
    return backup_database(harness.settings.db_path,
                           harness.settings.backups_path / backup_name(harness.clock() + timedelta(hours=1)))


async def test_after_delete_the_database_its_log_and_the_kept_backups_hold_neither_name_nor_free_text(
        harness: Harness) -> None:
    await _answered(harness)
    db_path = harness.settings.db_path
    files = (db_path, Path(f"{db_path}-wal"))
    kept = _kept_backup(harness)
    assert _holds(kept) == {NAME, STATEMENT}
    assert _holds(*files) == {NAME, STATEMENT}
    [question] = await harness.send(501, "/delete")
    await harness.tap(501, question, "Ja, meine Daten löschen", count=0)
    assert "Erledigt" in harness.api.messages(501)[-1].text
    assert _holds(*files) == set()
    assert [path for path in backups_in(harness.settings.backups_path) if _holds(path)] == []
    assert kept in backups_in(harness.settings.backups_path)


async def test_erasing_in_one_network_clears_that_networks_free_text_from_the_files(harness: Harness) -> None:
    await _answered(harness)
    await harness.join_another(501, harness.invite(harness.network(NETWORKS[1]), "Pflegedienst Sonnenschein"))
    db_path = harness.settings.db_path
    kept = _kept_backup(harness)
    [which] = await harness.send(501, "/delete")
    await harness.tap(501, which, f"{NETWORKS[0]} (Jobcenter Musterstadt)", count=0)
    # the same message becomes the confirmation (the tap is answered first, then the message edited)
    await harness.api.wait_until(lambda: harness.api.messages(501)[-1].text.startswith("Ihre persönlichen Daten in"))
    await harness.tap(501, which, "Ja, meine Daten löschen", count=0)
    assert "Erledigt" in harness.api.messages(501)[-1].text
    # still a member of the other network, so the name stays; the free text given in the first one is gone
    assert _holds(db_path, Path(f"{db_path}-wal")) == {NAME}
    assert _holds(kept) == {NAME}
