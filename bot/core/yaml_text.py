"""YAML 1.2 text in and out (ruamel.yaml, safe types only): plain data with the line of every key and list item for
error messages, and dumping plain data back to text."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import MaxDepthExceededError
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

Path = tuple[str | int, ...]

MAX_DEPTH = 40  # a script nests about six levels deep; far more is a mistake or an attack


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
    """The text is not valid YAML (or has duplicate keys, aliases or unreadable values); carries the line."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


YAML_1_2 = (1, 2)
YAML_1_1 = (1, 1)  # yes/no/on/off are booleans, 010 is octal: how PyYAML read the scripts stored before YAML 1.2


def _safe(version: tuple[int, int] = YAML_1_2) -> YAML:
    """A fresh safe YAML instance (instances keep parser state, so one per call)."""
    yaml = YAML(typ="safe", pure=True)
    if version != YAML_1_2:
        yaml.version = version
    yaml.max_depth = MAX_DEPTH + 1  # the composer refuses deeper nodes before Python's recursion limit
    return yaml


def parse_located(text: str, version: tuple[int, int] = YAML_1_2) -> Located:
    """Parse one YAML document (YAML 1.2 unless told otherwise); raise YamlSyntaxError with a line number on bad syntax
    or unreadable values."""
    yaml = _safe(version)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. a reused anchor: refused below as an alias anyway
            node = yaml.compose(text)
        if node is None:
            return Located(data=None, lines={(): 1})
        located = Located(data=None, lines={(): node.start_mark.line + 1})
        located.data = _convert(yaml, node, (), located.lines, set())
        return located
    except MaxDepthExceededError as exc:
        raise YamlSyntaxError(_mark_line(exc), f"the YAML is nested more than {MAX_DEPTH} levels deep") from None
    except MarkedYAMLError as exc:
        raise YamlSyntaxError(_mark_line(exc), f"YAML syntax error: {exc.problem or exc.context}") from None
    except YAMLError as exc:  # a reader error: a control character, say
        raise YamlSyntaxError(_position_line(exc, text), f"YAML syntax error: {exc}") from None
    except RecursionError:
        raise YamlSyntaxError(1, "the YAML is nested far too deeply") from None


def load(text: str) -> Any:
    """Plain data from one YAML 1.2 document (safe types only; anchors and aliases are allowed here)."""
    return _safe().load(text)


def dump(data: Any, *, flow: bool | None = None, unicode: bool = True, aliases: bool = True) -> str:
    """YAML text of plain data, keys in their order: `flow` as ruamel's default_flow_style, `unicode=False` escapes
    non-ASCII, and `aliases=False` writes a value used twice out twice instead of as an anchor and an alias."""
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = flow
    yaml.allow_unicode = unicode
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    if not aliases:
        yaml.representer.ignore_aliases = lambda _data: True
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _mark_line(error: MarkedYAMLError) -> int:
    mark = error.problem_mark or error.context_mark
    return int(mark.line) + 1 if mark is not None else 1


def _position_line(error: YAMLError, text: str) -> int:
    """The line of a reader error (it knows the character position, not the line)."""
    position = getattr(error, "position", None)
    return text.count("\n", 0, position) + 1 if isinstance(position, int) else 1


def _convert(yaml: YAML, node: Node, path: Path, lines: dict[Path, int], seen: set[int]) -> Any:
    line = node.start_mark.line + 1
    # An alias (*name) hands back a node already seen: scripts do not need them, and they allow exponential
    # "billion laughs" documents and endless recursion.
    if id(node) in seen:
        raise YamlSyntaxError(line, "anchors and aliases (&name, *name) are not supported in scripts")
    seen.add(id(node))
    if isinstance(node, MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _convert(yaml, key_node, path, lines, seen)
            if isinstance(key, (dict, list)):
                raise YamlSyntaxError(key_node.start_mark.line + 1, "a key must be a plain word")
            child = (*path, str(key))
            if key in result:
                raise YamlSyntaxError(key_node.start_mark.line + 1, f"duplicate key {key!r}")
            lines[child] = key_node.start_mark.line + 1
            result[key] = _convert(yaml, value_node, child, lines, seen)
        return result
    if isinstance(node, SequenceNode):
        items: list[Any] = []
        for number, item in enumerate(node.value):
            child = (*path, number)
            lines[child] = item.start_mark.line + 1
            items.append(_convert(yaml, item, child, lines, seen))
        return items
    try:
        return yaml.constructor.construct_object(node, deep=True)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError) as exc:
        # e.g. the date 2026-02-30, a 5000-digit number, or "!!int x"
        shown = str(node.value)[:40]
        raise YamlSyntaxError(line, f"the value {shown!r} cannot be read ({type(exc).__name__})") from None
