"""Validate Bot API requests against the vendored official spec (Bot API 10.0); refuse them like Telegram."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from localapi.entities import HtmlError, parse_html
from localapi.fields import NOT_SCALAR, WRONG, Field, UploadedFile, scalar

__all__ = ["ApiError", "ApiSpec", "Field", "UploadedFile"]

SPEC_FILE = Path(__file__).with_name("api-10.0.json")
JSON = dict[str, Any]
PathPart = str | int

_ATTACH = re.compile(r"attach://([A-Za-z0-9_.-]+)")
_MESSAGE_TEXT_METHODS = {"sendMessage", "editMessageText"}
_PARSE_TARGETS = ("text", "caption", "message_text")
_PARSE_MODES = {"html", "markdown", "markdownv2"}


class ApiError(Exception):
    """A refusal the way Telegram sends it: error code, description and, for 429, retry_after."""

    def __init__(self, error_code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(f"{error_code} {description}")
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def to_json(self) -> JSON:
        """The response body Telegram would send."""
        body: JSON = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


class _Invalid(Exception):
    """A validation failure somewhere below a parameter; the deepest one explains a union best."""

    def __init__(self, path: tuple[PathPart, ...], description: str) -> None:
        super().__init__(description)
        self.path = path
        self.description = description


def _name(path: Sequence[PathPart]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


class ApiSpec:
    """The Bot API spec: method and type definitions and request validation."""

    def __init__(self, raw: JSON) -> None:
        self.version: str = raw["version"]
        methods, types = raw["methods"], raw["types"]
        self.methods: dict[str, tuple[Field, ...]] = {
            name: tuple(Field.from_json(f) for f in m.get("fields", [])) for name, m in methods.items()}
        self.returns: dict[str, list[str]] = {name: m.get("returns", []) for name, m in methods.items()}
        self.types: dict[str, tuple[Field, ...]] = {
            name: tuple(Field.from_json(f) for f in t.get("fields", [])) for name, t in types.items()}
        self.subtypes: dict[str, list[str]] = {name: t["subtypes"] for name, t in types.items()
                                               if t.get("subtypes")}
        self._by_lower = {name.lower(): name for name in self.methods}

    @staticmethod
    @cache
    def load() -> ApiSpec:
        """The vendored spec, parsed once."""
        return ApiSpec(json.loads(SPEC_FILE.read_text(encoding="utf-8")))

    def method_name(self, method: str) -> str:
        """The spec's spelling of a method name, matched case-insensitively like Telegram (404 if unknown)."""
        name = self._by_lower.get(method.lower())
        if name is None:
            raise ApiError(404, "Not Found")
        return name

    def has_method(self, method: str) -> bool:
        """Whether a method exists, its name compared case-insensitively."""
        return method.lower() in self._by_lower

    def validate(self, method: str, params: Mapping[str, Any]) -> JSON:
        """Convert HTTP parameters (strings, JSON strings, uploads) to typed values, or raise ApiError."""
        name = self.method_name(method)
        fields = {f.name: f for f in self.methods[name]}
        attached = {m for v in params.values() if isinstance(v, str) for m in _ATTACH.findall(v)}
        extras: JSON = {}
        for key, value in params.items():
            if key not in fields:
                if key in attached and isinstance(value, UploadedFile):
                    extras[key] = value
                elif key in attached and isinstance(value, bytes):
                    extras[key] = UploadedFile(key, value)
                else:
                    raise ApiError(400, f'Bad Request: unknown parameter "{key}"')
        values = {k: v for k, v in params.items() if k in fields}
        try:
            return {**self._object(fields, values, (), raw=True, method=name), **extras}
        except _Invalid as err:
            raise ApiError(400, f"Bad Request: {err.description}") from None

    def check_object(self, type_name: str, value: Any) -> Any:
        """Validate a JSON value (a result the server sends) against a spec type like "Array of Update"."""
        return self.check_union((type_name,), value)

    def check_result(self, method: str, value: Any) -> Any:
        """Validate the result of a method against the types the spec says it returns."""
        return self.check_union(self.returns[self.method_name(method)], value)

    def check_union(self, types: Sequence[str], value: Any) -> Any:
        """Validate a JSON value against a union of spec types; ApiError(500) names the first problem."""
        try:
            return self._union(value, types, ("result",), raw=False, field=None, method=None)
        except _Invalid as err:
            raise ApiError(500, f"Internal Server Error: invalid result: {err.description}") from None

    def _object(self, fields: Mapping[str, Field], value: Mapping[str, Any], path: tuple[PathPart, ...], *,
                raw: bool, method: str | None) -> JSON:
        for key in value:
            if key not in fields:
                raise _Invalid((*path, key), f'unknown parameter "{_name((*path, key))}"')
        present = {k: v for k, v in value.items() if v is not None}
        for f in fields.values():
            if f.required and f.name not in present:
                raise _Invalid((*path, f.name), self._empty(f, path, method))
        modes = self._parse_modes(fields, present, path, raw=raw)
        result: JSON = {}
        for key, item in present.items():
            f = fields[key]
            converted = self._union(item, f.types, (*path, key), raw=raw, field=f, method=method)
            if isinstance(converted, str):
                self._check_text(f, converted, modes.get(key), path, method)
            result[key] = converted
        return result

    def _parse_modes(self, fields: Mapping[str, Field], present: Mapping[str, Any],
                     path: tuple[PathPart, ...], *, raw: bool) -> dict[str, str]:
        """Which text field each parse_mode applies to (caption, text, question...) -> lower-cased mode."""
        modes: dict[str, str] = {}
        for key, item in present.items():
            if not key.endswith("parse_mode"):
                continue
            if not isinstance(item, str):
                raise _Invalid((*path, key), f"{_name((*path, key))} has wrong type")
            mode = item.lower()
            if mode and mode not in _PARSE_MODES:
                raise _Invalid((*path, key), "unsupported parse_mode")
            prefix = key.removesuffix("parse_mode").rstrip("_")
            target = prefix or next((t for t in _PARSE_TARGETS if t in fields), "")
            if mode and target:
                modes[target] = mode
        return modes

    def _check_text(self, f: Field, value: str, mode: str | None, path: tuple[PathPart, ...],
                    method: str | None) -> None:
        """Length limits, measured after entity parsing; HTML must parse."""
        full = (*path, f.name)
        if mode == "html":
            try:
                value, _entities = parse_html(value)
            except HtmlError as err:
                raise _Invalid(full, f"can't parse entities: {err}") from None
        message_text = f.name == "message_text" or (
            f.name == "text" and not path and method in _MESSAGE_TEXT_METHODS)
        if message_text and not value.strip():
            raise _Invalid(full, "message text is empty")
        limit = f.limit
        if limit is None:
            return
        size = limit.size(value)
        if f.name == "callback_data" and not limit.minimum <= size <= limit.maximum:
            raise _Invalid(full, "BUTTON_DATA_INVALID")
        if size > limit.maximum:
            if message_text:
                raise _Invalid(full, "message is too long")
            if f.name == "caption":
                raise _Invalid(full, "message caption is too long")
            raise _Invalid(full, f"{_name(full)} is too long")
        if size < limit.minimum:
            raise _Invalid(full, f"{_name(full)} is empty" if not value else f"{_name(full)} is too short")

    @staticmethod
    def _empty(f: Field, path: tuple[PathPart, ...], method: str | None) -> str:
        if f.name == "text" and not path and method in _MESSAGE_TEXT_METHODS:
            return "message text is empty"
        return f"{_name((*path, f.name))} is empty"

    def _union(self, value: Any, types: Sequence[str], path: tuple[PathPart, ...], *, raw: bool,
               field: Field | None, method: str | None) -> Any:
        """The first type of a union that takes the value; else the failure that got deepest."""
        best: _Invalid | None = None
        for type_name in types:
            try:
                return self._one(value, type_name, path, raw=raw, field=field, method=method)
            except _Invalid as err:
                if best is None or _progress(err) > _progress(best):
                    best = err
        assert best is not None
        raise best

    def _one(self, value: Any, type_name: str, path: tuple[PathPart, ...], *, raw: bool, field: Field | None,
             method: str | None) -> Any:
        wrong = _Invalid(path, f"{_name(path)} has wrong type")
        if type_name.startswith("Array of "):
            items = _loads(value, path) if raw and isinstance(value, str) else value
            if not isinstance(items, list):
                raise wrong
            inner = type_name.removeprefix("Array of ")
            return [self._union(item, (inner,), (*path, i), raw=False, field=None, method=method)
                    for i, item in enumerate(items)]
        converted = scalar(value, type_name, raw=raw)
        if converted is not NOT_SCALAR:
            if converted is WRONG:
                raise wrong
            if field is not None and field.constant is not None and converted != field.constant:
                raise _Invalid(path, f'{_name(path)} must be "{field.constant}"')
            return converted
        if type_name not in self.types:
            raise wrong
        obj = _loads(value, path) if raw and isinstance(value, str) else value
        if not isinstance(obj, dict):
            raise wrong
        if type_name in self.subtypes:
            return self._abstract(obj, type_name, path, method=method)
        fields = {f.name: f for f in self.types[type_name]}
        return self._object(fields, obj, path, raw=False, method=method)

    def _abstract(self, obj: JSON, type_name: str, path: tuple[PathPart, ...], *, method: str | None) -> Any:
        """An abstract type: the subtype whose "type"/"source"... matches, else one that fits."""
        candidates = self.subtypes[type_name]
        for sub in candidates:
            for f in self.types[sub]:
                if f.constant is not None and obj.get(f.name) == f.constant:
                    return self._one(obj, sub, path, raw=False, field=None, method=method)
        discriminators = {f.name for sub in candidates for f in self.types[sub] if f.constant is not None}
        for key in sorted(discriminators):
            if key in obj:
                raise _Invalid((*path, key), f'{_name((*path, key))} "{obj[key]}" is not a {type_name}')
        return self._union(obj, candidates, path, raw=False, field=None, method=method)


def _progress(err: _Invalid) -> tuple[int, list[int]]:
    """How far validation got before failing: deeper, then further along in arrays."""
    return len(err.path), [part for part in err.path if isinstance(part, int)]


def _loads(value: str, path: tuple[PathPart, ...]) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        raise _Invalid(path, f"can't parse {_name(path)} JSON object") from None
