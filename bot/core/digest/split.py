"""Split a long text into Telegram messages: between blocks, else between lines, else between words."""

from __future__ import annotations

from collections.abc import Callable, Container, Sequence

from bot.core.limits import TEXT as MESSAGE_LIMIT
from bot.core.limits import utf16_len as utf16_length


def split_messages(blocks: Sequence[Sequence[str]], limit: int = MESSAGE_LIMIT,
                   glued: Container[int] = (), measure: Callable[[str], int] = utf16_length) -> list[str]:
    """Pack blocks of lines into messages of at most `limit` units, a blank line between blocks (a line break only
    before the blocks whose index is in `glued`: entries of one section); a block that does not fit goes to the next
    message whole, one longer than a message is split between lines, a line longer than a message between words (a
    single word longer than a message, which no text here has, is cut). `measure`: how Telegram counts a text
    (`bot.core.limits.html_len` for HTML)."""
    messages: list[str] = []
    current = ""

    def add(piece: str, separator: str) -> None:
        nonlocal current
        if not current:
            current = piece
        elif measure(current + separator + piece) <= limit:
            current += separator + piece
        else:
            messages.append(current)
            current = piece

    for index, block in enumerate(blocks):
        lines = [line for line in block if line.strip()]
        if not lines:
            continue
        text = "\n".join(lines)
        if measure(text) <= limit:
            add(text, "\n" if index in glued else "\n\n")
            continue
        first = True
        for line in lines:
            for piece in _split_line(line, limit):
                add(piece, "\n\n" if first else "\n")
                first = False
    if current:
        messages.append(current)
    return messages


def _split_line(line: str, limit: int) -> list[str]:
    """A line as pieces of at most `limit` units, each ending at a word boundary."""
    if utf16_length(line) <= limit:
        return [line]
    pieces: list[str] = []
    current = ""
    for word in line.split(" "):
        while utf16_length(word) > limit:  # no boundary to split at: cut
            head = _prefix(word, limit)
            if current:
                pieces.append(current)
                current = ""
            pieces.append(head)
            word = word[len(head):]
        candidate = f"{current} {word}" if current else word
        if utf16_length(candidate) <= limit:
            current = candidate
        else:
            pieces.append(current)
            current = word
    if current:
        pieces.append(current)
    return pieces


def _prefix(word: str, limit: int) -> str:
    """The longest start of `word` within `limit` units."""
    size = 0
    for index, char in enumerate(word):
        size += utf16_length(char)
        if size > limit:
            return word[:max(index, 1)]
    return word
