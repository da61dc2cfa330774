"""Fields of Bot API methods and types: limits and constants from their descriptions, scalar conversion."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

JSON = dict[str, Any]

_LIMIT = re.compile(r"\b(\d+)-(\d+) (characters|bytes)\b")
_CONSTANT = re.compile(r'(?:, must be ([a-z_]+)|always "([a-z_]+)")\.?$')
_INTEGER = re.compile(r"[+-]?\d{1,20}")


@dataclass(frozen=True)
class UploadedFile:
    """A file that came as a multipart part."""

    filename: str
    content: bytes
    content_type: str | None = None


@dataclass(frozen=True)
class Limit:
    """A length limit found in a field description: "1-64 bytes", "0-1024 characters"."""

    minimum: int
    maximum: int
    unit: str

    def size(self, value: str) -> int:
        """The length of a value in this limit's unit; characters counted as Telegram counts them, in UTF-16 code
        units (an emoji outside the Basic Multilingual Plane counts two)."""
        return len(value.encode()) if self.unit == "bytes" else len(value.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class Field:
    """One parameter of a method or field of a type."""

    name: str
    types: tuple[str, ...]
    required: bool
    description: str
    limit: Limit | None
    constant: str | None

    @classmethod
    def from_json(cls, raw: JSON) -> Field:
        """A field from its spec entry, with limits and constants parsed from the description."""
        description: str = raw.get("description", "")
        types = tuple(raw["types"])
        match = _LIMIT.search(description) if types == ("String",) else None
        limit = Limit(int(match[1]), int(match[2]), match[3]) if match else None
        constant = _CONSTANT.search(description) if raw["name"] in ("type", "source", "status") else None
        return cls(raw["name"], types, bool(raw.get("required")), description, limit,
                   (constant[1] or constant[2]) if constant else None)


NOT_SCALAR = object()  # scalar(): the type is not a scalar type
WRONG = object()  # scalar(): the value does not fit the type
_TRUE = {"true", "1"}
_FALSE = {"false", "0"}


def scalar(value: Any, type_name: str, *, raw: bool) -> Any:
    """A converted scalar, WRONG if the value does not fit, NOT_SCALAR if the type is not a scalar type."""
    from_text = raw and isinstance(value, str)
    if type_name == "Integer":
        if from_text:
            return int(value) if _INTEGER.fullmatch(value) else WRONG
        return value if isinstance(value, int) and not isinstance(value, bool) else WRONG
    if type_name == "Float":
        if from_text:
            try:
                number = float(value)
            except ValueError:
                return WRONG
            return number if math.isfinite(number) else WRONG
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return float(value) if ok and math.isfinite(value) else WRONG
    if type_name in ("Boolean", "True"):
        if from_text:
            lowered = value.lower()
            return True if lowered in _TRUE else False if lowered in _FALSE else WRONG
        return value if isinstance(value, bool) else WRONG
    if type_name == "String":
        if raw and isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        return value if isinstance(value, str) else WRONG
    if type_name == "InputFile":
        if isinstance(value, bytes):
            return UploadedFile("file", value)
        return value if isinstance(value, UploadedFile) else WRONG
    return NOT_SCALAR
