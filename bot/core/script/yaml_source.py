"""Parse YAML into plain data while remembering the line of every key, for error messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Path = tuple[str | int, ...]


@dataclass
class Located:
    """Plain data parsed from YAML plus the 1-based line of every mapping key and list item."""

    data: Any
    lines: dict[Path, int] = field(default_factory=dict)

    def line(self, path: Path) -> int:
        """The line of `path`, or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


class YamlSyntaxError(ValueError):
    """The text is not valid YAML (or has duplicate keys); carries the line."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


MAX_DEPTH = 40  # a script nests about six levels deep; far more is a mistake or an attack


def parse_located(text: str) -> Located:
    """Parse one YAML document; raise YamlSyntaxError with a line number on bad syntax or unreadable values."""
    try:
        loader = yaml.SafeLoader(text)
    except yaml.YAMLError as exc:  # a control character in the first part of the text
        raise YamlSyntaxError(_line_of(exc, text), f"YAML syntax error: {exc}") from None
    try:
        node = loader.get_single_node()
        if node is None:
            return Located(data=None, lines={(): 1})
        located = Located(data=None, lines={(): node.start_mark.line + 1})
        located.data = _convert(loader, node, (), located.lines, set())
        return located
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise YamlSyntaxError(line, f"YAML syntax error: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(_line_of(exc, text), f"YAML syntax error: {exc}") from None
    except RecursionError:
        raise YamlSyntaxError(1, "the YAML is nested far too deeply") from None
    finally:
        loader.dispose()


def _line_of(error: yaml.YAMLError, text: str) -> int:
    """The line of a reader error (it knows the character position, not the line)."""
    position = getattr(error, "position", None)
    return text.count("\n", 0, position) + 1 if isinstance(position, int) else 1


def _convert(loader: yaml.SafeLoader, node: yaml.Node, path: Path, lines: dict[Path, int], seen: set[int]) -> Any:
    line = node.start_mark.line + 1
    # An alias (*name) hands back a node already seen: scripts do not need them, and they allow exponential
    # "billion laughs" documents and endless recursion.
    if id(node) in seen:
        raise YamlSyntaxError(line, "anchors and aliases (&name, *name) are not supported in scripts")
    seen.add(id(node))
    if len(path) > MAX_DEPTH:
        raise YamlSyntaxError(line, f"the YAML is nested more than {MAX_DEPTH} levels deep")
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _convert(loader, key_node, path, lines, seen)
            if isinstance(key, (dict, list)):
                raise YamlSyntaxError(key_node.start_mark.line + 1, "a key must be a plain word")
            child = (*path, str(key))
            if key in result:
                raise YamlSyntaxError(key_node.start_mark.line + 1, f"duplicate key {key!r}")
            lines[child] = key_node.start_mark.line + 1
            result[key] = _convert(loader, value_node, child, lines, seen)
        return result
    if isinstance(node, yaml.SequenceNode):
        items: list[Any] = []
        for number, item in enumerate(node.value):
            child = (*path, number)
            lines[child] = item.start_mark.line + 1
            items.append(_convert(loader, item, child, lines, seen))
        return items
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError) as exc:
        # e.g. the date 2026-02-30, a 5000-digit number, or "!!int x"
        shown = str(node.value)[:40]
        raise YamlSyntaxError(line, f"the value {shown!r} cannot be read ({type(exc).__name__})") from None
