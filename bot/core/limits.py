"""Telegram's length limits, measured as Telegram measures them: in UTF-16 code units of the text after entity
parsing (an emoji outside the Basic Multilingual Plane counts two), callback data in bytes of UTF-8. Texts are cut
so that they fit, an HTML text without breaking a tag or an entity (the tags left open are closed again)."""

from __future__ import annotations

import re
from html import unescape

TEXT = 4096  # a message's text
CAPTION = 1024  # a photo's or document's caption
CALLBACK_ANSWER = 200  # the notice of answerCallbackQuery
CALLBACK_DATA = 64  # a button's data, in bytes of UTF-8
ELLIPSIS = "…"

_HTML_PART = re.compile(r"<[^>]*>|&#?\w+;|[^<&]+|[<&]")
_TAG = re.compile(r"<\s*(/?)\s*([A-Za-z][\w-]*)")


def utf16_len(text: str) -> int:
    """How long Telegram counts a text: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _units(char: str) -> int:
    return 2 if ord(char) > 0xFFFF else 1


def _prefix(text: str, room: int) -> str:
    """The longest start of `text` of at most `room` UTF-16 units (never half a surrogate pair)."""
    used = 0
    for index, char in enumerate(text):
        used += _units(char)
        if used > room:
            return text[:index]
    return text


def cut(text: str, limit: int, ellipsis: str = ELLIPSIS) -> str:
    """The text as it is if it fits `limit` UTF-16 units, else its start with `ellipsis`, together within limit."""
    if utf16_len(text) <= limit:
        return text
    room = max(limit - utf16_len(ellipsis), 0)
    return _prefix(text, room).rstrip() + ellipsis if room else _prefix(ellipsis, limit)


def html_len(html: str) -> int:
    """How long Telegram counts a text in parse_mode HTML: tags count nothing, an entity its one character."""
    return sum(_part_units(part) for part in _HTML_PART.findall(html))


def _part_units(part: str) -> int:
    if part.startswith("<") and part.endswith(">") and len(part) > 1:
        return 0
    return utf16_len(unescape(part)) if part.startswith("&") else utf16_len(part)


def cut_html(html: str, limit: int, ellipsis: str = ELLIPSIS) -> str:
    """An HTML text as it is if it fits `limit` once parsed, else its start with `ellipsis` and every tag still open
    closed again: never a tag or an entity cut in half."""
    if html_len(html) <= limit:
        return html
    room = max(limit - utf16_len(ellipsis), 0)
    kept: list[str] = []
    open_tags: list[str] = []
    for part in _HTML_PART.findall(html):
        size = _part_units(part)
        if size == 0:
            tag = _TAG.match(part)
            if tag is not None and tag[1] and open_tags and open_tags[-1] == tag[2].lower():
                open_tags.pop()
            elif tag is not None and not tag[1] and not part.endswith("/>"):
                open_tags.append(tag[2].lower())
            kept.append(part)
            continue
        if size <= room:
            kept.append(part)
            room -= size
            continue
        if not part.startswith("&"):  # plain text splits anywhere; an entity only whole
            kept.append(_prefix(part, room))
        break
    body = "".join(kept).rstrip()
    return body + ellipsis + "".join(f"</{tag}>" for tag in reversed(open_tags))


def fits_callback_data(data: str) -> bool:
    """Whether a button's data is within Telegram's 1-64 bytes."""
    return 1 <= len(data.encode()) <= CALLBACK_DATA
