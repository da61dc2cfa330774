"""Check-in scripts: each version's stored source (registration), which version is in use (everywhere, or in one
network), and the history of publishing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlite_utils import Database

from storage.db import first, rows, scalar


@dataclass(frozen=True)
class StoredVersion:
    """One stored version of a script, and whether it is the one in use."""

    version: int
    created_at: str
    in_use: bool


@dataclass(frozen=True)
class Publication:
    """One publish, rollback or return to the shared script ("shared"); `network_id` None: for every network without
    a publication of its own."""

    version: int
    published_at: str
    published_by: str
    action: str
    network_id: int | None = None


@dataclass(frozen=True)
class NetworkVersion:
    """A network with a publication of its own, and the version in use there."""

    network_id: int
    network_name: str
    version: int


class ScriptVersionConflict(ValueError):
    """A script file changed without a new version number."""


def register_script(db: Database, script_id: str, version: int, source: str, now: datetime) -> bool:
    """Keep this version's source; True if it was new. The same version must never change its text."""
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
    with db.atomic():
        stored = scalar(db, "SELECT sha256 FROM scripts WHERE script_id = ? AND version = ?", [script_id, version])
        if stored is not None:
            if stored != digest:
                raise ScriptVersionConflict(
                    f"script '{script_id}' version {version} differs from the stored version {version}:"
                    " raise 'version' in the file when you change a script"
                )
            return False
        db.execute(
            "INSERT INTO scripts (script_id, version, sha256, source, created_at) VALUES (?, ?, ?, ?, ?)",
            [script_id, version, digest, source, now.isoformat()],
        )
    return True


def script_source(db: Database, script_id: str, version: int) -> str | None:
    """The YAML text of a stored script version."""
    source = scalar(db, "SELECT source FROM scripts WHERE script_id = ? AND version = ?", [script_id, version])
    return None if source is None else str(source)


def script_ids(db: Database) -> list[str]:
    """Every stored script id, sorted."""
    return [str(row["script_id"]) for row in rows(db, "SELECT DISTINCT script_id FROM scripts ORDER BY script_id")]


def own_version(db: Database, script_id: str, network_id: int) -> int | None:
    """The network's own version in use (its newest publication, unless that went back to the shared script)."""
    own = first(db, "SELECT version, action FROM script_publications WHERE script_id = ? AND network_id = ?"
                    " ORDER BY id DESC LIMIT 1", [script_id, network_id])
    return None if own is None or own["action"] == "shared" else int(own["version"])


def published_version(db: Database, script_id: str, network_id: int | None = None) -> int | None:
    """The version in use: the network's own newest publication, else the newest for all; None if never published."""
    if network_id is not None:
        own = own_version(db, script_id, network_id)
        if own is not None:
            return own
    version = scalar(db, "SELECT version FROM script_publications WHERE script_id = ? AND network_id IS NULL"
                         " ORDER BY id DESC LIMIT 1", [script_id])
    return None if version is None else int(version)


def newest_version(db: Database, script_id: str) -> int:
    """The highest version number ever stored for the script (0 if none)."""
    return int(scalar(db, "SELECT COALESCE(MAX(version), 0) FROM scripts WHERE script_id = ?", [script_id]))


def publish(db: Database, script_id: str, version: int, by: str, now: datetime,
            action: Literal["publish", "rollback", "shared"] = "publish", network_id: int | None = None) -> None:
    """Put a stored version in use (it must be stored already): in one network, or (None) in all without their own."""
    with db.atomic():
        db.execute("INSERT INTO script_publications (script_id, version, published_at, published_by, action,"
                   " network_id) VALUES (?, ?, ?, ?, ?, ?)",
                   [script_id, version, now.isoformat(), by, action, network_id])


def stored_versions(db: Database, script_id: str, network_id: int | None = None) -> list[StoredVersion]:
    """Stored versions, oldest first; for a network only those ever in use there or for all (not other networks')."""
    current = published_version(db, script_id, network_id)
    if network_id is None:
        found = rows(db, "SELECT version, created_at FROM scripts WHERE script_id = ? ORDER BY version", [script_id])
    else:
        found = rows(
            db, "SELECT s.version, s.created_at FROM scripts s WHERE s.script_id = ? AND (s.version = ? OR EXISTS"
            " (SELECT 1 FROM script_publications p WHERE p.script_id = s.script_id AND p.version = s.version"
            " AND (p.network_id IS NULL OR p.network_id = ?))) ORDER BY s.version",
            [script_id, current, network_id])
    return [StoredVersion(int(r["version"]), str(r["created_at"]), int(r["version"]) == current) for r in found]


def publications(db: Database, script_id: str, network_id: int | None = None) -> list[Publication]:
    """The history of publishing and rolling back, oldest first: all of it, or what applied to one network."""
    where = "" if network_id is None else " AND (network_id IS NULL OR network_id = ?)"
    found = rows(db, "SELECT version, published_at, published_by, action, network_id FROM script_publications"
                     f" WHERE script_id = ?{where} ORDER BY id",
                 [script_id] if network_id is None else [script_id, network_id])
    return [Publication(int(r["version"]), str(r["published_at"]), str(r["published_by"]), str(r["action"]),
                        None if r["network_id"] is None else int(r["network_id"])) for r in found]


def network_versions(db: Database, script_id: str) -> list[NetworkVersion]:
    """Networks with a publication of their own and the version in use there, by network name."""
    found = rows(
        db, "SELECT p.network_id, n.name AS network_name, p.version FROM script_publications p"
        " JOIN networks n ON n.id = p.network_id WHERE p.script_id = ? AND p.id = (SELECT MAX(q.id)"
        " FROM script_publications q WHERE q.script_id = p.script_id AND q.network_id = p.network_id)"
        " AND p.action != 'shared' ORDER BY n.name COLLATE NOCASE", [script_id])
    return [NetworkVersion(int(r["network_id"]), str(r["network_name"]), int(r["version"])) for r in found]


def use_shared(db: Database, script_id: str, network_id: int, by: str, now: datetime) -> int | None:
    """End the network's own version: from now on the shared one is in use there (a 'shared' row records it). The
    shared version now; None if the network had no version of its own (any more) or there is no shared one."""
    with db.atomic():  # the check and the row in one write transaction: a double tap adds nothing
        shared = published_version(db, script_id, None)
        if own_version(db, script_id, network_id) is None or shared is None:
            return None
        publish(db, script_id, shared, by, now, action="shared", network_id=network_id)
    return shared
