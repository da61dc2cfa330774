"""Changing the check-in scripts in the chat: what is stored and in use, downloads, drafts, publishing, rollback.

An editor is an admin (`network_id` None: for every network) or a coordinator (for their own network)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlite_utils import Database

from bot.core.script.diff import NO_CHANGES, diff_scripts
from bot.core.script.model import Script
from bot.usecases.scripts import ScriptRegistry
from storage.people import network_name
from storage.script_drafts import Draft as Draft
from storage.script_drafts import create_draft, decide, get_draft
from storage.scripts import NetworkVersion as NetworkVersion
from storage.scripts import Publication as Publication
from storage.scripts import StoredVersion as StoredVersion
from storage.scripts import (
    network_versions,
    newest_version,
    own_version,
    publications,
    published_version,
    script_ids,
    script_source,
    use_shared,
)
from storage.scripts import stored_versions as _stored_versions


@dataclass(frozen=True)
class Listed:
    """One script as /scripts lists it: the version in use, the stored versions, networks with their own (for an
    admin), and whether the editor's network uses a version of its own (`own`)."""

    script_id: str
    in_use: int | None
    stored: list[StoredVersion]
    own_versions: list[NetworkVersion]
    own: bool = False


def listing(db: Database, network_id: int | None) -> list[Listed]:
    """Every script for an editor: for a network, or (None) for all, with the networks that use their own version."""
    return [Listed(script_id, published_version(db, script_id, network_id), _stored_versions(db, script_id, network_id),
                   network_versions(db, script_id) if network_id is None else [],
                   network_id is not None and own_version(db, script_id, network_id) is not None)
            for script_id in script_ids(db)]


@dataclass(frozen=True)
class SharedOffer:
    """A network that uses its own version of a script, and the shared version it would use instead."""

    network_name: str
    own: int
    shared: int


def shared_offer(db: Database, script_id: str, network_id: int) -> SharedOffer | None:
    """What going back to the shared script would change; None if the network has no version of its own (any more)
    or there is no shared version."""
    own, shared, name = (own_version(db, script_id, network_id), published_version(db, script_id, None),
                         network_name(db, network_id))
    return None if own is None or shared is None or name is None else SharedOffer(name, own, shared)


def network_label(db: Database, network_id: int) -> str:
    """A network's name ("?" if there is none of that id)."""
    return network_name(db, network_id) or "?"


def use_shared_script(db: Database, script_id: str, network_id: int, user_id: int, now: datetime) -> int | None:
    """The network uses the shared script again (its own version is kept, no longer in use): the shared version, or
    None if the network had no version of its own any more."""
    return use_shared(db, script_id, network_id, str(user_id), now)


def version_in_use(db: Database, script_id: str, network_id: int | None) -> int | None:
    """The version in use for a network or (None) for all; None for an unknown script."""
    return published_version(db, script_id, network_id)


def stored_versions(db: Database, script_id: str, network_id: int | None) -> list[StoredVersion]:
    """The versions an editor may roll back to, each with whether it is in use."""
    return _stored_versions(db, script_id, network_id)


def recent_changes(db: Database, script_id: str, network_id: int | None,
                   last: int) -> list[tuple[Publication, str | None]]:
    """The last publications and rollbacks, each with the name of the one network it applies to (None: all)."""
    return [(event, None if event.network_id is None else network_name(db, event.network_id) or "?")
            for event in publications(db, script_id, network_id)[-last:]]


Publisher = Literal["you", "admin", "coordination", "file", "cli", "erased"]


def publisher(event: Publication, reader_id: int, admins: frozenset[int]) -> Publisher:
    """Who made a publication, as a role the reader may see (never a Telegram id): the reader, an admin (an id among
    the admins, or a publication for every network, which only admins make), a network's coordination, the scripts
    folder at start, the command line, or someone whose data was erased."""
    if event.published_by in ("file", "cli"):
        return "file" if event.published_by == "file" else "cli"
    try:
        user_id = int(event.published_by)
    except ValueError:
        return "erased"
    if user_id == reader_id:
        return "you"
    if user_id in admins or event.network_id is None:
        return "admin"
    return "coordination"


def source_in_use(db: Database, scripts: ScriptRegistry, script_id: str, network_id: int | None) -> tuple[int, str]:
    """The version in use and its YAML text."""
    script = scripts.current(script_id, network_id)
    return script.version, script_source(db, script_id, script.version) or ""


@dataclass(frozen=True)
class Review:
    """An upload checked: an unknown script, no changes, or a stored draft with what changed."""

    state: Literal["unknown", "unchanged", "draft"]
    script_id: str
    old_version: int = 0
    new_version: int = 0
    changes: list[str] | None = None
    draft_id: int = 0


def review_upload(db: Database, scripts: ScriptRegistry, user_id: int, network_id: int | None, source: str,
                  file_name: str, now: datetime) -> Review:
    """Check an uploaded script (ScriptError if invalid) and keep it as a draft when it changes something."""
    script, source = scripts.prepare(source, file_name)
    if newest_version(db, script.id) == 0:
        return Review("unknown", script.id)
    old = scripts.current(script.id, network_id)
    changes = diff_scripts(old, script)
    if changes == [NO_CHANGES]:
        return Review("unchanged", script.id, old.version)
    draft = create_draft(db, user_id, network_id, script.id, source, file_name, now, old.version)
    return Review("draft", script.id, old.version, script.version, changes, draft.id)


def draft(db: Database, draft_id: int) -> Draft | None:
    """A stored draft, or None."""
    return get_draft(db, draft_id)


@dataclass(frozen=True)
class Published:
    """Publishing a draft: done (the script now in use), stale (made against an older version), or decided."""

    state: Literal["published", "stale", "decided"]
    script: Script | None = None
    in_use: int | None = None


def publish(db: Database, scripts: ScriptRegistry, user_id: int, found: Draft, now: datetime) -> Published:
    """The draft becomes the next version in use (for every network, or its network), once; a draft made against
    an older version is discarded instead (publishing it would silently undo what was put in use since)."""
    with db.atomic():  # decided and published together: a second tap finds the draft decided
        in_use = published_version(db, found.script_id, found.network_id)
        stale = in_use != found.base_version
        if not decide(db, found.id, "discarded" if stale else "published", now):
            return Published("decided")
        if stale:
            return Published("stale", in_use=in_use)
        script = scripts.publish_text(found.source, found.file_name, str(user_id), now, found.network_id)
    return Published("published", script)


def discard(db: Database, draft_id: int, now: datetime) -> bool:
    """Mark the draft discarded; False if it was decided already."""
    return decide(db, draft_id, "discarded", now)
