"""Publications for one network or for all, and drafts that are decided exactly once."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlite_utils import Database

from bot.usecases.scripts import ScriptRegistry
from storage.people import create_network
from storage.script_drafts import create_draft, decide, get_draft, running_preview, save_preview, start_preview
from storage.scripts import network_versions, publications, published_version, stored_versions
from tests.e2e import NOW
from tests.script_sample import SAMPLE, sample_dialogs

SHIPPED = SAMPLE
OLD_QUESTION = "Wie klar ist Ihnen im Moment das gemeinsame Ziel des Netzwerks?"
SID = "monthly_checkin"


def _edit(word: str) -> str:
    return SHIPPED.replace(OLD_QUESTION, f"Wie {word} ist das gemeinsame Ziel?")


def test_a_network_uses_its_own_publication_and_otherwise_the_one_for_all(db: Database, tmp_path: Path) -> None:
    registry = ScriptRegistry(db)
    [shipped] = registry.load_directory(sample_dialogs(tmp_path), NOW)
    north, south = create_network(db, "Nord", NOW), create_network(db, "Süd", NOW)
    own = registry.publish_text(_edit("klar"), "nord.yaml", "100", NOW, network_id=north)
    assert (published_version(db, SID, north), published_version(db, SID, south)) == (own.version, shipped.version)
    assert published_version(db, SID) == shipped.version
    assert registry.current(SID, north).version == own.version
    assert registry.current(SID, south) is shipped and registry.current(SID) is shipped

    for_all = registry.publish_text(_edit("deutlich"), "all.yaml", "9001", NOW)  # an admin: every other network
    assert for_all.version == own.version + 1  # version numbers are shared by all networks
    assert (published_version(db, SID, north), published_version(db, SID, south)) == (own.version, for_all.version)
    assert [(n.network_name, n.version) for n in network_versions(db, SID)] == [("Nord", own.version)]


def test_rollback_in_one_network_leaves_the_others(db: Database, tmp_path: Path) -> None:
    registry = ScriptRegistry(db)
    [shipped] = registry.load_directory(sample_dialogs(tmp_path), NOW)
    north, south = create_network(db, "Nord", NOW), create_network(db, "Süd", NOW)
    own = registry.publish_text(_edit("klar"), "nord.yaml", "100", NOW, network_id=north)
    for_all = registry.publish_text(_edit("deutlich"), "all.yaml", "9001", NOW)
    registry.rollback(SID, shipped.version, "100", NOW, network_id=north)
    with pytest.raises(ValueError, match="already in use"):
        registry.rollback(SID, shipped.version, "100", NOW, network_id=north)
    assert (published_version(db, SID, north), published_version(db, SID, south)) == (shipped.version,
                                                                                        for_all.version)
    # A coordinator sees the versions in use for everyone and their network's own, not other networks' edits.
    assert [(v.version, v.in_use) for v in stored_versions(db, SID, north)] == [
        (shipped.version, True), (own.version, False), (for_all.version, False)]
    assert [(v.version, v.in_use) for v in stored_versions(db, SID, south)] == [
        (shipped.version, False), (for_all.version, True)]
    assert [v.version for v in stored_versions(db, SID) if v.in_use] == [for_all.version]
    assert [(p.version, p.action, p.network_id) for p in publications(db, SID)] == [
        (shipped.version, "publish", None), (own.version, "publish", north), (for_all.version, "publish", None),
        (shipped.version, "rollback", north)]
    assert [p.network_id for p in publications(db, SID, south)] == [None, None]
    registry.rollback(SID, shipped.version, "9001", NOW)  # an admin's rollback: every network without its own
    assert (published_version(db, SID, north), published_version(db, SID, south)) == (shipped.version,
                                                                                        shipped.version)


def test_a_draft_is_published_or_discarded_exactly_once(db: Database) -> None:
    draft = create_draft(db, 9001, None, SID, SHIPPED, "edit.yaml", NOW)
    other = create_draft(db, 9001, None, SID, SHIPPED, "other.yaml", NOW)
    assert draft.pending and draft.preview_state is None
    assert decide(db, draft.id, "published", NOW)
    assert not decide(db, draft.id, "published", NOW)
    assert not decide(db, draft.id, "discarded", NOW)
    stored = get_draft(db, draft.id)
    assert stored is not None and (stored.status, stored.decided_at) == ("published", NOW.isoformat())
    assert decide(db, other.id, "discarded", NOW) and not decide(db, other.id, "published", NOW)
    assert get_draft(db, other.id).status == "discarded"  # type: ignore[union-attr]
    assert get_draft(db, other.id + 1) is None


def test_a_preview_moves_once_per_state_and_ends_with_the_decision(db: Database) -> None:
    first = create_draft(db, 9001, None, SID, SHIPPED, "a.yaml", NOW)
    second = create_draft(db, 9001, None, SID, SHIPPED, "b.yaml", NOW)
    assert start_preview(db, first.id, "s0")
    assert running_preview(db, 9001) == get_draft(db, first.id)
    assert save_preview(db, first.id, "s0", "s1")
    assert not save_preview(db, first.id, "s0", "s1")  # a double tap: the state moved on already
    assert start_preview(db, second.id, "t0")  # only one preview runs per person
    assert get_draft(db, first.id).preview_state is None  # type: ignore[union-attr]
    assert running_preview(db, 9001).id == second.id  # type: ignore[union-attr]
    assert running_preview(db, 1234) is None
    assert decide(db, second.id, "discarded", NOW)
    assert running_preview(db, 9001) is None
    assert not start_preview(db, second.id, "t0")  # a decided draft has no preview any more
