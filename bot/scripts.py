"""The check-in scripts in use: loaded from dialogs/, every version kept in the database."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from bot.core.script import Script
from bot.core.script_loader import load_script_text
from storage.checkins import register_script, script_source


class ScriptRegistry:
    """Current scripts by id, and any stored version on demand (a check-in finishes on its own version)."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._current: dict[str, Script] = {}
        self._versions: dict[tuple[str, int], Script] = {}

    def load_directory(self, directory: Path, now: datetime) -> list[Script]:
        """Validate and register every *.yaml in the directory; raise ScriptError on the first broken file."""
        loaded: list[Script] = []
        for path in sorted(directory.glob("*.yaml")):
            source = path.read_text(encoding="utf-8")
            script = load_script_text(source, str(path))
            register_script(self._db, script.id, script.version, source, now)
            self._current[script.id] = script
            self._versions[(script.id, script.version)] = script
            loaded.append(script)
        return loaded

    def current(self, script_id: str) -> Script:
        """The newest loaded version of a script."""
        return self._current[script_id]

    def version(self, script_id: str, version: int) -> Script:
        """A specific version, from memory or from the database."""
        key = (script_id, version)
        if key not in self._versions:
            source = script_source(self._db, script_id, version)
            if source is None:
                raise KeyError(f"script {script_id} version {version} is not stored")
            self._versions[key] = load_script_text(source, f"{script_id} v{version} (database)")
        return self._versions[key]
