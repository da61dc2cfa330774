"""docs/thresholds.md names every threshold of bot.core.history.Thresholds with its default, in the code's order."""

from __future__ import annotations

import re
from dataclasses import fields

from bot.core.history import Thresholds
from storage.reports import valid_threshold
from tests.e2e import ROOT

DOC = ROOT / "docs" / "thresholds.md"


def documented() -> list[tuple[str, str, str]]:
    """The rows of the table: name, default as written, meaning."""
    rows = re.findall(r"^\| `(\w+)` \| ([^|]+) \| ([^|]+) \|$", DOC.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return [(name, default.strip(), meaning.strip()) for name, default, meaning in rows]


def test_every_threshold_is_documented_with_its_default_and_a_meaning() -> None:
    defaults = Thresholds()
    assert [(name, default) for name, default, _meaning in documented()] == [
        (field.name, str(getattr(defaults, field.name))) for field in fields(Thresholds)]
    assert all(len(meaning.split()) >= 5 for _name, _default, meaning in documented())


def test_every_documented_default_is_a_value_the_command_accepts() -> None:
    assert all(valid_threshold(name, float(default)) for name, default, _meaning in documented())
