"""The check-in scripts: every version kept in the database, which one is in use, publishing and rolling back; and
the coaching tips file beside them."""

from __future__ import annotations

import logging
import re
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from bot.config import PROJECT_ROOT
from bot.core.risk.rules import RULES
from bot.core.script.loader import Problem, ScriptError, load_script_text
from bot.core.script.model import Script
from bot.core.tips import Tips, load_tips_text
from bot.core.yaml_text import YAML_1_1
from storage.scripts import (
    ScriptVersionConflict,
    newest_version,
    publish,
    published_version,
    register_script,
    script_source,
)

log = logging.getLogger(__name__)

_VERSION_LINE = re.compile(r"^version:[ \t]*\S+[ \t]*(#.*)?$", re.MULTILINE)


class ScriptRegistry:
    """Scripts by id; in use: the newest publication (a network's own first). A check-in keeps its version."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._versions: dict[tuple[str, int], Script] = {}

    def load_directory(self, directory: Path, now: datetime) -> list[Script]:
        """Validate and store every *.yaml; a file with a version never stored before is published (shipped)."""
        loaded: list[Script] = []
        for path in sorted(directory.glob("*.yaml")):
            source = path.read_text(encoding="utf-8")
            script = load_script_text(source, str(path))
            newest = newest_version(self._db, script.id)
            try:
                register_script(self._db, script.id, script.version, source, now)
            except ScriptVersionConflict as conflict:
                # E.g. a coordinator's edit took this number in the chat: the bot runs on with what is stored.
                log.error("scripts: %s is not used: %s", path.name, conflict)
                continue
            self._versions[(script.id, script.version)] = script
            if script.version > newest:
                publish(self._db, script.id, script.version, "file", now)
                log.info("scripts: %s version %d from %s is in use", script.id, script.version, path.name)
            elif script.version < newest:
                log.warning("scripts: %s has version %d in the database; %s (version %d) is kept but not used",
                            script.id, newest, path.name, script.version)
            loaded.append(script)
        return loaded

    def current(self, script_id: str, network_id: int | None = None) -> Script:
        """The version in use, in a network or (None) for all networks (KeyError if the script is unknown)."""
        version = published_version(self._db, script_id, network_id)
        if version is None:
            raise KeyError(script_id)
        return self.version(script_id, version)

    def version(self, script_id: str, version: int) -> Script:
        """A specific version, from memory or from the database."""
        key = (script_id, version)
        if key not in self._versions:
            source = script_source(self._db, script_id, version)
            if source is None:
                raise KeyError(f"script {script_id} version {version} is not stored")
            self._versions[key] = load_stored_text(source, f"{script_id} v{version} (database)")
        return self._versions[key]

    def prepare(self, source: str, file: str) -> tuple[Script, str]:
        """Validate an edited script; its version becomes the next free number. Returns the script and its text."""
        script = load_script_text(source, file)
        following = newest_version(self._db, script.id) + 1
        if script.version != following:
            source, count = _VERSION_LINE.subn(f"version: {following}", source, count=1)
            if count != 1:
                raise ScriptError([Problem(file, 1, None, "put 'version: N' on a line of its own at the top")])
            script = load_script_text(source, file)
        return script, source

    def publish_text(self, source: str, file: str, by: str, now: datetime, network_id: int | None = None) -> Script:
        """Validate, store and put in use an edited script (as the next version) in one network or (None) in all.

        Check-ins under way keep their version.
        """
        script, source = self.prepare(source, file)
        with self._db.atomic():
            register_script(self._db, script.id, script.version, source, now)
            publish(self._db, script.id, script.version, by, now, network_id=network_id)
        self._versions[(script.id, script.version)] = script
        return script

    def rollback(self, script_id: str, version: int, by: str, now: datetime, network_id: int | None = None) -> Script:
        """Put an earlier stored version in use again, in one network or (None) in all; nothing is overwritten."""
        script = self.version(script_id, version)
        with self._db.atomic():  # the check and the new publication in one write transaction: a double tap fails
            if published_version(self._db, script_id, network_id) == version:
                raise ValueError(f"version {version} of {script_id} is already in use")
            publish(self._db, script_id, version, by, now, action="rollback", network_id=network_id)
        return script


def load_stored_text(source: str, file: str) -> Script:
    """A stored version: read as YAML 1.2; one that only YAML 1.1 reads (e.g. `dont_know: yes`, checked and stored
    before the loader moved to YAML 1.2) as the YAML 1.1 it was checked as."""
    try:
        return load_script_text(source, file)
    except ScriptError as error:
        try:
            return load_script_text(source, file, YAML_1_1)
        except ScriptError:
            raise error from None


TIPS_FILE = Path("tips") / "coaching_tips.yaml"
SHIPPED_DIALOGS = PROJECT_ROOT / "dialogs"


def tips_path(directory: Path) -> Path:
    """The coaching tips file: in the dialogs folder in use, else the one shipped with the bot."""
    own = directory / TIPS_FILE
    return own if own.exists() else SHIPPED_DIALOGS / TIPS_FILE


def load_tips(directory: Path) -> Tips:
    """Read and check the coaching tips (TipsError names file and line; every rule needs its first tip)."""
    path = tips_path(directory)
    return load_tips_text(path.read_text(encoding="utf-8"), str(path), tuple(RULES))
