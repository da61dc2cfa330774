"""What a person typed, made safe to store and to show among the bot's own lines: on one line (inner line breaks and
runs of spaces folded to one space, control and text-direction characters dropped), and where it is quoted, in the
reader's quote marks („…“ in German, “…” in English), so it never looks like the bot's own structure (a line of its
own starting "🔴 Dringend: …", say)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

# Characters that turn the text's direction: they could make a quote's end look like its start, or hide text.
_DIRECTION = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def one_line(text: str) -> str:
    """The text on one line: every run of whitespace (line and paragraph breaks included) one space, control and
    direction characters gone, no space at either end."""
    kept = "".join(char for char in text if char not in _DIRECTION and (
        char.isspace() or unicodedata.category(char) != "Cc"))
    return " ".join(kept.split())


def quoted(text: str, _: Callable[[str], str]) -> str:
    """The text on one line in the reader's quote marks."""
    return _("“{text}”").format(text=one_line(text))
