"""Telegram's HTML formatting: parse text the way the Bot API does, into plain text and message entities."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]

# Tag name -> entity type. "span" is only allowed with class="tg-spoiler", "a" becomes a text_link.
TAGS: dict[str, str] = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "span": "spoiler",
    "tg-spoiler": "spoiler", "a": "text_link", "code": "code", "pre": "pre", "blockquote": "blockquote",
    "tg-emoji": "custom_emoji", "tg-time": "date_time",
}
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]+));")
_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
_ATTRIBUTE = re.compile(r"\s*([a-zA-Z][a-zA-Z0-9_-]*)\s*(?:=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+)))?")


class HtmlError(ValueError):
    """Not valid Telegram HTML; the message is Telegram's wording after "can't parse entities: "."""


@dataclass
class _Open:
    tag: str
    start: int
    attributes: dict[str, str]
    language: str | None = None
    children: list[JSON] = field(default_factory=list)


def utf16_len(text: str) -> int:
    """Length of a string in UTF-16 code units, the unit of entity offsets and lengths."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode())


def _decode_entities(text: str) -> str:
    return _ENTITY.sub(lambda m: _decode_one(m) or m.group(0), text)


def _decode_one(match: re.Match[str]) -> str | None:
    decimal, hexadecimal, name = match.groups()
    if name is not None:
        return _NAMED.get(name)
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else None


def _parse_tag(source: str, start: int) -> tuple[str, bool, dict[str, str], int]:
    """Parse the tag starting at source[start] == "<": (name, is_end_tag, attributes, index after '>')."""
    pos = start + 1
    closing = source.startswith("/", pos)
    if closing:
        pos += 1
    name_match = _NAME.match(source, pos)
    if name_match is None:
        raise HtmlError(f"Unsupported start tag at byte offset {_byte_offset(source, start)}")
    name = name_match.group(0).lower()
    pos = name_match.end()
    attributes: dict[str, str] = {}
    while True:
        while pos < len(source) and source[pos].isspace():
            pos += 1
        if pos >= len(source):
            raise HtmlError(f'Unclosed start tag "{name}" at byte offset {_byte_offset(source, start)}')
        if source[pos] == ">":
            return name, closing, attributes, pos + 1
        attribute = _ATTRIBUTE.match(source, pos)
        if attribute is None or closing:
            raise HtmlError(f'Expected equal sign in declaration of an attribute of the tag "{name}" '
                            f"at byte offset {_byte_offset(source, start)}")
        value = next((v for v in attribute.groups()[1:] if v is not None), "")
        attributes[attribute.group(1).lower()] = _decode_entities(value)
        pos = attribute.end()


def _entity(opened: _Open, length: int) -> JSON | None:
    """The message entity for a closed tag, or None for a tag that makes none (an <a> without href)."""
    kind = TAGS[opened.tag]
    entity: JSON = {"type": kind, "offset": opened.start, "length": length}
    attrs = opened.attributes
    if kind == "text_link":
        if not attrs.get("href"):
            return None
        entity["url"] = attrs["href"]
    elif kind == "pre" and opened.language:
        entity["language"] = opened.language
    elif kind == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    elif kind == "custom_emoji":
        entity["custom_emoji_id"] = attrs["emoji-id"]
    elif kind == "date_time":
        entity["unix_time"] = int(attrs["unix"])
        if attrs.get("format"):
            entity["date_time_format"] = attrs["format"]
    return entity


def _check_start_tag(source: str, index: int, name: str, attributes: dict[str, str]) -> None:
    where = f"at byte offset {_byte_offset(source, index)}"
    if name not in TAGS:
        raise HtmlError(f'Unsupported start tag "{name}" {where}')
    if name == "span" and attributes.get("class") != "tg-spoiler":
        raise HtmlError(f'Tag "span" must have class "tg-spoiler" {where}')
    if name == "tg-emoji" and not attributes.get("emoji-id", "").isdigit():
        raise HtmlError(f'Tag "tg-emoji" must have a valid attribute "emoji-id" {where}')
    if name == "tg-time" and not attributes.get("unix", "").isdigit():
        raise HtmlError(f'Tag "tg-time" must have a valid attribute "unix" {where}')


def parse_html(source: str) -> tuple[str, list[JSON]]:
    """Plain text and entities (UTF-16 offsets) of an HTML text; HtmlError if Telegram would refuse it."""
    out: list[str] = []
    offset = 0
    stack: list[_Open] = []
    entities: list[JSON] = []
    pos = 0
    while pos < len(source):
        char = source[pos]
        if char == "<":
            name, closing, attributes, end = _parse_tag(source, pos)
            if not closing:
                _check_start_tag(source, pos, name, attributes)
                stack.append(_Open(name, offset, attributes))
            else:
                if not stack:
                    raise HtmlError(f'Unexpected end tag "{name}" at byte offset {_byte_offset(source, pos)}')
                opened = stack.pop()
                if opened.tag != name:
                    raise HtmlError(f"Unmatched end tag at byte offset {_byte_offset(source, pos)}, "
                                    f'expected "</{opened.tag}>", found "</{name}>"')
                language = opened.attributes.get("class", "")
                if name == "code" and stack and stack[-1].tag == "pre" and language.startswith("language-"):
                    stack[-1].language = language.removeprefix("language-")
                elif (made := _entity(opened, offset - opened.start)) is not None and made["length"] > 0:
                    entities.append(made)
            pos = end
            continue
        if char == "&" and (match := _ENTITY.match(source, pos)) and (decoded := _decode_one(match)):
            text, pos = decoded, match.end()
        else:
            text, pos = char, pos + 1
        out.append(text)
        offset += utf16_len(text)
    if stack:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def strip_text(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Trim surrounding whitespace like Telegram does, moving and clipping entities along."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    size = utf16_len(stripped)
    kept: list[JSON] = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, size)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept
