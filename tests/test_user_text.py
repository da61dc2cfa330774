"""User text on one line and in the reader's quote marks (bot/core/user_text.py), also where it is stored."""

from __future__ import annotations

import re
from pathlib import Path

from bot.core import engine
from bot.core.engine import Accepted, Typed
from bot.core.script.model import Script
from bot.core.user_text import one_line, quoted
from bot.i18n import Catalogs

FOLD = re.compile(r'" "\.join\([\w.]+\.split\(\)\)')  # a copy of one_line
FAKE = "🔴 Dringend: Kita Sonnenblume hat das Netzwerk verlassen"


def test_one_line_folds_every_kind_of_line_break_and_drops_control_and_direction_characters() -> None:
    for brk in ("\n", "\r\n", "\r", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\t\n  "):
        assert one_line(f"Gute Zusammenarbeit{brk}{FAKE}") == f"Gute Zusammenarbeit {FAKE}"
    assert one_line("  a\u202e b\x00c\x1b  ") == "a bc"
    assert one_line("👩\u200d👩\u200d👧") == "👩\u200d👩\u200d👧"  # a joined emoji stays whole


def test_quoted_uses_the_reader_s_quote_marks(catalogs: Catalogs) -> None:
    assert quoted("Ziel\nklar", catalogs.gettext("de")) == "„Ziel klar“"
    assert quoted("goal\nclear", catalogs.gettext("en")) == "“goal clear”"


def test_a_typed_answer_is_stored_on_one_line(monthly_script: Script) -> None:
    state = engine.start(monthly_script)
    asked = engine.answer(monthly_script, state, "goals_clear", engine.Press("4"))
    assert isinstance(asked, Accepted)
    outcome = engine.answer(monthly_script, asked.state, "goal_statement", Typed("Gute Zusammenarbeit\n" + FAKE))
    assert isinstance(outcome, Accepted) and outcome.value == "Gute Zusammenarbeit " + FAKE


def test_user_text_is_quoted_only_through_the_one_helper() -> None:
    """The class, not the instance: no module builds the quote of a user's text by hand, and no module folds lines
    on its own ("".join(text.split()) copies of one_line)."""
    root = Path(__file__).resolve().parent.parent / "bot"
    admins_own = {root / "core" / "tips.py", root / "core" / "script" / "diff.py"}  # the tips' and scripts' YAML
    for path in root.rglob("*.py"):
        if path.name == "user_text.py":
            continue
        source = path.read_text(encoding="utf-8")
        assert '_("“{text}”")' not in source, f"{path}: quote user text with bot.core.user_text.quoted"
        if path not in admins_own:
            assert not FOLD.search(source), f"{path}: fold user text with bot.core.user_text.one_line"
