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


def parse_located(text: str) -> Located:
    """Parse one YAML document; raise YamlSyntaxError with a line number on bad syntax."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Located(data=None, lines={(): 1})
        located = Located(data=None, lines={(): node.start_mark.line + 1})
        located.data = _convert(loader, node, (), located.lines)
        return located
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise YamlSyntaxError(line, f"YAML syntax error: {exc.problem or exc.context}") from None
    finally:
        loader.dispose()


def _convert(loader: yaml.SafeLoader, node: yaml.Node, path: Path, lines: dict[Path, int]) -> Any:
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _convert(loader, key_node, path, lines)
            if isinstance(key, (dict, list)):
                raise YamlSyntaxError(key_node.start_mark.line + 1, "a key must be a plain word")
            child = (*path, str(key))
            if key in result:
                raise YamlSyntaxError(key_node.start_mark.line + 1, f"duplicate key {key!r}")
            lines[child] = key_node.start_mark.line + 1
            result[key] = _convert(loader, value_node, child, lines)
        return result
    if isinstance(node, yaml.SequenceNode):
        items: list[Any] = []
        for number, item in enumerate(node.value):
            child = (*path, number)
            lines[child] = item.start_mark.line + 1
            items.append(_convert(loader, item, child, lines))
        return items
    return loader.construct_object(node, deep=True)
