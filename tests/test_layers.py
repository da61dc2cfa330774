"""The layers keep holding: a walk over every import of the product's packages (function-level ones included) fails on
a forbidden edge or a cycle, so the map in docs/ARCHITECTURE.md stays true."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

from tests.e2e import ROOT

PACKAGES = ("bot", "storage", "localapi")
MAX_TOP_LEVEL_MODULES = 8  # bot/: wiring and infrastructure only; everything else lives in a sub-package


@cache
def modules() -> dict[str, Path]:
    """Every module of our packages by dotted name."""
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports_of(path: Path) -> set[str]:
    """The absolute module names one file imports anywhere in it (`from a import b` counts as a.b when b is ours)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names
                         if f"{node.module}.{alias.name}" in modules())
    return names


@cache
def graph() -> dict[str, frozenset[str]]:
    """Module → the modules and third-party packages it imports."""
    return {name: frozenset(imports_of(path)) for name, path in modules().items()}


def within(name: str, *prefixes: str) -> bool:
    """Whether a dotted name is one of the prefixes or inside one."""
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


# (who, what they must not import, why)
RULES = [
    (("bot.core",), ("telegram", "storage", "sqlite_utils", "bot.telegram", "bot.jobs", "bot.usecases", "bot.render",
                     "bot.cli", "bot.demo", "bot.services", "bot.config", "localapi"),
     "the core is pure: plain data in, plain data out"),
    (("bot.usecases",), ("telegram", "bot.telegram", "bot.jobs", "bot.cli", "bot.demo", "localapi"),
     "use cases are telegram-free and called by handlers, not the reverse"),
    (("bot.render",), ("telegram", "storage", "bot.telegram", "bot.jobs", "bot.usecases", "localapi"),
     "pictures and files are drawn from plain data"),
    (("bot.telegram.handlers",), ("storage", "sqlite_utils"),
     "handlers translate an update into a use case's call; the use case reads and writes"),
    (("storage",), ("telegram", "bot.telegram", "bot.jobs", "bot.usecases", "bot.render", "bot.cli", "bot.demo",
                    "localapi"),
     "storage depends on nothing above it (the core's plain types excepted)"),
    (("storage.migrations",), ("bot",), "an old migration never changes when the live code does"),
    (("bot.telegram", "bot.jobs", "bot.usecases", "bot.render", "bot.cli", "bot.core", "bot.services", "bot.config",
      "bot.i18n", "bot.logsafe"), ("localapi",),
     "the product never needs the test server; only the offline demo (bot.demo) drives it"),
]


@pytest.mark.parametrize(("owners", "forbidden", "why"), RULES, ids=[rule[2][:40] for rule in RULES])
def test_no_forbidden_import(owners: tuple[str, ...], forbidden: tuple[str, ...], why: str) -> None:
    """No module of `owners` imports anything in `forbidden`."""
    edges = sorted(f"{module} -> {target}" for module, targets in graph().items() if within(module, *owners)
                   for target in targets if within(target, *forbidden))
    assert edges == [], f"{why}:\n" + "\n".join(edges)


def test_no_import_cycle() -> None:
    """No two of our modules import each other, directly or round a loop (function-level imports count)."""
    ours = modules()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph()[node]:
            if target not in ours:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while (top := stack.pop()) != node:
                component.append(top)
            if component:
                cycles.append(sorted([node, *component]))

    for module in ours:
        if module not in index:
            visit(module)
    assert cycles == []


def test_the_walk_sees_what_it_checks() -> None:
    """The walk finds the layers and their known edges, so the rules above cannot pass on an empty graph."""
    assert {"bot.core.engine", "bot.telegram.app", "storage.db", "localapi.server"} <= set(modules())
    assert "telegram" in graph()["bot.telegram.app"]
    assert "storage.db" in graph()["bot.telegram.app"]


def test_bot_has_few_top_level_modules() -> None:
    """bot/ holds wiring and infrastructure; the rest is in packages named for their layer."""
    top = sorted(path.name for path in (ROOT / "bot").glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL_MODULES, top
