"""Reading the bot's Telegram HTML as a person does (for assertions on what the coordinator reads)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import unescape


def plain(html: str) -> str:
    """A Telegram HTML message as the reader sees it: tags gone, entities read."""
    return unescape(re.sub(r"</?[a-z]+>", "", html))


def plain_all(messages: Iterable[str]) -> str:
    """Several HTML messages as one plain text, a line between them."""
    return "\n".join(plain(message) for message in messages)
