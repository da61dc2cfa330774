"""Migrations are frozen: they import nothing from the live code, and what they copied from it gives what it gave."""

from __future__ import annotations

import ast
from pathlib import Path

from sqlite_utils import Database

from storage.db import open_db
from storage.migrations import migrations
from tests.e2e import NOW, ROOT

MIGRATIONS = ROOT / "storage" / "migrations.py"


def test_migrations_import_nothing_from_bot() -> None:
    """No import of bot (function-level ones included): a change to the live code never changes an old migration."""
    imported: list[str] = []
    for node in ast.walk(ast.parse(MIGRATIONS.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.append(node.module)
    assert imported, "the walk found no import at all"
    assert [name for name in imported if name == "bot" or name.startswith("bot.")] == []


def test_m006_fills_in_the_kind_of_existing_organisations(tmp_path: Path) -> None:
    """m006 gives organisations stored before it the kind their name suggests, by its frozen word list."""
    path = tmp_path / "old.db"
    old = Database(str(path))
    migrations.apply(old, stop_before="m006_script_drafts_network_scripts_organisation_kind")
    old.execute("INSERT INTO networks (id, name, created_at) VALUES (1, 'Netz', ?)", [NOW.isoformat()])
    names = {"Jobcenter Musterstadt": "jobcenter", "Jugendamt Süd": "youth_office", "Kita Sonnenschein": "care",
             "Diakonie Nord": "welfare", "Bäckerei Korn GmbH": "employer", "Lernwerk gGmbH": "other",
             "Verein Brücke": "other"}
    for number, name in enumerate(names, start=1):
        old.execute("INSERT INTO organisations (id, network_id, name, created_at) VALUES (?, 1, ?, ?)",
                    [number, name, NOW.isoformat()])
    old.conn.commit()
    old.close()
    db = open_db(path)
    assert dict(db.execute("SELECT name, kind FROM organisations").fetchall()) == names
    db.close()
