"""The named row helpers of storage/db.py (first, rows, scalar, rows_as) read columns by name, and refuse what would
make a name wrong."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest
from sqlite_utils import Database

from storage.db import first, open_db, rows, rows_as, scalar
from tests.e2e import NOW


class _Pair(NamedTuple):
    id: int
    name: str


@pytest.fixture
def db(tmp_path: Path) -> Database:
    """A database with one network."""
    opened = open_db(tmp_path / "rows.db")
    opened.execute("INSERT INTO networks (id, name, created_at) VALUES (7, 'Netz', ?)", [NOW.isoformat()])
    return opened


def test_the_helpers_read_by_name(db: Database) -> None:
    """Rows by column name, the one value of a one-column query, and NamedTuples checked against the columns."""
    assert rows(db, "SELECT id, name FROM networks") == [{"id": 7, "name": "Netz"}]
    assert first(db, "SELECT name, id FROM networks WHERE id = ?", [7]) == {"name": "Netz", "id": 7}
    assert first(db, "SELECT id FROM networks WHERE id = ?", [8]) is None
    assert scalar(db, "SELECT name FROM networks WHERE id = ?", [7]) == "Netz"
    assert scalar(db, "SELECT name FROM networks WHERE id = ?", [8]) is None
    assert rows_as(db, _Pair, "SELECT id, name FROM networks") == [_Pair(7, "Netz")]


def test_the_helpers_refuse_what_would_make_a_name_wrong(db: Database) -> None:
    """Two columns of one name (one would hide the other), two columns for one value, columns unlike the fields."""
    with pytest.raises(ValueError, match="same name"):
        rows(db, "SELECT n.name, o.name FROM networks n LEFT JOIN organisations o ON o.network_id = n.id")
    with pytest.raises(ValueError, match="same name"):
        first(db, "SELECT id, name AS id FROM networks")
    with pytest.raises(ValueError, match="one column"):
        scalar(db, "SELECT id, name FROM networks")
    with pytest.raises(ValueError, match="not the fields of _Pair"):
        rows_as(db, _Pair, "SELECT name, id FROM networks")
