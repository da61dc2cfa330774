"""Storage reads columns by name, never by position: a walk over storage/*.py fails on a subscript by an integer (a
row's `r[0]`) and on a query's rows read past the named helpers of storage/db.py (first, rows, scalar, picked); and
those helpers refuse what would make a name wrong."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlite_utils import Database

from storage.db import first, open_db, picked, rows, scalar
from tests.e2e import NOW, ROOT

STORAGE = ROOT / "storage"
HELPERS = "db.py"  # where rows are made: the one module that may touch a cursor's rows
CURSOR_ATTRIBUTES = {"rowcount", "lastrowid"}  # what a write's cursor may be asked for


def modules(folder: Path = STORAGE) -> dict[str, ast.Module]:
    """Every module of the folder, parsed, by file name."""
    return {path.name: ast.parse(path.read_text(encoding="utf-8"), str(path)) for path in sorted(folder.glob("*.py"))}


def _integer(node: ast.expr) -> bool:
    """Whether an index is an integer constant (-1 included)."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        node = node.operand
    return isinstance(node, ast.Constant) and type(node.value) is int


def positional_subscripts(folder: Path = STORAGE) -> list[str]:
    """`file:line: source` of every subscript by an integer constant (r[0], row[-1]) in the folder's modules."""
    found = []
    for name, tree in modules(folder).items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Subscript) and _integer(node.slice):
                found.append(f"{name}:{node.lineno}: {ast.unparse(node)}")
    return sorted(found, key=_by_place)


def rows_read_past_the_helpers(folder: Path = STORAGE) -> list[str]:
    """`file:line: source` of every `.execute(...)` outside storage/db.py whose result is used for more than a write's
    rowcount or lastrowid: fetched, iterated, unpacked or passed on (its rows would be tuples, read by position)."""
    found = []
    for name, tree in modules(folder).items():
        if name == HELPERS:
            continue
        parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "execute"):
                continue
            parent = parents[node]
            if isinstance(parent, ast.Expr):  # a statement run for its effect
                continue
            if isinstance(parent, ast.Attribute) and parent.attr in CURSOR_ATTRIBUTES:
                continue
            if (isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name)
                    and _only_counted(parent.targets[0].id, _scope(parent, parents), parents)):
                continue
            found.append(f"{name}:{node.lineno}: {ast.unparse(node)[:100]}")
    return sorted(found, key=_by_place)


def _by_place(found: str) -> tuple[str, int]:
    """A finding's file and line, to sort by."""
    file, line, _ = found.split(":", 2)
    return file, int(line)


def _scope(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> ast.AST:
    """The function (or module) a node is in."""
    while node in parents and not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        node = parents[node]
    return node


def _only_counted(variable: str, scope: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """Whether every read of the variable in its scope asks the cursor for rowcount or lastrowid only."""
    for node in ast.walk(scope):
        if isinstance(node, ast.Name) and node.id == variable and isinstance(node.ctx, ast.Load):
            use = parents[node]
            if not (isinstance(use, ast.Attribute) and use.attr in CURSOR_ATTRIBUTES):
                return False
    return True


def test_no_row_is_read_by_position() -> None:
    """No `r[0]` in storage/: columns are read by name (if what is indexed is no row, unpack it or name its parts)."""
    assert positional_subscripts() == []


def test_rows_are_read_through_the_named_helpers() -> None:
    """Outside storage/db.py a cursor is only asked how many rows a write changed or which id it gave; rows come from
    first, rows, scalar or picked (migrations, which cannot import storage.db, use sqlite-utils' db.query)."""
    assert rows_read_past_the_helpers() == []


def test_the_walks_find_what_they_look_for(tmp_path: Path) -> None:
    """Both walks fail on the old ways of reading a row, so they cannot pass on code they do not understand."""
    (tmp_path / "old.py").write_text(
        "def a(db):\n    row = db.execute('SELECT id FROM t').fetchone()\n    return row[0]\n"
        "def b(db):\n    return [r[-1] for r in db.execute('SELECT id, name FROM t')]\n"
        "def c(db):\n    cursor = db.execute('SELECT id FROM t')\n    return cursor.fetchall()\n"
        "def d(db):\n    cursor = db.execute('INSERT INTO t (id) VALUES (1)')\n    return cursor.lastrowid\n"
        "def e(db):\n    db.execute('DELETE FROM t')\n    return db.execute('DELETE FROM t').rowcount\n",
        encoding="utf-8")
    assert positional_subscripts(tmp_path) == ["old.py:3: row[0]", "old.py:5: r[-1]"]
    assert [line.split(":")[1] for line in rows_read_past_the_helpers(tmp_path)] == ["2", "5", "7"]


@pytest.fixture
def db(tmp_path: Path) -> Database:
    """A database with one network."""
    opened = open_db(tmp_path / "rows.db")
    opened.execute("INSERT INTO networks (id, name, created_at) VALUES (7, 'Netz', ?)", [NOW.isoformat()])
    return opened


def test_the_helpers_read_by_name(db: Database) -> None:
    """Rows by column name, the one value of a one-column query, and the values of named columns in the order named."""
    assert rows(db, "SELECT id, name FROM networks") == [{"id": 7, "name": "Netz"}]
    assert first(db, "SELECT name, id FROM networks WHERE id = ?", [7]) == {"name": "Netz", "id": 7}
    assert first(db, "SELECT id FROM networks WHERE id = ?", [8]) is None
    assert scalar(db, "SELECT name FROM networks WHERE id = ?", [7]) == "Netz"
    assert scalar(db, "SELECT name FROM networks WHERE id = ?", [8]) is None
    db.execute("INSERT INTO networks (id, name, created_at) VALUES (8, 'Zwei', ?)", [NOW.isoformat()])
    assert list(picked(db, "SELECT name, created_at, id FROM networks ORDER BY id", (), ("id", "name"))) == [
        (7, "Netz"), (8, "Zwei")]
    assert list(picked(db, "SELECT name, id FROM networks WHERE id = ?", [9], ("id", "name"))) == []


def test_the_helpers_refuse_what_would_make_a_name_wrong(db: Database) -> None:
    """Two columns of one name (one would hide the other), two columns for one value, a column the query lacks."""
    with pytest.raises(ValueError, match="same name"):
        rows(db, "SELECT n.name, o.name FROM networks n LEFT JOIN organisations o ON o.network_id = n.id")
    with pytest.raises(ValueError, match="same name"):
        first(db, "SELECT id, name AS id FROM networks")
    with pytest.raises(ValueError, match="one column"):
        scalar(db, "SELECT id, name FROM networks")
    with pytest.raises(ValueError, match="same name"):
        picked(db, "SELECT id, id FROM networks", (), ("id", "id"))
    with pytest.raises(ValueError, match="two or more of the query's columns"):
        picked(db, "SELECT id, name FROM networks", (), ("id", "network_name"))
