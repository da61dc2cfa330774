"""Shared fixtures: the default script, a fresh database per test, compiled catalogs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlite_utils import Database

from bot.core.script import Script
from bot.core.script_loader import load_script_file
from bot.i18n import Catalogs, compile_catalogs
from storage.db import open_db

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def monthly_script() -> Script:
    """The default monthly check-in script from dialogs/."""
    return load_script_file(ROOT / "dialogs" / "monthly_checkin.yaml")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A fresh, migrated SQLite file."""
    database = open_db(tmp_path / "netzpuls.db")
    yield database
    database.close()


@pytest.fixture(scope="session")
def catalogs() -> Catalogs:
    """The real Babel catalogs, compiled from locales/."""
    compile_catalogs(ROOT / "locales")
    return Catalogs(ROOT / "locales")
